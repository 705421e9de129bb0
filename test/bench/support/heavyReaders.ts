/**
 * GraphQL readers looping on the most expensive query Hookpost's limits allow, as a
 * careless or hostile viewer would: 100 events with their bodies, each with its
 * mailbox's 19 latest events with theirs (cost 24,101 of the 25,000 allowed, a body
 * costing 10; the same
 * query as test/reads.cannot-starve-ingest.test.ts). Each reader sends the next query as
 * soon as the previous one is answered. Refusals (a read cancelled past the statement
 * timeout is `query_timeout`) are counted by code: they are the limits doing their job.
 */
const HEAVIEST_QUERY = `{
  events(first: 100) { edges { node { id body mailbox {
    events(first: 19) { edges { node { id body eventType receivedAt mailbox { name } } } }
  } } } }
}`;

export interface HeavyReadsTally {
  /** Queries answered with data. */
  answered: number;
  /** Queries answered with errors, by `extensions.code`. */
  refused: Record<string, number>;
  /** Requests that failed before an answer (connection errors). */
  failed: number;
}

export function startHeavyReaders(
  api: { url: string; adminToken: string },
  readers: number,
): { stop(): Promise<HeavyReadsTally> } {
  const tally: HeavyReadsTally = { answered: 0, refused: {}, failed: 0 };
  let reading = true;
  const read = async () => {
    while (reading) {
      try {
        const response = await fetch(`${api.url}/graphql`, {
          method: 'POST',
          headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query: HEAVIEST_QUERY }),
        });
        const result = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
        if (result.errors?.length) {
          const code = result.errors[0]!.extensions?.code ?? `http_${response.status}`;
          tally.refused[code] = (tally.refused[code] ?? 0) + 1;
        } else tally.answered += 1;
      } catch {
        tally.failed += 1;
        // Not a tight loop against a process that is not answering.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const loops = Array.from({ length: readers }, read);
  return {
    async stop() {
      reading = false;
      await Promise.all(loops);
      return tally;
    },
  };
}
