/**
 * The cross-protocol matrix of DESIGN.md §5 (issue 9): every publisher (MQTT 3.1.1,
 * MQTT 5, STOMP, HTTP publish, kernel client) × every subscriber (MQTT 3.1.1, MQTT 5,
 * STOMP, HTTP pop, HTTP SSE, HTTP webhook, kernel client) × every aspect, against ONE
 * embedded server with real clients over real sockets. The cells run concurrently,
 * each on its own topic, from beforeAll on; each jest test awaits its cell. The matrix
 * is printed to stdout and test-artifacts/conformance-matrix.txt.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../../test/helpers/runtime.js';
import { deliveryAspects } from './aspects/delivery.js';
import { FAILURE_SERVER_CONFIG, failureAspects } from './aspects/failures.js';
import { fieldAspects } from './aspects/fields.js';
import { filterAspects } from './aspects/filters.js';
import { timingAspects } from './aspects/timing.js';
import { HttpApi } from './drivers/http-api.js';
import { HttpPublisher, PopSubscriber } from './drivers/http.js';
import { KernelPublisher, KernelSubscriber } from './drivers/kernel.js';
import { MqttPublisher, MqttSubscriber } from './drivers/mqtt.js';
import { RocketMqPublisher, RocketMqSubscriber } from './drivers/rocketmq.js';
import { SseSubscriber } from './drivers/sse.js';
import { StompPublisher, StompSubscriber } from './drivers/stomp.js';
import { PUBLISHERS, SUBSCRIBERS, type PublisherDriver, type SubscriberDriver } from './drivers/types.js';
import { WebhookReceiver, WebhookSubscriber } from './drivers/webhook.js';
import { knownViolation } from './known-violations.js';
import { MatrixRun, planCells, type Cell } from './matrix.js';

const ASPECTS = [...fieldAspects, ...deliveryAspects, ...filterAspects, ...timingAspects, ...failureAspects];
/** cells at once: most of them wait on sockets and timers, not the CPU */
const CONCURRENCY = 24;
/** a test waits for its cell, which may be queued behind others */
const TEST_TIMEOUT_MS = 170_000;
const ARTIFACT = fileURLToPath(new URL('../../test-artifacts/conformance-matrix.txt', import.meta.url));

let server: TestServer | undefined;
let receiver: WebhookReceiver | undefined;
const started = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`${what} is not started`);
  return value;
};
const url = (listener: string) => (): string => started(server, 'the server').url(listener);
const api = new HttpApi(url('http'));
const rocketMqEndpoints = (): string => `127.0.0.1:${started(server, 'the server').port('rocketmq')}`;
const serverKernel = () => started(server, 'the server').server.kernel;

const publishers: PublisherDriver[] = [
  new MqttPublisher(url('mqtt'), 4),
  new MqttPublisher(url('mqtt'), 5),
  new StompPublisher(() => started(server, 'the server').port('stomp')),
  new HttpPublisher(api),
  new KernelPublisher(() => started(server, 'the server').server.kernel),
  new RocketMqPublisher(rocketMqEndpoints),
];
const subscribers: SubscriberDriver[] = [
  new MqttSubscriber(url('mqtt'), 4),
  new MqttSubscriber(url('mqtt'), 5),
  new StompSubscriber(() => started(server, 'the server').port('stomp')),
  new PopSubscriber(api),
  new SseSubscriber(api),
  new WebhookSubscriber(api, () => started(receiver, 'the webhook receiver')),
  new KernelSubscriber(() => started(server, 'the server').server.kernel),
  new RocketMqSubscriber(rocketMqEndpoints, serverKernel),
];
/** CROSS_PROTOCOL_CELLS=<regex> runs only the cells whose test name matches (for working on one pair) */
const only = process.env.CROSS_PROTOCOL_CELLS ? new RegExp(process.env.CROSS_PROTOCOL_CELLS) : undefined;
const cells = planCells(publishers, subscribers, ASPECTS, knownViolation).filter((c) => !only || only.test(c.name));
const run = new MatrixRun(cells, api, CONCURRENCY);

beforeAll(async () => {
  server = await startTestServer({ ...FAILURE_SERVER_CONFIG, retryBackoffMs: [...FAILURE_SERVER_CONFIG.retryBackoffMs] });
  receiver = await WebhookReceiver.start();
  run.start();
});

afterAll(async () => {
  const text = run.render(PUBLISHERS, SUBSCRIBERS, ASPECTS);
  process.stdout.write(`\n${text}`);
  mkdirSync(path.dirname(ARTIFACT), { recursive: true });
  // the file also lists every cell's duration and note; its last line stays `N passed, M failed`
  writeFileSync(ARTIFACT, `${run.details()}\n${text}`);
  await Promise.allSettled(publishers.map((p) => p.close()));
  await receiver?.stop();
  await server?.stop();
}, 60_000);

function declare(cell: Cell): void {
  if (cell.skip) {
    // not run, and says why: here, in the jest output and in the printed matrix
    test.skip(`${cell.name} [${cell.skip.status}: ${cell.skip.reason}]`, () => undefined);
    return;
  }
  const body = async (): Promise<void> => {
    const outcome = await run.outcome(cell);
    if (outcome.status !== 'pass') throw new Error(outcome.detail ?? 'failed');
    expect(outcome.checks).toBeGreaterThan(0);
  };
  if (cell.knownBug) test.failing(cell.name, body, TEST_TIMEOUT_MS);
  else test(cell.name, body, TEST_TIMEOUT_MS);
}

for (const pub of PUBLISHERS) {
  describe(`${pub} publishes`, () => {
    for (const cell of cells.filter((c) => c.pub.name === pub)) declare(cell);
  });
}
