/** How long a new access token works: the choices of the form, as an `expiresAt` from a moment. */
export const expiryChoices = {
  never: { label: 'Never expires', days: null },
  '30d': { label: '30 days', days: 30 },
  '90d': { label: '90 days', days: 90 },
  '1y': { label: '1 year', days: 365 },
  custom: { label: 'On a date…', days: null },
} as const;
export type ExpiryChoice = keyof typeof expiryChoices;

/** The ISO time the token stops working, null for never; `date` (YYYY-MM-DD, end of that day UTC) for custom. */
export function expiresAtOf(choice: ExpiryChoice, now: number, date = ''): string | null {
  if (choice === 'custom') return date ? new Date(`${date}T23:59:59.999Z`).toISOString() : null;
  const days = expiryChoices[choice].days;
  return days === null ? null : new Date(now + days * 86_400_000).toISOString();
}
