/**
 * The Pothos schema builder: plugins, scalars' TypeScript shapes, the context and the
 * authorization scopes. It defines no types; each type lives in its own file under
 * schema/ with its queries, mutations and subscriptions.
 *
 * Plugins, in the order they wrap resolvers:
 * - scope-auth first, so an unauthenticated or under-privileged caller is refused before
 *   anything else runs (roles: viewer < operator < admin, as in auth/roles.ts);
 * - prisma, which plans one Prisma query per level of a request (no N+1);
 * - relay, for cursor connections;
 * - dataloader, for what a planned query cannot fetch in bulk (each delivery's last attempt);
 * - validation, so inputs are checked where they are declared, with the services' own
 *   zod rules;
 * - simple-objects, for the payloads that are not database rows;
 * - complexity, which gives every field its cost (queryCost.ts) so that an operation's
 *   cost is known before it runs.
 * Expected failures are thrown as AppErrors and reach clients as `extensions.code`
 * (yoga.ts), so the errors plugin's errors-as-data results are not used.
 */
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import ValidationPlugin from '@pothos/plugin-validation';
import { z } from 'zod';
import { hasRole, type OperatorRole } from '../auth/roles.ts';
import type PrismaTypes from '../db/generated/pothos-types.ts';
import { getDatamodel } from '../db/generated/pothos-types.ts';
import type { GraphQLContext } from './context.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../paging.ts';
import { unauthorizedError, validationError } from './errors.ts';
import { fieldCost } from './queryCost.ts';

// A page larger than the limit is refused, as in REST, not silently cut.
const pageArgument = z
  .int()
  .min(0, 'must not be negative')
  .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)
  .nullish();

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  AuthScopes: { role: OperatorRole };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [
    ScopeAuthPlugin,
    PrismaPlugin,
    RelayPlugin,
    DataloaderPlugin,
    ValidationPlugin,
    SimpleObjectsPlugin,
    ComplexityPlugin,
  ],
  defaultFieldNullability: false,
  // Costs only: the limits are checked when an operation is validated (queryLimits.ts).
  complexity: { fieldComplexity: fieldCost },
  scopeAuth: {
    // Subscriptions are refused when they start, not on every pushed payload.
    authorizeOnSubscribe: true,
    authScopes: (context) => ({ role: (needed: OperatorRole) => hasRole(context.actor, needed) }),
    unauthorizedError,
  },
  prisma: {
    // Reads run on the read pool; mutations write through the services, on the application pool.
    client: (context) => context.rt.reads.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    maxConnectionSize: MAX_PAGE_SIZE,
  },
  relay: {
    // Ids are the same UUIDs as in the REST API and the database, not Relay global ids.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    cursorType: 'String',
    pageInfoTypeOptions: { description: 'Where a page is in its list.' },
    defaultConnectionTypeOptions: { description: 'A page of a list (a Relay cursor connection).' },
    defaultEdgeTypeOptions: { description: 'One item of a page, with its cursor.' },
    edgesFieldOptions: { description: 'The items of the page, in list order.' },
    nodeFieldOptions: { description: 'The item.' },
    cursorFieldOptions: { description: 'Where the item is in the list: pass it as `after` or `before`.' },
    pageInfoFieldOptions: { description: 'Where the page is in its list.' },
    hasNextPageFieldOptions: { description: 'Whether there are items after this page.' },
    hasPreviousPageFieldOptions: { description: 'Whether there are items before this page.' },
    startCursorFieldOptions: { description: 'The cursor of the first item of the page.' },
    endCursorFieldOptions: { description: 'The cursor of the last item of the page.' },
    firstArgOptions: {
      description: `Page forwards: at most this many items (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}).`,
      validate: pageArgument,
    },
    afterArgOptions: { description: 'Page forwards: the items after this cursor.' },
    lastArgOptions: {
      description: `Page backwards: at most this many items from the end (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}).`,
      validate: pageArgument,
    },
    beforeArgOptions: { description: 'Page backwards: the items before this cursor.' },
  },
  validation: { validationError },
});
