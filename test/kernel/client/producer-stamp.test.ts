import { KernelErrorCode, type Message } from '../../../src/kernel/index.js';
import { startTestKernel, type TestKernel } from '../../helpers/kernel.js';

describe('producer stamping and shutdown', () => {
  let k: TestKernel;
  beforeEach(async () => {
    k = await startTestKernel();
  });
  afterEach(async () => {
    await k.cleanup();
  });

  test("stamps born time and group on a copy, never on the caller's message; a stamped message goes as it is", async () => {
    const producer = k.client.createProducer({ group: 'pg' });
    const original: Message = { topic: 'st', body: Buffer.from('a') };
    const before = Date.now();
    const sent = await producer.send(original);
    expect(original).toEqual({ topic: 'st', body: Buffer.from('a') });
    const stored = await k.client.admin.viewMessage(sent.msgId);
    expect(stored?.producerGroup).toBe('pg');
    expect(stored!.bornTimestamp).toBeGreaterThanOrEqual(before);

    const preset: Message = { topic: 'st', body: Buffer.from('b'), bornTimestamp: 12345, producerGroup: 'pg' };
    const again = await producer.send(preset);
    expect((await k.client.admin.viewMessage(again.msgId))?.bornTimestamp).toBe(12345);
    await producer.shutdown();
  });

  test('shutdown waits for sends in flight; a send after it is refused', async () => {
    const producer = k.client.createProducer();
    const settled: string[] = [];
    const sends = Array.from({ length: 50 }, (_, i) => producer.send({ topic: 'sd', body: Buffer.from(String(i)) }).then(() => settled.push(String(i))));
    await producer.shutdown();
    expect(settled).toHaveLength(50);
    await Promise.all(sends);
    await expect(producer.send({ topic: 'sd', body: Buffer.from('late') })).rejects.toMatchObject({ code: KernelErrorCode.ServiceUnavailable });
    await producer.shutdown();
  });
});
