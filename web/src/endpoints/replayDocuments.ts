/** The GraphQL documents of the replay dialog: the preview count, starting, following and cancelling. */
import { graphql } from '../generated/gql.ts';

export const ReplayFields = graphql(`
  fragment ReplayFields on Replay {
    id
    status
    total
    processed
    requeued
    createdAt
    finishedAt
  }
`);

export const ReplayPreviewQuery = graphql(`
  query ReplayPreview($filter: DeadLetterFilter) {
    replayPreview(filter: $filter)
  }
`);

export const StartReplayMutation = graphql(`
  mutation StartReplay($filter: DeadLetterFilter) {
    startReplay(filter: $filter) {
      ...ReplayFields
    }
  }
`);

export const CancelReplayMutation = graphql(`
  mutation CancelReplay($id: ID!) {
    cancelReplay(id: $id) {
      ...ReplayFields
    }
  }
`);

export const ReplayQuery = graphql(`
  query Replay($id: ID!) {
    replay(id: $id) {
      ...ReplayFields
    }
  }
`);

export const ReplayUpdatedSubscription = graphql(`
  subscription ReplayUpdated($id: ID) {
    replayUpdated(id: $id) {
      replays {
        ...ReplayFields
      }
      skipped
      resync
    }
  }
`);
