import { InSyncWaiter, type SlaveAckSource } from '../../../src/cluster/replication/in-sync-waiter.js';
import { MasterLease, leaseClock } from '../../../src/cluster/replication/lease.js';
import { ResponseCode } from '../../../src/cluster/remoting/request-codes.js';
import type { ResponseError } from '../../../src/cluster/remoting/request-dispatcher.js';

class FakeAcks implements SlaveAckSource {
  acks: Array<{ brokerId: number | undefined; acked: number }> = [];
  private listeners: Array<(o: number) => void> = [];
  slaveAcks() {
    return this.acks;
  }
  onAck(l: (o: number) => void): void {
    this.listeners.push(l);
  }
  ack(brokerId: number, acked: number): void {
    this.acks = [...this.acks.filter((a) => a.brokerId !== brokerId), { brokerId, acked }];
    for (const l of this.listeners) l(acked);
  }
}

const code = (p: Promise<unknown>): Promise<number | string> => p.then(() => 'ok', (err: ResponseError) => err.responseCode);

describe('InSyncWaiter', () => {
  test('allAck waits for every member of the in-sync set, including a proposed one', async () => {
    const acks = new FakeAcks();
    let ackSet = [1, 2, 3];
    const w = new InSyncWaiter(acks, { selfId: 1, allAck: true, minInSyncReplicas: 1, timeoutMs: 5_000, confirmed: () => [1, 2], ackSet: () => ackSet });
    let done = false;
    const p = w.wait(100).then(() => (done = true));
    acks.ack(2, 100);
    await Promise.resolve();
    expect(done).toBe(false);
    acks.ack(3, 150);
    await p;
    ackSet = [1];
    expect(await code(w.wait(1_000))).toBe('ok');
    w.close();
  });

  test('minInSyncReplicas refuses below it and, without allAck, waits for that many copies', async () => {
    const acks = new FakeAcks();
    let confirmed = [1];
    const w = new InSyncWaiter(acks, { selfId: 1, allAck: false, minInSyncReplicas: 2, timeoutMs: 50, confirmed: () => confirmed, ackSet: () => confirmed });
    expect(await code(w.wait(10))).toBe(ResponseCode.SLAVE_NOT_AVAILABLE);
    confirmed = [1, 2];
    expect(await code(w.wait(10))).toBe(ResponseCode.FLUSH_SLAVE_TIMEOUT);
    acks.ack(2, 10);
    expect(await code(w.wait(10))).toBe('ok');
    const pending = code(w.wait(20));
    w.close();
    expect(await pending).toBe(ResponseCode.FLUSH_SLAVE_TIMEOUT);
  });
});

test('a lease holds from the heartbeat\'s sending for leaseMs, for its epoch only, and can be revoked', () => {
  const lease = new MasterLease();
  expect(lease.holds(1)).toBe(false);
  lease.renew(leaseClock(), 60_000, 1);
  expect(lease.holds(1)).toBe(true);
  expect(lease.holds(2)).toBe(false);
  lease.renew(leaseClock() - 70_000, 60_000, 2);
  expect(lease.holds(2)).toBe(false);
  lease.renew(leaseClock(), 60_000, 1); // an older epoch's answer renews nothing
  expect(lease.holds(1)).toBe(false);
  lease.renew(leaseClock(), 60_000, 2);
  expect(lease.holds(2)).toBe(true);
  lease.revoke();
  expect(lease.holds(2)).toBe(false);
});
