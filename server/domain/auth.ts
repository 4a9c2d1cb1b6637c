// Accounts and sessions, the pure part: roles, usernames, password policy, session expiry and login backoff
// arithmetic (docs/workflow.md §Roles, docs/api.md). No I/O and no clock: every function takes `now`.
import { DomainError } from './errors.js';
import type { Role } from './workflow.js';

export { maskName, maskPhone } from './privacy.js';

/** The roles a user account can hold: the posts of docs/workflow.md plus `admin` (never `public`: that is nobody). */
export type UserRole = Exclude<Role, 'public'>;
export const USER_ROLES = ['inspector', 'operator', 'shift_leader', 'dispatcher', 'department', 'leader', 'admin'] as const satisfies readonly UserRole[];

export function isUserRole(r: string): r is UserRole {
  return (USER_ROLES as readonly string[]).includes(r);
}

/**
 * Checks a role list: at least one, all known, none twice; a crew (`department`) needs its department.
 * @throws DomainError `bad_request`
 */
export function checkRoles(roles: readonly string[], department_id: number | null): UserRole[] {
  if (roles.length === 0) throw new DomainError('bad_request', 'A user needs at least one role');
  const unknown = roles.filter((r) => !isUserRole(r));
  if (unknown.length) {
    throw new DomainError('bad_request', `Unknown role ${unknown.map((r) => `"${r}"`).join(', ')}; the roles are ${USER_ROLES.join(', ')}`);
  }
  if (new Set(roles).size !== roles.length) throw new DomainError('bad_request', 'A role is listed twice');
  if (roles.includes('department') && department_id === null) {
    throw new DomainError('bad_request', 'A user with the role department (a crew) needs a department_id');
  }
  return roles as UserRole[];
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * A username as stored: trimmed, 1–64 characters of letters, digits, `_`, `.`, `-`, starting with a letter or digit.
 * Uniqueness and login ignore case.
 * @throws DomainError `bad_request`
 */
export function checkUsername(username: string): string {
  const u = username.trim();
  if (!USERNAME.test(u)) {
    throw new DomainError('bad_request', 'A username is 1–64 letters, digits, "_", "." or "-", starting with a letter or digit');
  }
  return u;
}

/** The key a username is looked up and throttled by: trimmed and lower case. */
export const usernameKey = (username: string): string => username.trim().toLowerCase();

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;
/** A few passwords every guessing list starts with; the length rule already stops most of the rest. */
const COMMON = new Set(['123456789012', 'password1234', 'passwordpassword', 'qwertyuiopas', '111111111111', 'abcdefghijkl', 'iloveyou1234', 'admin1234567']);

/**
 * Password policy for accounts created outside the demo (OWASP ASVS V2.1): 12–256 characters, any characters,
 * no composition rules; not the username, not a well-known password, not one character repeated.
 * @returns the problems, empty when the password is acceptable
 * @example passwordProblems('demo', 'admin') // ['at least 12 characters']
 */
export function passwordProblems(password: string, username: string): string[] {
  const problems: string[] = [];
  const n = [...password].length;
  if (n < PASSWORD_MIN) problems.push(`at least ${PASSWORD_MIN} characters`);
  if (n > PASSWORD_MAX) problems.push(`at most ${PASSWORD_MAX} characters`);
  const lower = password.toLowerCase();
  const user = usernameKey(username);
  if (user && (user.length >= 4 ? lower.includes(user) : lower === user)) problems.push('must not contain the username'); // short names: only equality
  if (COMMON.has(lower)) problems.push('is a well-known password');
  if (n > 0 && new Set(password).size === 1) problems.push('must not be one character repeated');
  return problems;
}

/** @throws DomainError `bad_request` listing what is wrong with the password */
export function checkPassword(password: string, username: string): void {
  const problems = passwordProblems(password, username);
  if (problems.length) throw new DomainError('bad_request', `The password is not acceptable: ${problems.join('; ')}`, { problems });
}

// ── Sessions ────────────────────────────────────────────────────────────────────────────────────────────────

export const SESSION_DEFAULTS = {
  /** Idle timeout (GRIDLINE_SESSION_IDLE_MINUTES): a session unused this long ends. */
  idle_minutes: 480,
  /** Absolute lifetime: a session ends this long after login, used or not. */
  max_days: 7,
  /** last_seen_at is written at most this often per session, so a request rarely writes. */
  touch_every_seconds: 60,
} as const;

export type SessionTimes = { created_at: Date; last_seen_at: Date; expires_at: Date };
export type SessionStatus = 'active' | 'idle' | 'expired';

/** When a new session at `now` ends at the latest. */
export function sessionExpiresAt(now: Date, maxDays: number = SESSION_DEFAULTS.max_days): Date {
  return new Date(now.getTime() + maxDays * 86_400_000);
}

/** Whether a session still holds at `now`: past its absolute lifetime it is `expired`, unused too long `idle`. */
export function sessionStatus(s: SessionTimes, now: Date, idleMinutes: number): SessionStatus {
  if (now.getTime() >= s.expires_at.getTime()) return 'expired';
  if (now.getTime() >= s.last_seen_at.getTime() + idleMinutes * 60_000) return 'idle';
  return 'active';
}

/** The moment an active session would end if unused from now on: the earlier of idle timeout and lifetime. */
export function sessionEndsAt(s: SessionTimes, idleMinutes: number): Date {
  return new Date(Math.min(s.last_seen_at.getTime() + idleMinutes * 60_000, s.expires_at.getTime()));
}

/** True when last_seen_at is stale enough to be rewritten (at most once a minute per session). */
export function needsTouch(lastSeen: Date, now: Date, everySeconds: number = SESSION_DEFAULTS.touch_every_seconds): boolean {
  return now.getTime() - lastSeen.getTime() >= everySeconds * 1000;
}

// ── Login throttling ────────────────────────────────────────────────────────────────────────────────────────
//
// Three counters of recent failures (README §Login throttling):
//   pair     (account, address): the guesser at one address waits 1, 2, 4 … s, up to 5 min, after 5 failures;
//            the owner at another address is not affected.
//   address  (any account, one address): password spraying; after 20 failures the address waits 1, 2, 4 … s.
//   account  (one account, any address): a distributed guesser; after 50 failures every attempt on the account
//            is held a few seconds before it is answered — it only slows, it never refuses, so nobody can lock
//            an owner out of their account.
// A counter whose last failure is older than `forget_after_minutes` starts over; a login clears its pair counter.

export type ThrottlePolicy = {
  /** Failures allowed without any wait. */
  free: number;
  /** Wait after the first failure past the allowance; it doubles with each further one. */
  base_seconds: number;
  max_seconds: number;
  /** A counter whose last failure is older than this starts over (the same for every counter: see forgetBefore). */
  forget_after_minutes: number;
};

const FORGET_AFTER_MINUTES = 15;

export type LoginThrottlePolicy = { pair: ThrottlePolicy; address: ThrottlePolicy; account: ThrottlePolicy };

export const LOGIN_THROTTLE: LoginThrottlePolicy = {
  pair: { free: 5, base_seconds: 1, max_seconds: 300, forget_after_minutes: FORGET_AFTER_MINUTES },
  address: { free: 20, base_seconds: 1, max_seconds: 300, forget_after_minutes: FORGET_AFTER_MINUTES },
  /** Slows (holds the answer), never refuses. */
  account: { free: 50, base_seconds: 1, max_seconds: 4, forget_after_minutes: FORGET_AFTER_MINUTES },
};

/** The (account, address) policy. */
export const THROTTLE: ThrottlePolicy = LOGIN_THROTTLE.pair;

export type ThrottleState = { failures: number; last_failed_at: Date };

/**
 * Seconds a caller must wait after `failures` consecutive failures: none up to the allowance, then
 * base, 2·base, 4·base … capped at max.
 * @example backoffSeconds(5) // 1
 * @example backoffSeconds(7) // 4
 * @example backoffSeconds(20) // 300
 */
export function backoffSeconds(failures: number, p: ThrottlePolicy = THROTTLE): number {
  if (failures < p.free) return 0;
  return Math.min(p.max_seconds, p.base_seconds * 2 ** (failures - p.free));
}

/** Whole seconds until the next attempt is allowed (the Retry-After value); 0 when it is allowed now. */
export function retryAfterSeconds(s: ThrottleState | null, now: Date, p: ThrottlePolicy = THROTTLE): number {
  if (!s) return 0;
  const since = now.getTime() - s.last_failed_at.getTime();
  if (since >= p.forget_after_minutes * 60_000) return 0;
  const wait = backoffSeconds(s.failures, p) * 1000 - since;
  return wait > 0 ? Math.ceil(wait / 1000) : 0;
}

/** Failures recorded before this moment are forgotten: the next failure starts the count over. */
export function forgetBefore(now: Date, p: ThrottlePolicy = THROTTLE): Date {
  return new Date(now.getTime() - p.forget_after_minutes * 60_000);
}

/** The throttle keys of a login attempt: the account (case-insensitive username), the address, and the pair. */
export type ThrottleKeys = { account: string; address: string | null; pair: string | null };

export function throttleKeys(username: string, ip: string | null): ThrottleKeys {
  const user = usernameKey(username);
  return { account: `user:${user}`, address: ip ? `ip:${ip}` : null, pair: ip ? `pair:${JSON.stringify([ip, user])}` : null };
}

/** Every key of an attempt, for reading and counting. */
export function allKeys(k: ThrottleKeys): string[] {
  return [k.account, k.address, k.pair].filter((x): x is string => x !== null);
}

/**
 * What the counters say about an attempt at `now`: `refuse_s` > 0 refuses it (429, Retry-After) because of the
 * pair or the address; `delay_s` holds its answer because of the account (never a refusal).
 */
export function loginThrottle(
  states: ReadonlyMap<string, ThrottleState>, k: ThrottleKeys, now: Date, p: LoginThrottlePolicy = LOGIN_THROTTLE,
): { refuse_s: number; refused_by: 'pair' | 'address' | null; delay_s: number } {
  const pair = k.pair ? retryAfterSeconds(states.get(k.pair) ?? null, now, p.pair) : 0;
  const address = k.address ? retryAfterSeconds(states.get(k.address) ?? null, now, p.address) : 0;
  const acct = states.get(k.account);
  const recent = acct && now.getTime() - acct.last_failed_at.getTime() < p.account.forget_after_minutes * 60_000;
  const delay_s = recent ? backoffSeconds(acct.failures, p.account) : 0;
  const refuse_s = Math.max(pair, address);
  return { refuse_s, refused_by: refuse_s === 0 ? null : pair >= address ? 'pair' : 'address', delay_s };
}

// ── Audit retention ─────────────────────────────────────────────────────────────────────────────────────────

/** The audit log is kept at least this long (电子监察; matched by a guard in migrations/0010_users.sql). */
export const AUDIT_MIN_RETENTION_DAYS = 184;

/**
 * The cut-off of an audit purge: entries older than `days` before `now`.
 * @throws DomainError `bad_request` when `days` is under the minimum retention or not a whole number
 */
export function auditPurgeBefore(now: Date, days: number): Date {
  if (!Number.isInteger(days) || days < AUDIT_MIN_RETENTION_DAYS) {
    throw new DomainError('bad_request', `The audit retention must be a whole number of days ≥ ${AUDIT_MIN_RETENTION_DAYS}; got ${days}`);
  }
  return new Date(now.getTime() - days * 86_400_000);
}
