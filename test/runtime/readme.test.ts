import { readFileSync } from 'node:fs';
import { CONFIG_KEYS } from '../../src/runtime/config-keys.js';
import { replaceConfigTable, renderConfigTable, TABLE_END, TABLE_START } from '../../src/runtime/config-doc.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README configuration table', () => {
  test('is the one generated from the config schema (run `npm run docs:config` when this fails)', () => {
    expect(replaceConfigTable(readme)).toBe(readme);
  });

  test('has one row per config key with its flag, environment variable and default', () => {
    const table = renderConfigTable();
    expect(table.split('\n')).toHaveLength(CONFIG_KEYS.length + 2);
    expect(table).toContain('| `mqtt.port` | `--mqtt-port` | `ROCKETGATE_MQTT_PORT` | `1883` |');
    expect(table).toContain('| `autoCreateTopics` | `--auto-create-topics, --no-auto-create-topics` | `ROCKETGATE_AUTO_CREATE_TOPICS` | `true` |');
    expect(table).toContain('| `users` | `--users` | `ROCKETGATE_USERS` | `[]` |');
  });

  test('a README without the markers is an error, not a silent no-op', () => {
    expect(() => replaceConfigTable('# nothing here')).toThrow(TABLE_START);
    expect(readme.indexOf(TABLE_START)).toBeLessThan(readme.indexOf(TABLE_END));
  });
});
