import { call, startHttp, startReceiver, waitFor } from './helpers.js';
it('debug', async () => {
  let h = await startHttp({ kernel: { defaultQueueCount: 2 } });
  const receiver = await startReceiver(() => 503);
  const created = await call(`${h.url}/v1/webhooks`, { method: 'POST', json: { topic: 'durable', url: receiver.url, maxAttempts: 20, tagExpression: 'keep' } });
  await call(`${h.url}/v1/topics/durable/messages`, { method: 'POST', json: { body: 'skipped', tag: 'other' } });
  await call(`${h.url}/v1/topics/durable/messages`, { method: 'POST', json: { body: 'kept', tag: 'keep' } });
  await waitFor(() => receiver.calls.length >= 1, 15_000, 'first attempt');
  const g = created.body.group;
  console.log('before', receiver.calls.length, JSON.stringify((await call(`${h.url}/v1/groups/${g}/lag`)).body), JSON.stringify((await call(`${h.url}/v1/topics?system=true`)).body.topics.map((t: any) => [t.topic, t.queues.map((q: any) => q.maxOffset)])), JSON.stringify(receiver.calls.map(c=>[c.answered, c.headers['x-rocketgate-attempt']])));
  h = await h.restart();
  receiver.respond = () => 200;
  await new Promise((r) => setTimeout(r, 3000));
  console.log('after', receiver.calls.length, JSON.stringify((await call(`${h.url}/v1/groups/${g}`)).body), JSON.stringify((await call(`${h.url}/v1/groups/${g}/lag`)).body), JSON.stringify((await call(`${h.url}/v1/topics?system=true`)).body.topics.map((t: any) => [t.topic, t.queues.map((q: any) => q.maxOffset)])), JSON.stringify(receiver.calls.map(c=>[c.answered, c.headers['x-rocketgate-attempt']])));
  console.log(JSON.stringify((await call(`${h.url}/v1/webhooks`)).body));
  await h.close(); await receiver.close();
});
