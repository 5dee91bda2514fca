/** The signed-in user, for pages that offer changes only to users who may make them. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Session } from './types.js';

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** shown only to users with admin rights that are not read-only; the API checks again */
export function useCanWrite(): boolean {
  return useSession().canWrite;
}
