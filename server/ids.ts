/**
 * Ids: time-ordered UUIDs (v7) for everything, so the newest rows sort last and
 * tracking numbers tell when an event arrived. Ids from outside are checked before
 * they reach a query.
 */
import { v7 } from 'uuid';

export const newId = (): string => v7();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);
