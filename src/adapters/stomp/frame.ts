/**
 * STOMP frames (STOMP 1.2 §"STOMP Frames"): a command line, header lines, a blank
 * line, a body and a NUL. This module owns the in-memory shape; decoder.ts and
 * encoder.ts own the bytes.
 *
 * Headers are a Map: STOMP 1.2 §"Repeated Header Entries" keeps only the first
 * occurrence, which the decoder enforces by never overwriting an entry. A Map
 * (rather than an object) keeps header names such as `__proto__` harmless.
 */
export const StompCommand = {
  // client frames
  Connect: 'CONNECT',
  Stomp: 'STOMP',
  Send: 'SEND',
  Subscribe: 'SUBSCRIBE',
  Unsubscribe: 'UNSUBSCRIBE',
  Ack: 'ACK',
  Nack: 'NACK',
  Begin: 'BEGIN',
  Commit: 'COMMIT',
  Abort: 'ABORT',
  Disconnect: 'DISCONNECT',
  // server frames
  Connected: 'CONNECTED',
  Message: 'MESSAGE',
  Receipt: 'RECEIPT',
  Error: 'ERROR',
} as const;
export type StompCommand = (typeof StompCommand)[keyof typeof StompCommand];

export const StompHeader = {
  AcceptVersion: 'accept-version',
  Version: 'version',
  Host: 'host',
  Login: 'login',
  Passcode: 'passcode',
  HeartBeat: 'heart-beat',
  Session: 'session',
  Server: 'server',
  ClientId: 'client-id',
  Destination: 'destination',
  ContentLength: 'content-length',
  ContentType: 'content-type',
  Receipt: 'receipt',
  ReceiptId: 'receipt-id',
  Id: 'id',
  Ack: 'ack',
  Subscription: 'subscription',
  MessageId: 'message-id',
  Transaction: 'transaction',
  Message: 'message',
  // extensions (ActiveMQ / RabbitMQ / JMS) that the adapter honours
  Selector: 'selector',
  PrefetchCount: 'prefetch-count',
  ActivemqPrefetchSize: 'activemq.prefetchSize',
  DurableSubscriptionName: 'durable-subscription-name',
  ActivemqSubscriptionName: 'activemq.subscriptionName',
  Persistent: 'persistent',
  Priority: 'priority',
  Expires: 'expires',
  ReplyTo: 'reply-to',
  CorrelationId: 'correlation-id',
  Type: 'type',
  JmsxGroupId: 'JMSXGroupID',
  Redelivered: 'redelivered',
  DeliveryCount: 'delivery-count',
  Timestamp: 'timestamp',
  Keys: 'keys',
  DeliverAt: 'deliverAt',
  AmqScheduledDelay: 'AMQ_SCHEDULED_DELAY',
} as const;
export type StompHeader = (typeof StompHeader)[keyof typeof StompHeader];

/** Protocol versions the adapter speaks, newest last. */
export const StompVersion = { V1_0: '1.0', V1_1: '1.1', V1_2: '1.2' } as const;
export type StompVersion = (typeof StompVersion)[keyof typeof StompVersion];
export const SUPPORTED_VERSIONS: readonly StompVersion[] = ['1.0', '1.1', '1.2'];

export interface StompFrame {
  command: string;
  headers: Map<string, string>;
  body: Buffer;
}

const EMPTY_BODY = Buffer.alloc(0);

/** Builds a frame from a plain header record (undefined values are skipped). */
export function makeFrame(
  command: string,
  headers: Record<string, string | number | undefined> = {},
  body: Buffer | string = EMPTY_BODY,
): StompFrame {
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) map.set(name, String(value));
  }
  return { command, headers: map, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
}
