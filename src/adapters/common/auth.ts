/**
 * Authentication and per-topic ACLs, shared by every protocol so a user has the same
 * rights over MQTT, STOMP and HTTP. The runtime builds the implementation from config
 * (user-auth.ts); `openAuthenticator` allows everything (the embedded default without users).
 */
export interface Principal {
  username: string;
  /** may read the admin API but change nothing */
  readOnly: boolean;
  admin: boolean;
}

export type TopicAction = 'publish' | 'subscribe';

export interface Authenticator {
  /** true when anonymous clients are refused */
  readonly required: boolean;
  /** undefined when the credentials are wrong (or missing while required) */
  authenticate(username: string | undefined, password: string | undefined): Principal | undefined;
  /** HTTP bearer tokens */
  authenticateToken(token: string | undefined): Principal | undefined;
  /** `topic` is the kernel topic; `path` the full protocol path when there is one */
  authorize(principal: Principal | undefined, action: TopicAction, topic: string, path?: string): boolean;
}

export const ANONYMOUS: Principal = { username: 'anonymous', readOnly: false, admin: true };

export const openAuthenticator: Authenticator = {
  required: false,
  authenticate: (username) => (username ? { username, readOnly: false, admin: true } : ANONYMOUS),
  authenticateToken: () => ANONYMOUS,
  authorize: () => true,
};
