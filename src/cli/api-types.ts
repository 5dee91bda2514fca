/** The admin API's answers as the CLI reads them; the shapes live with the HTTP adapter. */
export type {
  QueueStats, TopicStats, Subscription, GroupMember, GroupInfo, QueueLag, QueueLagList, MessageView, DeadLetter,
  DeadLetterList, ErrorBody, RedriveResponse, PublishResult, ReceivedMessage, HandleResults,
} from '../adapters/http/api-types.js';

export const DLQ_PREFIX = '%DLQ%';
export const RETRY_PREFIX = '%RETRY%';
