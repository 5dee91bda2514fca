/**
 * The MQTT adapter's failure catalogue (STYLE §10): kernel failures become PUBACK /
 * PUBREC reason codes; protocol violations become an MqttProtocolError that closes
 * the connection (v5 with a DISCONNECT carrying its reason code).
 */
import { isKernelError, KernelErrorCode } from '../../kernel/index.js';
import { ReasonCode } from './reason-codes.js';

/** a violation after which the connection is closed (v5: DISCONNECT with `reasonCode` first) */
export class MqttProtocolError extends Error {
  constructor(readonly reasonCode: ReasonCode, message: string) {
    super(message);
    this.name = 'MqttProtocolError';
  }
}

/** an expected refusal of one PUBLISH: v5 answers with `reasonCode`, v3.1.1 closes [MQTT-3.3.5-2] */
export class PublishRefused extends Error {
  constructor(readonly reasonCode: ReasonCode, message: string) {
    super(message);
    this.name = 'PublishRefused';
  }
}

/** PUBACK / PUBREC reason code for a failed kernel send (§3.4.2.1 allows only these) */
export function publishReasonFor(err: unknown): { reasonCode: ReasonCode; reason: string } {
  if (err instanceof PublishRefused) return { reasonCode: err.reasonCode, reason: err.message };
  const reason = err instanceof Error ? err.message : String(err);
  if (!isKernelError(err)) return { reasonCode: ReasonCode.UnspecifiedError, reason };
  switch (err.code) {
    case KernelErrorCode.InvalidTopic:
    case KernelErrorCode.TopicNotFound:
      return { reasonCode: ReasonCode.TopicNameInvalid, reason };
    case KernelErrorCode.Forbidden:
      return { reasonCode: ReasonCode.NotAuthorized, reason };
    case KernelErrorCode.StoreFull:
      return { reasonCode: ReasonCode.QuotaExceeded, reason };
    case KernelErrorCode.MessageTooLarge:
    case KernelErrorCode.InvalidMessage:
    case KernelErrorCode.InvalidProperty:
    case KernelErrorCode.InvalidArgument:
      return { reasonCode: ReasonCode.ImplementationSpecificError, reason };
    default:
      return { reasonCode: ReasonCode.UnspecifiedError, reason };
  }
}
