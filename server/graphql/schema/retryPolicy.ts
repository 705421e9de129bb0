/** An endpoint's retry policy: how many attempts and how far apart (endpoints/retryPolicy.ts). */
import { z } from 'zod';
import {
  retryPolicySchema,
  retryPresetNames,
  type RetryPolicy as RetryPolicyShape,
} from '../../endpoints/retryPolicy.ts';
import { builder } from '../builder.ts';
import { withoutNulls } from '../withoutNulls.ts';

export const RetryPreset = builder.enumType('RetryPreset', {
  description: 'A named retry schedule whose values fill in what a policy does not give.',
  values: {
    spec: { description: '3 attempts: at once, then after 2 s and 4 s (the original specification).' },
    production: {
      description:
        '8 attempts over about 27 h: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, with 10 % jitter (Standard Webhooks).',
    },
  } satisfies Record<(typeof retryPresetNames)[number], { description: string }>,
});

export const RetryPolicy = builder.objectRef<RetryPolicyShape>('RetryPolicy').implement({
  description:
    'How many attempts a delivery gets and how far apart. The default is 3 attempts: at once, then after 2 s and 4 s.',
  fields: (t) => ({
    preset: t.field({ type: RetryPreset, description: 'The preset it starts from.', resolve: (p) => p.preset }),
    maxAttempts: t.exposeInt('maxAttempts', { description: 'Attempts in all, the first one included.' }),
    baseDelayMs: t.exposeInt('baseDelayMs', { description: 'Delay before the second attempt, in milliseconds.' }),
    factor: t.exposeFloat('factor', { description: 'Each further delay is the previous one times this.' }),
    maxDelayMs: t.exposeInt('maxDelayMs', { description: 'No delay is longer than this, in milliseconds.' }),
    jitter: t.exposeFloat('jitter', { description: 'Each delay is spread by up to ± this fraction (0 to 1).' }),
    schedule: t.exposeIntList('schedule', {
      description:
        'Explicit delays in milliseconds between attempts; when not empty, it replaces the exponential rule.',
    }),
  }),
});

/** The stored JSON with its defaults filled in. */
export const retryPolicyOf = (stored: unknown): RetryPolicyShape => retryPolicySchema.parse(stored);

export const RetryPolicyInput = builder
  .inputType('RetryPolicyInput', {
    description: 'A retry policy. It replaces the whole policy; omitted fields take their defaults.',
    fields: (t) => ({
      preset: t.field({
        type: RetryPreset,
        description: 'The preset whose values fill in the fields not given. Default `spec`.',
      }),
      maxAttempts: t.int({ description: 'Attempts in all, the first one included: 1 to 50. Default 3.' }),
      baseDelayMs: t.int({
        description: 'Delay before the second attempt, in milliseconds: 0 to 1 day. Default 2000.',
      }),
      factor: t.float({ description: 'Multiplier of each further delay: 1 to 10. Default 2.' }),
      maxDelayMs: t.int({ description: 'Longest delay in milliseconds: 0 to 7 days. Default 1 hour.' }),
      jitter: t.float({ description: 'Spread of each delay, as a fraction: 0 to 1. Default 0.' }),
      schedule: t.intList({
        description:
          'Explicit delays in milliseconds between attempts (at most 49, each at most 7 days); sets maxAttempts to its length + 1.',
      }),
    }),
  })
  // The service's own rules (bounds, defaults), checked here so errors name the input path.
  .validate(z.preprocess(withoutNulls, retryPolicySchema));
