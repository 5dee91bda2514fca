/**
 * `persistent: false` (JMS NON_PERSISTENT: no durability guarantee): in `--flush sync`
 * mode the SEND is answered once the message is written, without waiting for the
 * fdatasync (the kernel's WAIT=false, RocketMQ's waitStoreMsgOK); a persistent SEND
 * still waits for it. The commit log's fdatasync is held on a gate to tell them apart.
 */
import { FlushMode } from '../../../src/kernel/index.js';
import { RawStompClient, startStompServer, type StompServer } from './helpers/server.js';

let server: StompServer;
let client: RawStompClient;
let releaseSync: () => void = () => undefined;
let originalFlush: () => Promise<void>;
let log: { flush(): Promise<void> };

beforeAll(async () => {
  server = await startStompServer({ kernelOptions: { flushMode: FlushMode.Sync } });
  // the store's commit log (message-store.ts Parts.log): every sync-mode batch awaits its flush
  log = (server.kernel.kernel.broker.store as unknown as { p: { log: { flush(): Promise<void> } } }).p.log;
  originalFlush = log.flush.bind(log);
  // one queue: delivery order is send order
  await server.kernel.client.admin.createTopic({ topic: 'nonpersistent', queueCount: 1 });
  client = await RawStompClient.open(server.port);
});

afterAll(async () => {
  log.flush = originalFlush;
  releaseSync();
  await client.disconnect();
  await server.close();
});

function holdSyncs(): void {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  log.flush = async () => {
    await gate;
    return originalFlush();
  };
  releaseSync = () => {
    log.flush = originalFlush;
    open();
  };
}

test('persistent:false is acknowledged while the fdatasync is still pending; persistent:true waits for it', async () => {
  holdSyncs();
  await client.request('SEND', { destination: '/queue/nonpersistent', persistent: 'false' }, 'fast');
  client.frame('SEND', { destination: '/queue/nonpersistent', persistent: 'true', receipt: 'durable' }, 'safe');
  // a later non-persistent SEND queues behind the held batch: it proves the server handled the durable one
  client.frame('SEND', { destination: '/queue/nonpersistent', persistent: 'false', receipt: 'after' }, 'x');
  expect(await client.quiet(300)).toBe(true);
  releaseSync();
  const receipts = await client.take(2);
  expect(receipts.map((f) => f.headers.get('receipt-id'))).toEqual(['durable', 'after']);
  // both kinds are stored and delivered alike, the header kept as a property
  const sub = await RawStompClient.open(server.port);
  await sub.request('SUBSCRIBE', { id: 's', destination: '/queue/nonpersistent' });
  const frames = await sub.take(3);
  expect(frames.map((f) => [f.body.toString(), f.headers.get('persistent')])).toEqual([['fast', 'false'], ['safe', 'true'], ['x', 'false']]);
  await sub.disconnect();
});
