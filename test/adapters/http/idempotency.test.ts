import { HttpError } from '../../../src/adapters/http/errors.js';
import { IdempotencyWindow, REPLAYED_HEADER } from '../../../src/adapters/http/idempotency.js';

describe('IdempotencyWindow', () => {
  it('runs once per key and replays the first reply', async () => {
    const w = new IdempotencyWindow({ windowMs: 1000 });
    let runs = 0;
    const exec = async () => ({ status: 201, body: { n: ++runs } });
    const first = await w.run('k', 'f', exec);
    const second = await w.run('k', 'f', exec);
    expect(runs).toBe(1);
    expect(first.body).toEqual({ n: 1 });
    expect(second).toEqual({ status: 201, body: { n: 1 }, headers: { [REPLAYED_HEADER]: 'true' } });
  });

  it('makes a concurrent retry wait for the first attempt', async () => {
    const w = new IdempotencyWindow({ windowMs: 1000 });
    let release!: () => void;
    let runs = 0;
    const exec = () => new Promise<{ status: number; body: unknown }>((resolve) => {
      runs++;
      release = () => resolve({ status: 201, body: 'stored' });
    });
    const a = w.run('k', 'f', exec);
    const b = w.run('k', 'f', exec);
    release();
    expect((await a).body).toBe('stored');
    expect((await b).body).toBe('stored');
    expect(runs).toBe(1);
  });

  it('refuses a key reused for a different request with 422', async () => {
    const w = new IdempotencyWindow({ windowMs: 1000 });
    await w.run('k', 'f1', async () => ({ status: 201 }));
    await expect(w.run('k', 'f2', async () => ({ status: 201 }))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 422 });
  });

  it('forgets failed attempts so a retry can succeed', async () => {
    const w = new IdempotencyWindow({ windowMs: 1000 });
    await expect(w.run('k', 'f', async () => { throw new HttpError('STORE_FULL', 'full'); })).rejects.toBeInstanceOf(HttpError);
    await w.run('k2', 'f', async () => ({ status: 404 }));
    expect(w.size).toBe(0);
    const ok = await w.run('k', 'f', async () => ({ status: 201, body: 1 }));
    expect(ok.body).toBe(1);
  });

  it('expires entries after the window', async () => {
    let now = 0;
    const w = new IdempotencyWindow({ windowMs: 100, now: () => now });
    let runs = 0;
    const exec = async () => ({ status: 201, body: ++runs });
    await w.run('k', 'f', exec);
    now = 99;
    expect((await w.run('k', 'f', exec)).body).toBe(1);
    now = 100;
    expect((await w.run('k', 'f', exec)).body).toBe(2);
  });

  it('keeps at most maxEntries keys, evicting the oldest', async () => {
    const w = new IdempotencyWindow({ windowMs: 1000, maxEntries: 2 });
    for (const k of ['a', 'b', 'c']) await w.run(k, 'f', async () => ({ status: 201 }));
    expect(w.size).toBe(2);
  });

  it('fingerprints distinguish the parts', () => {
    expect(IdempotencyWindow.fingerprint(['a', 'bc'])).not.toBe(IdempotencyWindow.fingerprint(['ab', 'c']));
    expect(IdempotencyWindow.fingerprint([undefined, Buffer.from('x')])).toBe(IdempotencyWindow.fingerprint([undefined, 'x']));
  });
});
