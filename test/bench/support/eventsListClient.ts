/**
 * How the events-list scenario asks for the first page of events: GraphQL's `events`
 * query when /graphql answers it (the target in the issue is for GraphQL), else the
 * REST list GET /api/webhooks. `--events-api` forces one. The GraphQL document is here,
 * in one place, to follow the schema as it settles.
 */

export interface EventsFilter {
  status?: 'failed' | 'delivered';
  mailboxId?: string;
}

export interface EventsListClient {
  kind: 'graphql' | 'rest';
  request(filter: EventsFilter, first: number): { method: 'GET' | 'POST'; path: string; body?: string };
  /** Why this kind was chosen. */
  reason: string;
}

/** The dashboard's events page: the newest events with what the list shows of each. */
export const EVENTS_QUERY = `
  query BenchEventsList($first: Int!, $filter: EventFilter) {
    events(first: $first, filter: $filter) {
      edges { node { id status eventType receivedAt attemptCount lastAttemptAt mailbox { name } } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

const graphqlFilter = (filter: EventsFilter) => ({
  ...(filter.status ? { status: filter.status.toUpperCase() } : {}),
  ...(filter.mailboxId ? { mailboxId: filter.mailboxId } : {}),
});

const graphql: Omit<EventsListClient, 'reason'> = {
  kind: 'graphql',
  request: (filter, first) => ({ method: 'POST', path: '/graphql', body: JSON.stringify({ query: EVENTS_QUERY, variables: { first, filter: graphqlFilter(filter) } }) }),
};

const rest: Omit<EventsListClient, 'reason'> = {
  kind: 'rest',
  request: (filter, first) => {
    const query = new URLSearchParams({ limit: String(first) });
    if (filter.status) query.set('status', filter.status);
    if (filter.mailboxId) query.set('mailbox_id', filter.mailboxId);
    return { method: 'GET', path: `/api/webhooks?${query}` };
  },
};

export async function chooseEventsListClient(baseUrl: string, adminToken: string, wanted: 'auto' | 'rest' | 'graphql'): Promise<EventsListClient> {
  if (wanted === 'rest') return { ...rest, reason: 'REST (--events-api rest)' };
  const probe = graphql.request({ status: 'failed' }, 1);
  let problem: string;
  try {
    const response = await fetch(`${baseUrl}${probe.path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: probe.body,
    });
    const answer = (await response.json().catch(() => null)) as { data?: { events?: unknown }; errors?: { message: string }[] } | null;
    if (response.ok && answer?.data?.events && !answer.errors) return { ...graphql, reason: 'GraphQL: /graphql answered the events query' };
    problem = answer?.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`;
  } catch (error) {
    problem = (error as Error).message;
  }
  if (wanted === 'graphql') throw new Error(`--events-api graphql, but /graphql did not answer the events query: ${problem}`);
  return { ...rest, reason: `REST GET /api/webhooks: /graphql did not answer the events query (${problem.slice(0, 160)})` };
}
