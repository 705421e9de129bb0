/** The GraphQL documents of the audit log view (admins only). */
import { graphql } from '../generated/gql.ts';

export const AuditLogQuery = graphql(`
  query AuditLog($filter: AuditFilter, $first: Int, $after: String, $last: Int, $before: String) {
    auditLog(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        node {
          id
          at
          actorTokenId
          actorName
          action
          targetType
          targetId
          summary
        }
      }
    }
  }
`);

/** Every access token, revoked ones too: the actor filter's choices. */
export const AuditActorsQuery = graphql(`
  query AuditActors {
    accessTokens(includeRevoked: true, first: 100) {
      edges {
        node {
          id
          name
          prefix
          revokedAt
        }
      }
    }
  }
`);
