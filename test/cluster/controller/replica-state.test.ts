import { ControllerResponseCode } from '../../../src/cluster/controller/controller-codes.js';
import { ControllerError, ReplicaState, type HeartbeatInput } from '../../../src/cluster/controller/replica-state.js';

const beat = (brokerId: number, epoch = 0, maxOffset = 0): HeartbeatInput => ({
  clusterName: 'c', brokerName: 'a', brokerId, address: `127.0.0.1:${1000 + brokerId}`, haAddress: `127.0.0.1:${2000 + brokerId}`, epoch, maxOffset,
});

function refused(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ControllerError) return err.code;
    throw err;
  }
  return undefined;
}

describe('ReplicaState', () => {
  test('the first live replica becomes master at epoch 1 with itself in sync', () => {
    const s = new ReplicaState({ brokerTimeoutMs: 1_000, leaseMs: 600 });
    s.heartbeat(beat(1), 0);
    expect(s.electIfNeeded('a', 0)).toEqual({ brokerName: 'a', previousMasterId: null, masterId: 1, masterEpoch: 1 });
    s.heartbeat(beat(2), 0);
    expect(s.electIfNeeded('a', 10)).toBeUndefined();
    const info = s.replicaInfo('a');
    expect(info).toMatchObject({ masterId: 1, masterAddress: '127.0.0.1:1001', masterHaAddress: '127.0.0.1:2001', masterEpoch: 1, syncStateSet: [1], syncStateSetEpoch: 1, leaseMs: 600 });
  });

  test('the in-sync set changes only from the current master at both current epochs', () => {
    const s = new ReplicaState({ brokerTimeoutMs: 1_000, leaseMs: 600 });
    s.heartbeat(beat(1), 0);
    s.electIfNeeded('a', 0);
    s.heartbeat(beat(2), 0);
    expect(refused(() => s.alterSyncStateSet('a', 2, 1, 1, [1, 2]))).toBe(ControllerResponseCode.CONTROLLER_FENCED_MASTER_EPOCH);
    expect(refused(() => s.alterSyncStateSet('a', 1, 0, 1, [1, 2]))).toBe(ControllerResponseCode.CONTROLLER_FENCED_MASTER_EPOCH);
    expect(refused(() => s.alterSyncStateSet('a', 1, 1, 0, [1, 2]))).toBe(ControllerResponseCode.CONTROLLER_FENCED_SYNC_STATE_SET_EPOCH);
    expect(refused(() => s.alterSyncStateSet('a', 1, 1, 1, [2]))).toBe(ControllerResponseCode.CONTROLLER_INVALID_REPLICAS);
    expect(refused(() => s.alterSyncStateSet('a', 1, 1, 1, [1, 7]))).toBe(ControllerResponseCode.CONTROLLER_INVALID_REPLICAS);
    expect(s.alterSyncStateSet('a', 1, 1, 1, [2, 1])).toMatchObject({ syncStateSet: [1, 2], syncStateSetEpoch: 2 });
    // the same request again is stale now
    expect(refused(() => s.alterSyncStateSet('a', 1, 1, 1, [1, 2]))).toBe(ControllerResponseCode.CONTROLLER_FENCED_SYNC_STATE_SET_EPOCH);
  });

  test('a dead master is replaced by the in-sync replica with the highest (epoch, offset), never by one outside the set', () => {
    const s = new ReplicaState({ brokerTimeoutMs: 1_000, leaseMs: 600 });
    for (const id of [1, 2, 3]) s.heartbeat(beat(id), 0);
    s.electIfNeeded('a', 0);
    s.alterSyncStateSet('a', 1, 1, 1, [1, 2, 3]);
    s.heartbeat(beat(2, 1, 500), 900);
    s.heartbeat(beat(3, 1, 700), 900);
    expect(s.electIfNeeded('a', 1_200)).toEqual({ brokerName: 'a', previousMasterId: 1, masterId: 3, masterEpoch: 2 });
    expect(s.replicaInfo('a')).toMatchObject({ masterId: 3, syncStateSet: [3], syncStateSetEpoch: 3 });
    // 3 dies too; 2 is alive but no longer in sync: no clean candidate, the group has no master
    s.heartbeat(beat(2, 1, 500), 2_000);
    expect(s.electIfNeeded('a', 2_100)).toEqual({ brokerName: 'a', previousMasterId: 3, masterId: null, masterEpoch: 2 });
    expect(s.electIfNeeded('a', 2_200)).toBeUndefined();
    // 3 returns: it is in the set, elected again at a new epoch
    s.heartbeat(beat(3, 2, 900), 2_300);
    expect(s.electIfNeeded('a', 2_300)).toMatchObject({ masterId: 3, masterEpoch: 3 });
  });

  test('unclean election, when enabled, takes a live replica outside the in-sync set', () => {
    const s = new ReplicaState({ brokerTimeoutMs: 1_000, leaseMs: 600, uncleanElection: true });
    s.heartbeat(beat(1), 0);
    s.electIfNeeded('a', 0);
    s.heartbeat(beat(2), 500);
    expect(s.electIfNeeded('a', 1_100)).toMatchObject({ masterId: 2, masterEpoch: 2 });
  });

  test('a restored state keeps epochs and counts every replica alive from the restart', () => {
    const s = new ReplicaState({ brokerTimeoutMs: 1_000, leaseMs: 600 });
    s.heartbeat(beat(1), 0);
    s.electIfNeeded('a', 0);
    const restored = new ReplicaState({ brokerTimeoutMs: 1_000, leaseMs: 600 }, s.snapshot(), 5_000);
    expect(restored.electIfNeeded('a', 5_500)).toBeUndefined();
    expect(restored.replicaInfo('a')).toMatchObject({ masterId: 1, masterEpoch: 1 });
    expect(restored.electIfNeeded('a', 6_100)).toMatchObject({ masterId: null });
  });
});
