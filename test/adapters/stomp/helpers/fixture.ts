/**
 * The setup most STOMP test files share: a server for the whole file (or one per
 * test), and raw clients opened through it that are disconnected after each test.
 *
 *   const stomp = useStompServer({ kernelOptions: { retryBackoffMs: [50] } });
 *   test('...', async () => { const c = await stomp.client(); ... stomp.server.kernel ... });
 */
import { RawStompClient, startStompServer, type StompServer } from './server.js';

export type StompServerOptions = Parameters<typeof startStompServer>[0];

export interface StompFixture {
  /** the running server (inside tests and hooks) */
  readonly server: StompServer;
  /** a RawStompClient, CONNECTed with `headers`, disconnected after the test */
  client(headers?: Record<string, string>): Promise<RawStompClient>;
}

/** registers the jest hooks; `lifetime` 'test' starts a fresh server (and kernel) for every test */
export function useStompServer(options: StompServerOptions = {}, lifetime: 'file' | 'test' = 'file'): StompFixture {
  let current: StompServer | undefined;
  const clients: RawStompClient[] = [];
  const server = (): StompServer => {
    if (!current) throw new Error('the STOMP server is not running (use it inside tests and hooks)');
    return current;
  };
  const start = async (): Promise<void> => {
    current = await startStompServer(options);
  };
  const stop = async (): Promise<void> => {
    const running = current;
    current = undefined;
    await running?.close();
  };
  if (lifetime === 'file') {
    beforeAll(start);
    afterAll(stop);
  } else {
    beforeEach(start);
  }
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect()));
    if (lifetime === 'test') await stop();
  });
  return {
    get server() {
      return server();
    },
    async client(headers = {}) {
      const c = await RawStompClient.open(server().port, { headers });
      clients.push(c);
      return c;
    },
  };
}
