import { HttpError } from '../../../src/adapters/http/errors.js';
import { EventPositions } from '../../../src/adapters/http/sse/positions.js';

describe('SSE event positions (Last-Event-ID)', () => {
  it('formats queue:offset pairs sorted by queue and parses them back', () => {
    const p = new EventPositions();
    p.advance(2, 7);
    p.advance(0, -1);
    p.advance(1, 41);
    expect(p.format()).toBe('0:-1,1:41,2:7');
    const q = EventPositions.parse(p.format());
    expect(q.get(1)).toBe(41);
    expect(q.get(0)).toBe(-1);
    expect(q.get(5)).toBeUndefined();
  });

  it('only moves forward', () => {
    const p = EventPositions.parse('0:10');
    p.advance(0, 4);
    expect(p.get(0)).toBe(10);
    p.advance(0, 11);
    expect(p.format()).toBe('0:11');
  });

  it.each(['', 'abc', '0:1,0:2', '0:-2', '1:2;3:4', '0:1,', 'x:1'])('refuses %p with INVALID_LAST_EVENT_ID', (text) => {
    let error: unknown;
    try {
      EventPositions.parse(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).code).toBe('INVALID_LAST_EVENT_ID');
    expect((error as HttpError).status).toBe(400);
  });
});
