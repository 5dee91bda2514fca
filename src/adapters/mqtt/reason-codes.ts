/**
 * MQTT 5.0 reason codes (spec §2.4) and their MQTT 3.1.1 equivalents, written as a
 * const object + union like the kernel's statuses. v3.1.1 has only CONNACK return
 * codes (0..5) and the SUBACK failure 0x80; everything else closes the connection.
 */
export const ReasonCode = {
  Success: 0x00,
  GrantedQoS1: 0x01,
  GrantedQoS2: 0x02,
  DisconnectWithWill: 0x04,
  NoMatchingSubscribers: 0x10,
  NoSubscriptionExisted: 0x11,
  UnspecifiedError: 0x80,
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  ImplementationSpecificError: 0x83,
  UnsupportedProtocolVersion: 0x84,
  ClientIdentifierNotValid: 0x85,
  BadUserNameOrPassword: 0x86,
  NotAuthorized: 0x87,
  ServerUnavailable: 0x88,
  ServerBusy: 0x89,
  ServerShuttingDown: 0x8b,
  BadAuthenticationMethod: 0x8c,
  KeepAliveTimeout: 0x8d,
  SessionTakenOver: 0x8e,
  TopicFilterInvalid: 0x8f,
  TopicNameInvalid: 0x90,
  PacketIdentifierInUse: 0x91,
  PacketIdentifierNotFound: 0x92,
  ReceiveMaximumExceeded: 0x93,
  TopicAliasInvalid: 0x94,
  PacketTooLarge: 0x95,
  QuotaExceeded: 0x97,
  AdministrativeAction: 0x98,
  PayloadFormatInvalid: 0x99,
  QoSNotSupported: 0x9b,
} as const;
export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode];

/** MQTT 3.1.1 CONNACK return codes (§3.2.2.3). */
export const ConnackReturnCode = {
  Accepted: 0,
  UnacceptableProtocolVersion: 1,
  IdentifierRejected: 2,
  ServerUnavailable: 3,
  BadUserNameOrPassword: 4,
  NotAuthorized: 5,
} as const;
export type ConnackReturnCode = (typeof ConnackReturnCode)[keyof typeof ConnackReturnCode];

/** v3.1.1 SUBACK failure return code [MQTT-3.9.3-2]. */
export const SUBACK_FAILURE_V3 = 0x80;

export function isFailure(code: number): boolean {
  return code >= 0x80;
}

/** the v3.1.1 CONNACK return code closest to a v5 CONNACK reason code */
export function connackReturnCodeV3(code: ReasonCode): ConnackReturnCode {
  switch (code) {
    case ReasonCode.Success: return ConnackReturnCode.Accepted;
    case ReasonCode.UnsupportedProtocolVersion: return ConnackReturnCode.UnacceptableProtocolVersion;
    case ReasonCode.ClientIdentifierNotValid: return ConnackReturnCode.IdentifierRejected;
    case ReasonCode.BadUserNameOrPassword: return ConnackReturnCode.BadUserNameOrPassword;
    case ReasonCode.NotAuthorized: return ConnackReturnCode.NotAuthorized;
    default: return ConnackReturnCode.ServerUnavailable;
  }
}
