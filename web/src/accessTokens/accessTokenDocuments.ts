/** The GraphQL documents of the access tokens view (admins only). */
import { graphql } from '../generated/gql.ts';

export const AccessTokensQuery = graphql(`
  query AccessTokens($includeRevoked: Boolean, $first: Int, $after: String, $last: Int, $before: String) {
    me {
      tokenId
    }
    accessTokens(includeRevoked: $includeRevoked, first: $first, after: $after, last: $last, before: $before) {
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        node {
          id
          name
          role
          prefix
          createdAt
          createdByName
          lastUsedAt
          expiresAt
          revokedAt
        }
      }
    }
  }
`);

export const CreateAccessTokenMutation = graphql(`
  mutation CreateAccessToken($name: String!, $role: OperatorRole!, $expiresAt: DateTime) {
    createAccessToken(name: $name, role: $role, expiresAt: $expiresAt) {
      token
      accessToken {
        id
        name
        role
        prefix
        createdAt
        createdByName
        lastUsedAt
        expiresAt
        revokedAt
      }
    }
  }
`);

export const RevokeAccessTokenMutation = graphql(`
  mutation RevokeAccessToken($id: ID!) {
    revokeAccessToken(id: $id) {
      id
      revokedAt
    }
  }
`);
