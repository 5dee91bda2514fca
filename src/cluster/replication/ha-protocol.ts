/**
 * RocketMQ 4's HA stream (store/ha/HAService, HAConnection), shared by ha-master.ts and
 * ha-slave.ts. A plain TCP connection from the slave to the master's HA port, big-endian:
 *
 *   slave → master   8 bytes: the slave's commit log max offset (reportSlaveMaxOffset),
 *                    right after connecting, after every append, and every heartbeat
 *   master → slave   12-byte header + body:
 *                      0  8  physical offset of the body's first byte
 *                      8  4  body size (0: a heartbeat)
 *                     12  .  raw commit log bytes: whole records (and segment end markers),
 *                            exactly as the master's log holds them
 *
 * The master starts at the offset of the slave's first report; the slave appends at its
 * own end only (store.appendRaw), so a header whose offset is not the slave's end is an
 * error: the slave drops the connection and connects again (RocketMQ does the same).
 */
export const HA_REPORT_BYTES = 8;
export const HA_HEADER_BYTES = 12;
/** master → slave bytes per transfer (RocketMQ haTransferBatchSize) */
export const DEFAULT_HA_TRANSFER_BATCH_BYTES = 32 * 1024;
/** heartbeats both ways (RocketMQ haSendHeartbeatInterval) */
export const DEFAULT_HA_HEARTBEAT_MS = 5_000;
/** a connection silent this long is dropped (RocketMQ haHousekeepingInterval) */
export const DEFAULT_HA_HOUSEKEEPING_MS = 20_000;
/** a slave this far behind does not count for SYNC_MASTER (RocketMQ haMaxGapNotInSync) */
export const DEFAULT_HA_MAX_GAP_BYTES = 256 * 1024 * 1024;

export function encodeReport(offset: number): Buffer {
  const buf = Buffer.alloc(HA_REPORT_BYTES);
  buf.writeBigInt64BE(BigInt(offset), 0);
  return buf;
}

export function encodeTransferHeader(offset: number, size: number): Buffer {
  const buf = Buffer.alloc(HA_HEADER_BYTES);
  buf.writeBigInt64BE(BigInt(offset), 0);
  buf.writeInt32BE(size, 8);
  return buf;
}

/** reads an 8-byte offset at `pos` (offsets stay below 2^53) */
export function readOffset(buf: Buffer, pos: number): number {
  return Number(buf.readBigInt64BE(pos));
}
