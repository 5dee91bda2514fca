/**
 * Hash routes (#/topics/orders), so the server serves one page at /dashboard/ and a
 * reload or a shared link opens the same view.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** first path segment: overview, topics, groups ... */
  page: string;
  /** decoded segments after it */
  args: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', qs = ''] = raw.split('?', 2);
  const segments = path.split('/').filter((s) => s.length > 0).map((s) => decodeURIComponent(s));
  return { page: segments[0] ?? 'overview', args: segments.slice(1), query: new URLSearchParams(qs) };
}

export function href(...segments: Array<string | number>): string {
  return `#/${segments.map((s) => encodeURIComponent(String(s))).join('/')}`;
}

export function hrefWithQuery(segments: Array<string | number>, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${href(...segments)}?${qs}` : href(...segments);
}

export function navigate(to: string): void {
  if (location.hash !== to) location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
