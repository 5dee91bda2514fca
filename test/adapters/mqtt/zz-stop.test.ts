import { startHarness } from './harness.js';
test('stop', async () => {
  const h = await startHarness();
  const c = await h.connect();
  await c.subscribeAsync('a/#', { qos: 1 });
  await c.publishAsync('a/b', 'x', { qos: 1 });
  const t0 = Date.now();
  await h.stop();
  console.log('stopped in', Date.now() - t0);
}, 60000);
