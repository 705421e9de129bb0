/**
 * Who may do what. Every management action names the least role it needs; a role
 * includes the ones below it: viewer (read) < operator (change and retry) < admin
 * (also operator tokens).
 */
import { AppError } from '../errors.ts';

export const operatorRoles = ['viewer', 'operator', 'admin'] as const;
export type OperatorRole = (typeof operatorRoles)[number];

/** The authenticated caller of a management action. */
export interface Actor {
  tokenId: string;
  name: string;
  role: OperatorRole;
  /** When the access token stops working by itself, if it does. */
  expiresAt?: Date;
  /** The dashboard session the caller came with (cookie), when it did not send the token itself. */
  session?: { id: string; expiresAt: Date };
}

export function hasRole(actor: Actor | null | undefined, needed: OperatorRole): boolean {
  return !!actor && operatorRoles.indexOf(actor.role) >= operatorRoles.indexOf(needed);
}

/** Throws `unauthenticated` without an actor and `forbidden` when its role is too low. */
export function authorize(actor: Actor | null | undefined, needed: OperatorRole): asserts actor is Actor {
  if (!actor) throw new AppError('unauthenticated', 'Sign in: send "Authorization: Bearer <access token>".');
  if (!hasRole(actor, needed)) {
    throw new AppError('forbidden', `This needs the ${needed} role; your token has the ${actor.role} role.`);
  }
}
