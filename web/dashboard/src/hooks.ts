/** Data loading for the pages: one request, or the same request again every few seconds. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from './format.js';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  /** load again now */
  reload: () => void;
}

/**
 * Runs `load` when `deps` change and, with `intervalMs`, again after each answer.
 * A slow answer never overlaps the next request; a page that is left stops its timer.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], intervalMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let active = true;
    const run = async (): Promise<void> => {
      setState((s) => ({ ...s, loading: true }));
      try {
        const data = await loadRef.current(controller.signal);
        if (active) setState({ data, error: undefined, loading: false });
      } catch (err) {
        if (active && !controller.signal.aborted) setState((s) => ({ data: s.data, error: errorText(err), loading: false }));
      }
      if (active && intervalMs) timer = setTimeout(() => void run(), intervalMs);
    };
    void run();
    return () => {
      active = false;
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick, intervalMs]);

  return { ...state, reload };
}

/** runs `tasks` with at most `limit` in flight, results in input order */
export async function mapLimit<I, O>(items: readonly I[], limit: number, task: (item: I) => Promise<O>): Promise<O[]> {
  const out = new Array<O>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
