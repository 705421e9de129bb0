/**
 * How the events-list scenario asks for the first page of events: GraphQL's `events`
 * query when /graphql answers it (the target in the issue is for GraphQL), and the REST
 * list GET /api/webhooks beside it. `--events-api` picks one. The GraphQL document is
 * here, in one place, to follow the schema as it evolves.
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

/**
 * The dashboard's events page: the newest events with what the REST list also returns
 * (mailbox name, status, attempts, the endpoint of each delivery).
 */
export const EVENTS_QUERY = `
  query BenchEventsList($first: Int!, $filter: EventFilter) {
    events(first: $first, filter: $filter) {
      edges {
        node {
          id status eventType receivedAt attemptCount lastAttemptAt
          mailbox { name }
          deliveries(first: 5) { edges { node { id status endpoint { url } } } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }`;

const graphqlFilter = (filter: EventsFilter) => ({
  ...(filter.status ? { status: [filter.status] } : {}),
  ...(filter.mailboxId ? { mailboxId: filter.mailboxId } : {}),
});

const graphql: Omit<EventsListClient, 'reason'> = {
  kind: 'graphql',
  request: (filter, first) => ({
    method: 'POST',
    path: '/graphql',
    body: JSON.stringify({ query: EVENTS_QUERY, variables: { first, filter: graphqlFilter(filter) } }),
  }),
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

export async function chooseEventsListClients(
  baseUrl: string,
  adminToken: string,
  wanted: 'auto' | 'rest' | 'graphql',
): Promise<EventsListClient[]> {
  if (wanted === 'rest') return [{ ...rest, reason: 'REST GET /api/webhooks (--events-api rest)' }];
  const probe = graphql.request({ status: 'failed' }, 1);
  let problem: string;
  try {
    const response = await fetch(`${baseUrl}${probe.path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: probe.body,
    });
    const answer = (await response.json().catch(() => null)) as {
      data?: { events?: unknown };
      errors?: { message: string }[];
    } | null;
    if (response.ok && answer?.data?.events && !answer.errors) {
      const both = wanted === 'auto' ? [{ ...rest, reason: 'REST GET /api/webhooks' }] : [];
      return [{ ...graphql, reason: 'GraphQL Query.events' }, ...both];
    }
    problem = answer?.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`;
  } catch (error) {
    problem = (error as Error).message;
  }
  if (wanted === 'graphql')
    throw new Error(`--events-api graphql, but /graphql did not answer the events query: ${problem}`);
  return [
    { ...rest, reason: `REST GET /api/webhooks: /graphql did not answer the events query (${problem.slice(0, 160)})` },
  ];
}
