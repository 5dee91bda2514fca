/**
 * Rules that span several config keys (JSON Schema checks one key at a time).
 * Each issue names the keys involved and where their values came from.
 */
import type { Config, TlsConfig } from './config-schema.js';
import type { ConfigSources } from './config.js';

function from(sources: ConfigSources, key: string): string {
  const entry = sources[key];
  return entry ? (entry.origin ?? entry.source) : 'default';
}

function tlsIssue(section: string, tls: TlsConfig, sources: ConfigSources): string | undefined {
  if ((tls.certFile === null) === (tls.keyFile === null)) return undefined;
  const set = tls.certFile === null ? 'keyFile' : 'certFile';
  return `${section}.tls.${set} (${from(sources, `${section}.tls.${set}`)}) is set without ${section}.tls.${set === 'certFile' ? 'keyFile' : 'certFile'}: TLS needs both`;
}

/** the TCP ports this config would listen on, by config key */
export function listenerPorts(config: Config): Array<{ key: string; port: number }> {
  const out: Array<{ key: string; port: number }> = [];
  const add = (key: string, port: number | null, enabled: boolean): void => {
    if (enabled && port !== null) out.push({ key, port });
  };
  add('mqtt.port', config.mqtt.port, config.mqtt.enabled);
  add('mqtt.wsPort', config.mqtt.wsPort, config.mqtt.enabled);
  add('stomp.port', config.stomp.port, config.stomp.enabled);
  add('stomp.wsPort', config.stomp.wsPort, config.stomp.enabled);
  add('http.port', config.http.port, config.http.enabled);
  return out;
}

export function crossFieldIssues(config: Config, sources: ConfigSources): string[] {
  const issues: string[] = [];
  for (const section of ['mqtt', 'stomp', 'http'] as const) {
    const issue = tlsIssue(section, config[section].tls, sources);
    if (issue) issues.push(issue);
  }

  if (!config.allowAnonymous && config.users.length === 0) {
    issues.push(`allowAnonymous is false (${from(sources, 'allowAnonymous')}) but no users are configured: nobody could connect; add users or allow anonymous clients`);
  }
  const seenUsers = new Set<string>();
  const seenTokens = new Set<string>();
  config.users.forEach((user, i) => {
    if (seenUsers.has(user.username)) issues.push(`users[${i}].username: "${user.username}" appears twice`);
    seenUsers.add(user.username);
    for (const token of user.tokens) {
      if (seenTokens.has(token)) issues.push(`users[${i}].tokens: a token is given to more than one user`);
      seenTokens.add(token);
    }
  });

  const byPort = new Map<number, string>();
  for (const { key, port } of listenerPorts(config)) {
    if (port === 0) continue;
    const other = byPort.get(port);
    if (other) issues.push(`${key} (${from(sources, key)}) and ${other} (${from(sources, other)}) both use port ${port}`);
    else byPort.set(port, key);
  }

  if (config.segmentSize <= config.maxMessageSize) {
    issues.push(`segmentSize ${config.segmentSize} (${from(sources, 'segmentSize')}) must be larger than maxMessageSize ${config.maxMessageSize} (${from(sources, 'maxMessageSize')}): a message must fit in one commit log segment`);
  }
  return issues;
}
