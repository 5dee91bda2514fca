/**
 * A broker's calls to its controller(s) (controller-codes.ts). With several controller
 * addresses the first that answers is used, and the next call starts there.
 */
import { jsonBody, parseJsonObject } from '../protocol/fastjson.js';
import { createRequest } from '../remoting/command.js';
import type { RemotingClient } from '../remoting/remoting-client.js';
import { ControllerRequestCode } from './controller-codes.js';
import type { HeartbeatInput, ReplicaInfo } from './replica-state.js';

export class ControllerCallError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export class ControllerClient {
  private preferred = 0;

  constructor(private readonly client: RemotingClient, private readonly addresses: string[], private readonly timeoutMs: number) {
    if (addresses.length === 0) throw new Error('controller mode needs at least one controller address');
  }

  heartbeat(h: HeartbeatInput): Promise<ReplicaInfo> {
    return this.call(ControllerRequestCode.BROKER_HEARTBEAT, {
      clusterName: h.clusterName, brokerName: h.brokerName, brokerId: h.brokerId, brokerAddr: h.address, haServerAddr: h.haAddress,
      epoch: h.epoch, maxOffset: h.maxOffset,
    }, jsonBody({ epochEntries: h.epochEntries ?? [], ...(h.configVersion !== undefined ? { configVersion: h.configVersion } : {}) }));
  }

  alterSyncStateSet(brokerName: string, masterId: number, masterEpoch: number, syncStateSetEpoch: number, set: number[]): Promise<ReplicaInfo> {
    return this.call(ControllerRequestCode.CONTROLLER_ALTER_SYNC_STATE_SET, { brokerName, masterId, masterEpoch, syncStateSetEpoch }, jsonBody({ syncStateSet: set }));
  }

  replicaInfo(brokerName: string): Promise<ReplicaInfo> {
    return this.call(ControllerRequestCode.CONTROLLER_GET_REPLICA_INFO, { brokerName });
  }

  private async call(code: number, header: Record<string, string | number>, body?: Buffer): Promise<ReplicaInfo> {
    let last: Error | undefined;
    for (let i = 0; i < this.addresses.length; i++) {
      const at = (this.preferred + i) % this.addresses.length;
      try {
        const r = await this.client.invoke(this.addresses[at]!, createRequest({ code, header, body }), this.timeoutMs);
        this.preferred = at;
        if (r.code !== 0) throw new ControllerCallError(r.code, `controller ${this.addresses[at]}: ${r.code} ${r.remark ?? ''}`);
        return parseJsonObject(r.body, 'ReplicaInfo') as unknown as ReplicaInfo;
      } catch (err) {
        if (err instanceof ControllerCallError) throw err;
        last = err as Error;
      }
    }
    throw last ?? new Error('no controller answered');
  }
}
