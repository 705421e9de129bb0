/**
 * GraphQL's nulls mean "not given": an input object without its null fields, as the
 * services' zod rules (which take undefined for "not given") expect it.
 */
export const withoutNulls = (value: unknown) =>
  value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) : value;
