/** The REST calls behind signing in and out (server/http/routes/session.ts). */
export type OperatorRole = 'viewer' | 'operator' | 'admin';

export interface Operator {
  name: string;
  role: OperatorRole;
}

async function errorMessage(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  return body?.error?.message ?? `The server answered ${response.status}.`;
}

/** Who is signed in; null when nobody is (or the session expired). */
export async function fetchSession(): Promise<Operator | null> {
  const response = await fetch('/api/session', { credentials: 'same-origin' });
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(await errorMessage(response));
  return (await response.json()) as Operator;
}

export async function signIn(token: string): Promise<Operator> {
  const response = await fetch('/api/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: token.trim() }),
  });
  if (!response.ok) throw new Error(await errorMessage(response));
  return (await response.json()) as Operator;
}

export async function signOut(): Promise<void> {
  await fetch('/api/session', { method: 'DELETE', credentials: 'same-origin' });
}

const rank: Record<OperatorRole, number> = { viewer: 0, operator: 1, admin: 2 };

export const hasRole = (operator: Operator | null, needed: OperatorRole) =>
  operator !== null && rank[operator.role] >= rank[needed];
