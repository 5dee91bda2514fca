/**
 * The page: sign-in (unless the server lets anonymous users administer it), then a
 * navigation bar and the page the address names. Moving to a page moves focus to its
 * heading, so keyboard and screen-reader users land where the content starts.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, clearCredentials, hasCredentials, request, whenUnauthorized } from './api.js';
import { Notice } from './components/ui.js';
import { errorText } from './format.js';
import { ClusterPage } from './pages/cluster.js';
import { ConfigPage } from './pages/config.js';
import { ConnectionsPage } from './pages/connections.js';
import { DeadLetterGroupsPage, DeadLettersPage } from './pages/dead-letters.js';
import { GroupDetailPage } from './pages/group-detail.js';
import { GroupsPage } from './pages/groups.js';
import { LoginPage } from './pages/login.js';
import { MessageDetailPage } from './pages/message-detail.js';
import { MessagesPage } from './pages/messages.js';
import { MqttPage } from './pages/mqtt.js';
import { OverviewPage } from './pages/overview.js';
import { TopicDetailPage } from './pages/topic-detail.js';
import { TopicsPage } from './pages/topics.js';
import { protocolRates } from './rates.js';
import { href, useRoute, type Route } from './route.js';
import { SessionContext } from './session.js';
import type { Session } from './types.js';

const NAV: Array<[string, string]> = [
  ['overview', 'Overview'], ['topics', 'Topics'], ['groups', 'Groups'], ['messages', 'Messages'], ['dead-letters', 'Dead letters'],
  ['connections', 'Connections'], ['mqtt', 'MQTT'], ['config', 'Config'], ['cluster', 'Cluster'],
];

function Page({ route }: { route: Route }) {
  const [first] = route.args;
  switch (route.page) {
    case 'topics': return first ? <TopicDetailPage key={first} topic={first} /> : <TopicsPage />;
    case 'groups': return first ? <GroupDetailPage key={first} group={first} /> : <GroupsPage />;
    case 'messages': return <MessagesPage route={route} />;
    case 'message': return first ? <MessageDetailPage key={first} msgId={first} /> : <MessagesPage route={route} />;
    case 'dead-letters': return first ? <DeadLettersPage key={first} group={first} /> : <DeadLetterGroupsPage />;
    case 'connections': return <ConnectionsPage />;
    case 'mqtt': return <MqttPage />;
    case 'config': return <ConfigPage />;
    case 'cluster': return <ClusterPage />;
    case 'overview': return <OverviewPage />;
    default: return <Notice kind="error">No page "{route.page}". <a href={href('overview')}>Go to the overview</a>.</Notice>;
  }
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  const section = route.page === 'message' ? 'messages' : route.page;

  useEffect(() => {
    protocolRates.start();
    return () => protocolRates.stop();
  }, []);

  // after a move to another page (not on the first load, where the skip link comes first)
  const firstPage = useRef(true);
  useEffect(() => {
    setMenuOpen(false);
    document.title = `${NAV.find(([p]) => p === section)?.[1] ?? 'rocketgate'} · rocketgate`;
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    const heading = document.getElementById('page-title');
    if (heading && document.activeElement?.tagName !== 'INPUT') heading.focus({ preventScroll: false });
  }, [route.page, route.args.join('/'), section]);

  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="topbar">
        <a class="brand" href={href('overview')}>rocketgate</a>
        <button type="button" class="menu-toggle" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>Menu</button>
        <div class="user">
          <span id="current-user">{session.username}</span>
          {!session.canWrite ? <span class="badge" id="read-only-badge">read-only</span> : null}
          {session.authRequired || hasCredentials() ? <button type="button" onClick={onSignOut}>Sign out</button> : null}
        </div>
      </header>
      <div class="layout">
        <nav id="main-nav" class={menuOpen ? 'open' : ''} aria-label="Main">
          <ul>
            {NAV.map(([page, label]) => (
              <li key={page}><a href={href(page)} aria-current={section === page ? 'page' : undefined}>{label}</a></li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          <Page route={route} />
        </main>
      </div>
    </SessionContext.Provider>
  );
}

export function App() {
  const [session, setSession] = useState<Session | undefined>();
  const [state, setState] = useState<'checking' | 'login' | 'ready'>('checking');
  const [reason, setReason] = useState<string | undefined>();

  useEffect(() => {
    whenUnauthorized(() => {
      clearCredentials();
      setSession(undefined);
      setReason('Your sign-in is no longer valid. Sign in again.');
      setState('login');
    });
    request<Session>('api/session').then(
      (s) => {
        if (s.authenticated && s.canRead) {
          setSession(s);
          setState('ready');
          return;
        }
        if (hasCredentials()) {
          clearCredentials();
          setReason(s.authenticated ? `${s.username} has no admin or read-only rights.` : 'Your sign-in is no longer valid. Sign in again.');
        }
        setState('login');
      },
      (err: unknown) => {
        if (hasCredentials()) clearCredentials();
        if (!(err instanceof ApiError && err.status === 401)) setReason(errorText(err));
        setState('login');
      },
    );
  }, []);

  if (state === 'checking') return <p class="loading" role="status">Loading…</p>;
  if (state === 'login' || !session) {
    return <LoginPage reason={reason} onSignedIn={(s) => { setSession(s); setReason(undefined); setState('ready'); }} />;
  }
  return (
    <Shell session={session} onSignOut={() => {
      clearCredentials();
      sessionStorage.clear();
      setSession(undefined);
      setState('login');
    }} />
  );
}
