import { CONFIG_KEYS, coerce, CONFIG_KEY_BY_KEY } from '../../src/runtime/config-keys.js';
import { ConfigError, defaultConfig, publicSources, resolveConfig, type ConfigInput } from '../../src/runtime/config.js';
import { hashPassword } from '../../src/adapters/common/user-auth.js';

function issuesOf(input: ConfigInput): string[] {
  try {
    resolveConfig(input);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config defaults', () => {
  test('every key has its documented default and source "default"', () => {
    const { config, sources } = resolveConfig({});
    expect(config).toMatchObject({
      dataDir: './data', flush: 'async', maxMessageSize: 4 * 1024 * 1024, defaultQueueCount: 8,
      autoCreateTopics: true, fileReservedHours: 72, host: '0.0.0.0', nameserverPort: 9876, brokerPort: 10911,
      allowAnonymous: true, users: [], log: { level: 'warn' },
      mqtt: { enabled: true, port: 1883, wsPort: 8083, tls: { certFile: null, keyFile: null } },
      stomp: { enabled: true, port: 61613, wsPort: 61614, heartBeatMs: [10000, 10000], maxConnections: null, tls: { certFile: null, keyFile: null, caFile: null } },
      http: { enabled: true, port: 8080 },
    });
    expect(Object.keys(sources)).toEqual(CONFIG_KEYS.map((k) => k.key));
    for (const entry of Object.values(sources)) expect(entry.source).toBe('default');
  });

  test('defaultConfig() returns fresh objects', () => {
    const a = defaultConfig();
    a.mqtt.port = 1;
    a.anonymousAcl.push({ pattern: 'x', actions: ['publish'] });
    expect(defaultConfig().mqtt.port).toBe(1883);
    expect(defaultConfig().anonymousAcl).toHaveLength(1);
  });

  test('every key has a description, and env and flag names are unique', () => {
    for (const key of CONFIG_KEYS) expect(key.description.length).toBeGreaterThan(3);
    expect(new Set(CONFIG_KEYS.map((k) => k.env)).size).toBe(CONFIG_KEYS.length);
    expect(new Set(CONFIG_KEYS.map((k) => k.flag)).size).toBe(CONFIG_KEYS.length);
    expect(CONFIG_KEY_BY_KEY.get('mqtt.wsPort')).toMatchObject({ env: 'ROCKETGATE_MQTT_WS_PORT', flag: 'mqtt-ws-port' });
    expect(CONFIG_KEY_BY_KEY.get('log.level')).toMatchObject({ env: 'ROCKETGATE_LOG_LEVEL', flag: 'log-level' });
    expect(CONFIG_KEY_BY_KEY.get('http.tls.certFile')).toMatchObject({ env: 'ROCKETGATE_HTTP_TLS_CERT_FILE', flag: 'http-tls-cert-file' });
  });
});

describe('config precedence: flag > env > file > default', () => {
  const file = { path: 'rocketgate.yaml', text: 'mqtt:\n  port: 1001\nhttp:\n  port: 1002\nstomp:\n  port: 1003\n' };

  test('each layer overrides the one below, and sources say which', () => {
    const { config, sources } = resolveConfig({
      file,
      env: { ROCKETGATE_HTTP_PORT: '2002', ROCKETGATE_STOMP_PORT: '2003', PATH: '/bin' },
      flags: { 'stomp-port': '3003' },
    });
    expect(config.mqtt.port).toBe(1001);
    expect(config.http.port).toBe(2002);
    expect(config.stomp.port).toBe(3003);
    expect(config.dataDir).toBe('./data');
    expect(sources['mqtt.port']).toEqual({ value: 1001, source: 'file', origin: 'file rocketgate.yaml' });
    expect(sources['http.port']).toEqual({ value: 2002, source: 'env', origin: 'env ROCKETGATE_HTTP_PORT' });
    expect(sources['stomp.port']).toEqual({ value: 3003, source: 'flag', origin: 'flag --stomp-port' });
    expect(sources.dataDir).toEqual({ value: './data', source: 'default' });
  });

  test('JSON files are parsed as JSON, anything else as YAML; an empty file is no keys', () => {
    expect(resolveConfig({ file: { path: 'c.json', text: '{"flush":"sync"}' } }).config.flush).toBe('sync');
    expect(resolveConfig({ file: { path: 'c.yml', text: 'flush: sync # comment' } }).config.flush).toBe('sync');
    expect(resolveConfig({ file: { path: 'c.yaml', text: '' } }).config.flush).toBe('async');
    expect(issuesOf({ file: { path: 'c.json', text: '{flush' } })[0]).toMatch(/^config file c\.json: cannot parse/);
    expect(issuesOf({ file: { path: 'c.yaml', text: '- a\n- b' } })[0]).toMatch(/must hold an object of config keys \(got a list\)/);
  });

  test('boolean flags (--x / --no-x), env booleans, nullable ports and lists are coerced', () => {
    const { config, sources } = resolveConfig({
      env: { ROCKETGATE_AUTO_CREATE_TOPICS: 'no', ROCKETGATE_MQTT_WS_PORT: 'off', ROCKETGATE_STOMP_HEART_BEAT_MS: '0, 5000' },
      flags: { 'allow-anonymous': true, 'http-enabled': false, 'stomp-ws-port': 'null', 'stomp-max-connections': '50' },
    });
    expect(config.autoCreateTopics).toBe(false);
    expect(config.mqtt.wsPort).toBeNull();
    expect(config.stomp.heartBeatMs).toEqual([0, 5000]);
    expect(config.http.enabled).toBe(false);
    expect(config.stomp.wsPort).toBeNull();
    expect(config.stomp.maxConnections).toBe(50);
    expect(sources['http.enabled']!.origin).toBe('flag --no-http-enabled');
  });

  test('JSON-valued keys (users, anonymousAcl) come from env and flags as JSON, with item defaults filled', () => {
    const passwordHash = hashPassword('pw', { N: 1024, r: 8, p: 1 });
    const { config } = resolveConfig({
      env: { ROCKETGATE_USERS: JSON.stringify([{ username: 'alice', passwordHash }]) },
      flags: { 'anonymous-acl': '[{"pattern":"public/#","actions":["subscribe"]}]' },
    });
    expect(config.users).toEqual([{
      username: 'alice', passwordHash, admin: false, readOnly: false, tokens: [],
      acl: [{ pattern: '#', actions: ['publish', 'subscribe'] }],
    }]);
    expect(config.anonymousAcl).toEqual([{ pattern: 'public/#', actions: ['subscribe'] }]);
  });

  test('ROCKETGATE_CONFIG names the file and is no config key', () => {
    expect(resolveConfig({ env: { ROCKETGATE_CONFIG: 'x.yaml' } }).config.dataDir).toBe('./data');
  });
});

describe('config validation names the field, its source and what is allowed', () => {
  test('unknown file keys, with a suggestion and the allowed keys of that section', () => {
    const issues = issuesOf({ file: { path: 'c.yaml', text: 'mqtt:\n  prot: 1\ndatadir: x\n' } });
    expect(issues).toContainEqual(expect.stringMatching(
      /^unknown config key "mqtt\.prot" \(file c\.yaml\); did you mean "port"\? Allowed keys of mqtt: enabled, port, wsPort, .*tls$/,
    ));
    expect(issues).toContainEqual(expect.stringMatching(/^unknown config key "datadir" \(file c\.yaml\); did you mean "dataDir"\? Allowed keys: dataDir, /));
  });

  test('unknown ROCKETGATE_* environment variables list the allowed names; other variables are ignored', () => {
    const issues = issuesOf({ env: { ROCKETGATE_MQTT_PROT: '1', HOME: '/root' } });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^unknown environment variable ROCKETGATE_MQTT_PROT; did you mean ROCKETGATE_MQTT_PORT\? Allowed variables: ROCKETGATE_CONFIG, ROCKETGATE_DATA_DIR, /);
    expect(issues[0]).toContain('ROCKETGATE_STOMP_TLS_CA_FILE');
    expect(issues[0]).not.toContain('ROCKETGATE_HTTP_TLS_CA_FILE');
  });

  test('unknown flags list the allowed flags', () => {
    const [issue] = issuesOf({ flags: { 'http-prot': '1' } });
    expect(issue).toMatch(/^unknown flag --http-prot; did you mean --http-port\? Allowed flags: --data-dir, /);
  });

  test('bad values: type, enum, range, pattern; every issue is reported at once', () => {
    const issues = issuesOf({
      file: { path: 'c.json', text: JSON.stringify({ flush: 'fast', mqtt: { port: 70000 }, users: [{ username: 'bob', passwordHash: 'plain' }] }) },
      env: { ROCKETGATE_HTTP_PORT: 'eighty', ROCKETGATE_LOG_LEVEL: 'loud', ROCKETGATE_ALLOW_ANONYMOUS: 'maybe' },
      flags: { 'stomp-heart-beat-ms': '1,x', 'default-queue-count': '0' },
    });
    expect(issues).toEqual(expect.arrayContaining([
      'flush (file c.json): must be one of: async, sync (got "fast")',
      'mqtt.port (file c.json): must be <= 65535 (got 70000)',
      'users[0].passwordHash (file c.json): must be a hash printed by `rocketgate hash-password` (scrypt$N$r$p$salt$hash)',
      'http.port (env ROCKETGATE_HTTP_PORT): expected an integer, got "eighty"',
      'log.level (env ROCKETGATE_LOG_LEVEL): must be one of: fatal, error, warn, info, debug, trace, silent (got "loud")',
      'allowAnonymous (env ROCKETGATE_ALLOW_ANONYMOUS): expected true or false, got "maybe"',
      'stomp.heartBeatMs (flag --stomp-heart-beat-ms): expected comma-separated integers (e.g. "10000,10000"), got "1,x"',
      'defaultQueueCount (flag --default-queue-count): must be >= 1 (got 0)',
    ]));
    expect(issues).toHaveLength(8);
  });

  test('a section given as a scalar is a type error, not a crash', () => {
    expect(issuesOf({ file: { path: 'c.yaml', text: 'mqtt: 5' } })).toEqual(['mqtt (file c.yaml): must be object (got 5)']);
  });

  test('users: required fields, reserved name, unknown fields', () => {
    const issues = issuesOf({ file: { path: 'c.yaml', data: { users: [{ username: 'anonymous', passwordHash: hashPassword('x', { N: 2, r: 1, p: 1 }), role: 'x' }, {}] } } });
    expect(issues).toEqual(expect.arrayContaining([
      'users[0].username (file c.yaml): must not contain ":" nor be "anonymous" (got "anonymous")',
      expect.stringMatching(/^unknown config key "users\[0\]\.role" \(file c\.yaml\); allowed keys of users\[0\]: username, passwordHash, admin, readOnly, tokens, acl$/),
      'users[1] (file c.yaml): missing required key "username"',
      'users[1] (file c.yaml): missing required key "passwordHash"',
    ]));
  });

  test('rules across keys: port clashes, half TLS, nobody allowed in, duplicate users, segment too small', () => {
    const passwordHash = hashPassword('x', { N: 2, r: 1, p: 1 });
    expect(issuesOf({ flags: { 'http-port': '1883' } })).toEqual([
      'http.port (flag --http-port) and mqtt.port (default) both use port 1883',
    ]);
    expect(resolveConfig({ flags: { 'http-port': '1883', 'mqtt-enabled': false } }).config.http.port).toBe(1883);
    expect(resolveConfig({ flags: { 'http-port': '0', 'mqtt-port': '0', 'stomp-port': '0' } }).config.http.port).toBe(0);
    expect(issuesOf({ env: { ROCKETGATE_MQTT_TLS_CERT_FILE: '/c.pem' } })).toEqual([
      'mqtt.tls.certFile (env ROCKETGATE_MQTT_TLS_CERT_FILE) is set without mqtt.tls.keyFile: TLS needs both',
    ]);
    expect(issuesOf({ flags: { 'allow-anonymous': false } })[0]).toMatch(/^allowAnonymous is false \(flag --no-allow-anonymous\) but no users are configured/);
    expect(issuesOf({ file: { path: 'c.yaml', data: { users: [{ username: 'a', passwordHash }, { username: 'a', passwordHash }] } } }))
      .toEqual(['users[1].username: "a" appears twice']);
    expect(issuesOf({ flags: { 'segment-size': '1048576', 'max-message-size': '2097152' } })[0]).toMatch(/^segmentSize 1048576 \(flag --segment-size\) must be larger than maxMessageSize/);
  });
});

describe('coerce', () => {
  const key = (k: string) => CONFIG_KEY_BY_KEY.get(k)!;
  test('integers, nullable integers, strings', () => {
    expect(coerce(key('mqtt.port'), ' 42 ')).toEqual({ ok: true, value: 42 });
    expect(coerce(key('mqtt.port'), '4.2').ok).toBe(false);
    expect(coerce(key('mqtt.port'), 'off').ok).toBe(false);
    expect(coerce(key('mqtt.wsPort'), 'off')).toEqual({ ok: true, value: null });
    expect(coerce(key('nodeId'), 'off')).toEqual({ ok: true, value: 'off' });
    expect(coerce(key('nodeId'), 'null')).toEqual({ ok: true, value: null });
    expect(coerce(key('users'), '[').ok).toBe(false);
  });
});

describe('publicSources', () => {
  test('masks password hashes and tokens', () => {
    const passwordHash = hashPassword('x', { N: 2, r: 1, p: 1 });
    const { sources } = resolveConfig({ file: { path: 'c.yaml', data: { users: [{ username: 'a', passwordHash, tokens: ['0123456789abcdef'] }] } } });
    const shown = publicSources(sources);
    expect(shown.users!.value).toEqual([expect.objectContaining({ username: 'a', passwordHash: '***', tokens: ['***'] })]);
    expect(JSON.stringify(shown)).not.toContain(passwordHash);
    expect((sources.users!.value as Array<{ passwordHash: string }>)[0]!.passwordHash).toBe(passwordHash);
  });
});
