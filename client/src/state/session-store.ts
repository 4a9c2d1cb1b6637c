// The signed-in user and their bearer token. Kept in localStorage: it survives a relaunch of the installed app and
// every tab of the browser shares it (a login or logout in one tab reaches the others through the `storage` event).
// The server still decides: the token is checked with GET /api/auth/me on start, an admin can revoke it, it expires
// when idle, and a 401 on a request that carried it (or the live stream's `event: closed`) ends the session here.
// The token is handed to api/http.ts, which sends it with every request.
import { create } from 'zustand';
import { fetchMe, login as apiLogin, logout as apiLogout } from '../api/auth.js';
import { ApiError, setAuthToken, setUnauthorizedHandler } from '../api/http.js';
import type { LoginResult, MeResult, Role, SessionUser } from '../api/types.js';
import { clearCaseCopies } from './field-db.js';

export const SESSION_KEY = 'gridline.session';

type Stored = { token: string; user: SessionUser };

type SessionState = {
  token: string | null;
  user: SessionUser | null;
  busy: boolean;
  error: string | null;
  /** Set when the server ended the session (401): the login screen says so. */
  expired: boolean;
  login: (username: string, password: string, fetcher?: (u: string, p: string) => Promise<LoginResult>) => Promise<boolean>;
  logout: (fetcher?: () => Promise<void>) => Promise<void>;
  /** Checks a restored token with GET /api/auth/me and fills in the display name. */
  verify: (fetcher?: () => Promise<MeResult>) => Promise<void>;
  expire: () => void;
};

function storage(): Storage | null {
  try { return typeof localStorage === 'undefined' ? null : localStorage; } catch { return null; }
}

function readStored(): Stored | null {
  try {
    const raw = storage()?.getItem(SESSION_KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as Stored;
    return typeof v?.token === 'string' && v.user && Array.isArray(v.user.roles) ? v : null;
  } catch {
    return null;
  }
}

function writeStored(v: Stored | null): void {
  const s = storage();
  if (!s) return;
  if (v) s.setItem(SESSION_KEY, JSON.stringify(v));
  else s.removeItem(SESSION_KEY);
}

/** Waits for `p` at most 2 s and never fails: signing in or out does not hang on the phone's database. */
const briefly = (p: Promise<unknown>) => Promise.race([p.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 2_000))]);

const restored = readStored();
setAuthToken(restored?.token ?? null);

export const useSession = create<SessionState>()((set, get) => ({
  token: restored?.token ?? null,
  user: restored?.user ?? null,
  busy: false,
  error: null,
  expired: false,
  login: async (username, password, fetcher = apiLogin) => {
    set({ busy: true, error: null });
    try {
      const { token, user } = await fetcher(username.trim(), password);
      setAuthToken(token);
      writeStored({ token, user });
      await briefly(clearCaseCopies(user.id)); // another user's offline cases never show (state/offline-cases.ts)
      set({ token, user, busy: false, error: null, expired: false });
      return true;
    } catch (e) {
      set({ busy: false, error: e instanceof ApiError && e.status === 401 ? 'bad_credentials' : (e as Error).message });
      return false;
    }
  },
  logout: async (fetcher = apiLogout) => {
    const had = get().token;
    try { if (had) await fetcher(); } catch { /* the session ends here either way */ }
    setAuthToken(null);
    writeStored(null);
    await briefly(clearCaseCopies()); // the offline copy of the cases leaves with the user
    set({ token: null, user: null, error: null, expired: false });
  },
  verify: async (fetcher = fetchMe) => {
    const token = get().token;
    if (!token) return;
    try {
      const me = await fetcher();
      if (get().token !== token) return;
      const user: SessionUser = { ...me.user, roles: me.user.roles };
      writeStored({ token, user });
      set({ user });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) get().expire();
    }
  },
  expire: () => {
    setAuthToken(null);
    writeStored(null);
    set({ token: null, user: null, expired: true });
  },
}));

setUnauthorizedHandler(() => useSession.getState().expire());

// Another tab signed in, out, or was told the session ended: follow it.
if (typeof window !== 'undefined' && typeof window.addEventListener === 'function') {
  window.addEventListener('storage', (e) => {
    if (e.key !== SESSION_KEY && e.key !== null) return;
    const now = readStored();
    const { token } = useSession.getState();
    if ((now?.token ?? null) === token) return;
    setAuthToken(now?.token ?? null);
    if (now) useSession.setState({ token: now.token, user: now.user, expired: false, error: null });
    else useSession.setState({ token: null, user: null, expired: token !== null });
  });
}

export const selectUser = (s: SessionState) => s.user;
export const selectToken = (s: SessionState) => s.token;
export const selectSessionBusy = (s: SessionState) => s.busy;
export const selectSessionError = (s: SessionState) => s.error;
export const selectExpired = (s: SessionState) => s.expired;
export const selectLogin = (s: SessionState) => s.login;
export const selectLogout = (s: SessionState) => s.logout;

export const hasRole = (user: SessionUser | null, ...roles: Role[]) => !!user && user.roles.some((r) => roles.includes(r));
