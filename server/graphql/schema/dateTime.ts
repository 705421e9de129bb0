/** The DateTime scalar: ISO 8601 in and out. */
import { AppError } from '../../errors.ts';
import { builder } from '../builder.ts';

// A calendar date and a time with a zone; Date.parse alone accepts too much ("1").
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

builder.scalarType('DateTime', {
  description:
    'A moment in time. Output: ISO 8601 in UTC with milliseconds (`2026-11-28T10:31:00.000Z`). Input: ISO 8601 with a time zone.',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' && ISO_8601.test(value) ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime())) {
      throw new AppError(
        'validation_failed',
        `"${String(value)}" is not an ISO 8601 date-time with a time zone, e.g. 2026-11-28T10:31:00Z.`,
      );
    }
    return date;
  },
});
