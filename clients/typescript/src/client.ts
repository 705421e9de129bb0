/**
 * The typed REST client: openapi-fetch over the types generated from the OpenAPI
 * document (clients/openapi.json), so every path, parameter, body and answer is checked
 * by the compiler. `expectData` turns Hookpost's error shape into a thrown error.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/openapi.ts';
import type { ApiError } from './types.ts';

export type HookpostClient = Client<paths>;

export interface HookpostClientOptions {
  /** Where Hookpost listens, e.g. `http://localhost:8000`. */
  baseUrl: string;
  /** An operator access token (`hpt_…`) for the management API. */
  token?: string;
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: typeof globalThis.fetch;
}

export function createHookpostClient(options: HookpostClientOptions): HookpostClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** A refusal from Hookpost: the HTTP status, and the stable code and message of its `{error}` body. */
export class HookpostApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HookpostApiError';
  }
}

/** The data of a successful answer; throws a HookpostApiError with the server's code otherwise. */
export function expectData<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.error === undefined) return result.data as T;
  const body = result.error as Partial<ApiError> | undefined;
  const code = body?.error?.code ?? `http_${result.response.status}`;
  const message = body?.error?.message ?? `Hookpost answered ${result.response.status} ${result.response.statusText}.`;
  throw new HookpostApiError(result.response.status, code, message);
}

/** The cursor of the next page of a list answer (`x-next-cursor`), or null on the last page. */
export function nextCursor(response: Response): string | null {
  return response.headers.get('x-next-cursor');
}
