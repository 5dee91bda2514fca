/**
 * Controller mode, the high-water mark: a consumer of the master reads only what every
 * in-sync replica holds. With the slave paused (SIGSTOP; it stays in the in-sync set for
 * the long lag allowance), sends are stored on the master but not acknowledged by the
 * slave: a pull answers "no new message" at their offsets, and a long poll parked there
 * is answered with them once the slave, continued, acknowledged them. A pop (which the
 * mark cannot cap) that takes them is answered only then too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequest, type RemotingCommand } from '../../../src/cluster/remoting/command.js';
import type { PopMeta } from '../../../src/cluster/broker-server/kernel-pop-processor.js';
import { decodeEnvelope, decodeStoredRecords, jsonBody } from '../../../src/cluster/protocol/kernel-bodies.js';
import { RemotingClient } from '../../../src/cluster/remoting/remoting-client.js';
import { KernelRequestCode, RequestCode, ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import { TcpTransport } from '../../../src/cluster/remoting/tcp-transport.js';
import { waitFor } from '../../helpers/kernel.js';
import { decodeRecords } from '../helpers/broker-fixture.js';
import { ProcessGroup } from '../helpers/processes.js';
import { maxOffset, sendDirect, startControlledPair } from './controller-cluster.js';

const TOPIC = 'hwm';

function pull(client: RemotingClient, addr: string, queueOffset: number, suspendMs = 0): Promise<RemotingCommand> {
  return client.invoke(addr, createRequest({
    code: RequestCode.PULL_MESSAGE,
    header: { consumerGroup: 'hwm-reader', topic: TOPIC, queueId: 0, queueOffset, maxMsgNums: 32, sysFlag: suspendMs > 0 ? 0x6 : 0x4, commitOffset: 0, suspendTimeoutMillis: suspendMs, subscription: '*', subVersion: 0 },
  }), suspendMs + 5_000);
}

const ids = (r: RemotingCommand): string[] => decodeRecords(r.body).map((rec) => rec.body.toString());

/** one KERNEL_POP of queue 0's topic on the master: the popped bodies */
async function pop(client: RemotingClient, addr: string): Promise<string[]> {
  const r = await client.invoke(addr, createRequest({
    code: KernelRequestCode.KERNEL_POP, body: jsonBody({ group: 'hwm-pop', topic: TOPIC, maxMessages: 32, invisibleMs: 60_000, waitMs: 0 }),
  }), 30_000);
  if (r.code !== ResponseCode.SUCCESS) throw new Error(`pop: ${r.code} ${r.remark ?? ''}`);
  const { meta, records } = decodeEnvelope<PopMeta>(r.body);
  expect(meta.messages.length).toBe(decodeStoredRecords(records).length);
  return decodeStoredRecords(records).map((m) => m.body.toString());
}


test('a consumer of the master gets a message only once every in-sync replica holds it', async () => {
  const procs = new ProcessGroup();
  const dir = mkdtempSync(path.join(tmpdir(), 'rocketgate-ctl-'));
  const client = new RemotingClient(new TcpTransport(), { requestTimeoutMs: 5_000 });
  try {
    // long sync timeout and lag allowance: the paused slave stays in the in-sync set while the test acts
    const { b1, b2 } = await startControlledPair(procs, dir, client, ['--cluster-sync-timeout-ms', '30000', '--cluster-ha-housekeeping-ms', '30000']);
    const acked: string[] = [];
    for (let i = 0; acked.length < 5; i++) if ((await sendDirect(client, b1.address, TOPIC, `acked-${i}`)).code === ResponseCode.SUCCESS) acked.push(`acked-${i}`);
    const before = await maxOffset(client, b1.address, TOPIC);
    await pop(client, b1.address); // the pop group starts here (consume from its creation)
    const first = await pull(client, b1.address, 0);
    expect(first.code).toBe(ResponseCode.SUCCESS);
    for (const id of acked) expect(ids(first)).toContain(id);

    b2.proc.signal('SIGSTOP');
    const pending = Array.from({ length: 3 }, (_, i) => sendDirect(client, b1.address, TOPIC, `pending-${i}`));
    await waitFor(async () => (await maxOffset(client, b1.address, TOPIC)) >= before + 3, 10_000, 'the sends stored on the master');

    const held = await pull(client, b1.address, before);
    expect(held.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(ids(held)).toEqual([]);
    expect(Number(held.extFields.maxOffset)).toBe(before);
    let settled = false;
    const longPoll = pull(client, b1.address, before, 20_000).finally(() => (settled = true));
    let popped = false;
    const popping = pop(client, b1.address).finally(() => (popped = true));
    // a second plain pull after the long poll parked: still nothing (the slave has acknowledged nothing)
    expect((await pull(client, b1.address, before)).code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(settled).toBe(false);
    // a second pop of the group finds nothing: the first one holds the messages (in flight), yet has not answered
    expect(await pop(client, b1.address)).toEqual([]);
    expect(popped).toBe(false);

    b2.proc.signal('SIGCONT');
    const woken = await longPoll;
    expect(woken.code).toBe(ResponseCode.SUCCESS);
    expect((await popping).sort()).toEqual(['pending-0', 'pending-1', 'pending-2']);
    await waitFor(async () => {
      const r = await pull(client, b1.address, before);
      return ['pending-0', 'pending-1', 'pending-2'].every((id) => ids(r).includes(id));
    }, 10_000, 'the acknowledged messages delivered');
    expect((await Promise.all(pending)).map((a) => a.code)).toEqual([ResponseCode.SUCCESS, ResponseCode.SUCCESS, ResponseCode.SUCCESS]);
  } finally {
    await client.close();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
