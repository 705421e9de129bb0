/** Polls until a condition holds: scenarios wait for outcomes (all delivered), never for fixed sleeps. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  options: { timeoutMs: number; intervalMs?: number; progress?: () => Promise<string> },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) {
      const progress = options.progress ? ` (${await options.progress()})` : '';
      throw new Error(`Timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${what}${progress}.`);
    }
    await sleep(options.intervalMs ?? 200);
  }
}
