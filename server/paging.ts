/**
 * How long a page of any list is, in both APIs: REST's `limit` and GraphQL's
 * `first`/`last`. A larger page is refused (validation_failed), not cut short, so a
 * client learns the limit instead of missing rows.
 */

/** Items per page when the caller does not say. */
export const DEFAULT_PAGE_SIZE = 50;
/** The most items one page may hold. */
export const MAX_PAGE_SIZE = 100;
