/**
 * The inbound QoS 2 crash window, with a real server process killed by SIGKILL: the
 * server journals the packet id with the message's uniqueId BEFORE storing it, so
 * wherever it dies before PUBREC, the client's DUP retransmission after the restart is
 * stored exactly once. The test hook RG_TEST_MQTT_QOS2_STALL
 * (src/adapters/mqtt/crash-points.ts) holds the PUBLISH at the chosen point, where the
 * process is killed:
 * - `stored`: journaled and stored, no PUBREC yet → the retransmission is found, not stored again;
 * - `journaled`: journaled, not stored → the retransmission is stored, once.
 */
import type { Packet } from 'mqtt-packet';
import { waitFor } from '../../helpers/kernel.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { startServerProcess, type ServerProcess } from '../../product/helpers/server-process.js';
import { rawConnect } from './raw-client.js';

let temp: ReturnType<typeof makeTempDir>;
const processes: ServerProcess[] = [];

beforeEach(() => {
  temp = makeTempDir('rocketgate-qos2-crash-');
});
afterEach(async () => {
  for (const p of processes.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) await p.kill();
  temp.cleanup();
});

function start(env: Record<string, string> = {}): Promise<ServerProcess> {
  const args = ['--data-dir', temp.dir, '--host', '127.0.0.1', '--http-port', '0', '--mqtt-port', '0', '--mqtt-ws-port', 'off',
    '--stomp-port', '0', '--stomp-ws-port', 'off', '--rocketmq-port', '0', '--log-level', 'error'];
  return startServerProcess(args, { env }).then((p) => {
    processes.push(p);
    return p;
  });
}

/** messages stored in the kernel topic, read over the HTTP admin API (0 when the topic does not exist) */
async function storedCount(server: ServerProcess, topic: string): Promise<number> {
  const res = await fetch(new URL(`/v1/topics/${topic}`, server.url('http')));
  if (res.status === 404) return 0;
  const stats = (await res.json()) as { messageCount: number };
  return stats.messageCount;
}

const reasonOf = (p: Packet): number => (p as { reasonCode?: number }).reasonCode ?? 0;

describe.each([
  ['stored', 1],
  ['journaled', 0],
] as const)('killed after the QoS 2 PUBLISH was %s', (point, storedBeforeKill) => {
  test.each([4, 5] as const)('MQTT %s: the DUP retransmission after the restart is stored exactly once', async (version) => {
    const topic = `qcrash${point}${version}`;
    const clientId = `crash-${point}-${version}`;
    const first = await start({ RG_TEST_MQTT_QOS2_STALL: point });
    const { c } = await rawConnect(Number(first.url('mqtt').port), clientId, version);
    const publish = { cmd: 'publish', topic: `${topic}/a`, payload: Buffer.from('exactly once'), qos: 2, retain: false, dup: false, messageId: 7 } as const;
    c.send(publish);
    await waitFor(() => first.stdout().includes(`QoS 2 PUBLISH stalled after ${point}`), 10_000, `the server held at ${point}`);
    expect(await storedCount(first, topic)).toBe(storedBeforeKill);
    expect(c.received.filter((p) => p.cmd === 'pubrec')).toEqual([]);
    await first.kill();
    await c.closed;

    const second = await start();
    const { c: again, connack } = await rawConnect(Number(second.url('mqtt').port), clientId, version);
    expect(connack).toMatchObject({ sessionPresent: true });
    again.send({ ...publish, dup: true });
    const pubrec = await again.next('pubrec');
    expect(pubrec).toMatchObject({ messageId: 7 });
    expect(reasonOf(pubrec)).toBe(0);
    again.send({ cmd: 'pubrel', messageId: 7 });
    expect(reasonOf(await again.next('pubcomp'))).toBe(0); // not 0x92: the id was journaled
    expect(await storedCount(second, topic)).toBe(1);

    // released: the same id starts a new message
    again.send({ ...publish, payload: Buffer.from('next') });
    expect(reasonOf(await again.next('pubrec'))).toBe(0);
    expect(await storedCount(second, topic)).toBe(2);
    again.destroy();
  }, 60_000);
});
