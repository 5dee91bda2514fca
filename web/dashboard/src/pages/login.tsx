/** Sign in with the same username and password as MQTT, STOMP and HTTP clients. */
import { useState } from 'preact/hooks';
import { ApiError, clearCredentials, request, setCredentials } from '../api.js';
import { Notice } from '../components/ui.js';
import { errorText } from '../format.js';
import type { Session } from '../types.js';

export function LoginPage({ onSignedIn, reason }: { onSignedIn: (s: Session) => void; reason?: string | undefined }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(reason);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setCredentials(username, password);
    try {
      const session = await request<Session>('api/session');
      if (!session.authenticated) {
        clearCredentials();
        setError('Wrong username or password.');
      } else if (!session.canRead) {
        clearCredentials();
        setError(`${session.username} has no admin or read-only rights.`);
      } else {
        onSignedIn(session);
      }
    } catch (err) {
      clearCredentials();
      setError(err instanceof ApiError && err.status === 401 ? 'Wrong username or password.' : errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login" id="main">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">rocketgate</h1>
        <p class="hint">Sign in with your messaging account.</p>
        <label class="field"><span>Username</span><input name="username" autoComplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} autoFocus /></label>
        <label class="field"><span>Password</span><input name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
        {error ? <Notice kind="error">{error}</Notice> : null}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
