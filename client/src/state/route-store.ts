// Which screen is showing: the URL path (history API; the server answers every path with index.html) and the
// user's roles decide. Pure routing rule in `screenFor`, the store only follows the address bar.
import { create } from 'zustand';
import type { Role, SessionUser } from '../api/types.js';

export type Screen = 'district' | 'login' | 'wall' | 'inspector' | 'crew' | 'leader' | 'search' | 'report' | 'intake' | 'admin' | 'supervision'
  | 'public_report' | 'public_track' | 'public_transparency';

/** Paths of the screens. */
export const PATHS: Record<Screen, string> = {
  district: '/map', login: '/login', wall: '/wall', inspector: '/inspector', crew: '/crew', leader: '/leader', search: '/search', report: '/report', intake: '/intake', admin: '/admin', supervision: '/supervision',
  public_report: '/public/report', public_track: '/public/track', public_transparency: '/public/transparency',
};

/** The public pages (issue 11): open to everyone, signed in or not, and never a home. */
export const PUBLIC_SCREENS: readonly Screen[] = ['public_report', 'public_track', 'public_transparency'];

/** Who may open which screen (the server still checks every request). */
const SCREEN_ROLES: Record<'admin' | 'leader' | 'wall' | 'intake' | 'inspector' | 'crew' | 'search' | 'report' | 'supervision', readonly Role[]> = {
  admin: ['admin'], // the admin console is the admin's home; the wall stays reachable from the header
  leader: ['leader'],
  wall: ['dispatcher', 'operator', 'shift_leader', 'leader', 'admin'],
  intake: ['operator'], // hotline calls are the operator's (workflow.md row 1); the wall stays the operator's home: its queue
  inspector: ['inspector'],
  crew: ['department'],
  search: ['dispatcher', 'operator', 'shift_leader', 'leader', 'admin', 'inspector', 'department'],
  report: ['leader', 'operator', 'shift_leader', 'dispatcher', 'admin'],
  supervision: ['operator', 'shift_leader', 'leader', 'admin'], // 电子监察: the supervision centre and leaders (issue 10)
};

/** The screens a user may open, in the order of the header's navigation. */
export function screensOf(user: SessionUser | null): Screen[] {
  if (!user) return ['district'];
  const own = (['admin', 'leader', 'wall', 'intake', 'inspector', 'crew', 'search', 'supervision', 'report'] as const).filter((s) => SCREEN_ROLES[s].some((r) => user.roles.includes(r)));
  return [...own, 'district'];
}

/** The home of a role: leader → leader screen, command centre → wall map, inspector → report screen, department crew → tasks. */
export function homeOf(user: SessionUser | null): Screen {
  return screensOf(user)[0];
}

/**
 * The screen for a path: `/` is the user's home (the public district map when signed out); a screen the user may not
 * open sends them to log in (signed out) or home (signed in).
 * @example screenFor('/', { roles: ['dispatcher'] } as SessionUser) // 'wall'
 */
export function screenFor(path: string, user: SessionUser | null): Screen {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/') return homeOf(user);
  if (p === PATHS.login) return user ? homeOf(user) : 'login';
  if (p === PATHS.district) return 'district';
  const open = PUBLIC_SCREENS.find((s) => PATHS[s] === p);
  if (open) return open;
  const screen = (Object.keys(PATHS) as Screen[]).find((s) => PATHS[s] === p);
  if (!screen) return homeOf(user);
  if (!user) return 'login';
  return screensOf(user).includes(screen) ? screen : homeOf(user);
}

type RouteState = { path: string; navigate: (path: string, replace?: boolean) => void };

const currentPath = () => (typeof window === 'undefined' ? '/' : window.location.pathname);

export const useRoute = create<RouteState>()((set) => ({
  path: currentPath(),
  navigate: (path, replace = false) => {
    if (typeof window !== 'undefined' && window.location.pathname !== path) {
      if (replace) window.history.replaceState(null, '', path);
      else window.history.pushState(null, '', path);
    }
    set({ path });
  },
}));

if (typeof window !== 'undefined') window.addEventListener('popstate', () => useRoute.setState({ path: currentPath() }));

export const selectPath = (s: RouteState) => s.path;
export const selectNavigate = (s: RouteState) => s.navigate;
