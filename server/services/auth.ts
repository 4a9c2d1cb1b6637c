// Accounts and sessions, the use cases: login (throttled, audited), token check, logout, revocation, user admin.
// Each writes its audit entry in the same transaction as its change; refusals are recorded before they are thrown.
import { createHash, randomBytes } from 'node:crypto';
import { hash as argonHash, verify as argonVerify, type Algorithm } from '@node-rs/argon2';
import type { Queryable } from '../db/types.js';
import * as users from '../db/users.js';
import * as sessions from '../db/sessions.js';
import * as audit from '../db/audit.js';
import * as departments from '../db/departments.js';
import * as regions from '../db/regions.js';
import { DomainError } from '../domain/errors.js';
import {
  SESSION_DEFAULTS, allKeys, checkPassword, checkRoles, checkUsername, forgetBefore, loginThrottle, needsTouch,
  sessionEndsAt, sessionExpiresAt, sessionStatus, throttleKeys, usernameKey, type UserRole,
} from '../domain/auth.js';
import { generatedPassword } from '../domain/admin.js';
import { CODE_LENGTH } from '../domain/codes.js';

export type Clock = { now(): Date };

export type AuthDeps = {
  db: Queryable;
  clock: Clock;
  /** Idle timeout (config.session_idle_minutes). */
  session_idle_minutes: number;
  /** Absolute lifetime; 7 days unless given. */
  session_max_days?: number;
  /** Called after a commit that ended sessions (logout, revocation, disabling): the live hub closes their streams
   * at once in this process; other processes hear the NOTIFY of db/sessions.ts. */
  onSessionsEnded?: () => void;
  /** Holds a slowed login's answer (tests may replace it); setTimeout unless given. */
  sleep?: (ms: number) => Promise<void>;
};

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The caller as routes see it (req.user). */
export type AuthUser = {
  id: number;
  username: string;
  roles: UserRole[];
  department_id: number | null;
  /** The region the user is kept to (users.region_code, read with the session; null = every district). */
  region_code: string | null;
  session_id: number;
};

/** Where a request came from, for the audit log. */
export type RequestMeta = { ip: string | null; user_agent?: string | null };

/** The user as the login response of docs/api.md shows it, with the region it is kept to and that region's district
 * (issue 12: the client shows only that district). */
export type LoginUser = {
  id: number; username: string; roles: UserRole[]; department_id: number | null; region_code: string | null; district_code: string | null;
};

/** region_code and its district (the first six digits: domain/codes.ts CODE_LENGTH), as the login and /api/auth/me show them. */
const keptTo = (region_code: string | null) => ({ region_code, district_code: region_code === null ? null : region_code.slice(0, CODE_LENGTH.district) });

// ── Passwords ───────────────────────────────────────────────────────────────────────────────────────────────

/** argon2id with OWASP's parameters: 19 MiB, 2 passes, 1 lane. */
const ARGON2 = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** A hash of a random password nobody knows, with the same parameters: verified against when the username is unknown,
 * so an unknown username costs the same time as a wrong password. */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$91GkSI+eTXWHq4jzcDWFgg$+A10HjDbfjlQl/X0txUtLyK+X5amgT/5C3VvsJ89vFA';

export function hashPassword(password: string): Promise<string> {
  return argonHash(password, ARGON2);
}

async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argonVerify(hash, password);
  } catch {
    return false; // a malformed stored hash is a failed login, not a 500
  }
}

// ── Tokens ──────────────────────────────────────────────────────────────────────────────────────────────────

/** 32 random bytes, base64url (43 characters). */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const newToken = () => randomBytes(32).toString('base64url');
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

const UNAUTHORIZED = 'Not logged in, or the session has ended: log in again';
const BAD_LOGIN = 'Wrong username or password';

// ── Login, token check, logout ──────────────────────────────────────────────────────────────────────────────

/**
 * Logs a user in and opens a session. Unknown usernames, wrong passwords and disabled accounts get the same
 * 401 after the same work (one argon2 verification). Throttled per (account, address) and per address (refused
 * with `too_many_requests`, details.retry_after_s, before any checking), and per account (the answer is held a
 * few seconds, never refused: an owner cannot be locked out by someone else's failures): domain/auth.ts
 * LOGIN_THROTTLE.
 */
export async function login(
  deps: AuthDeps,
  input: { username: string; password: string },
  meta: RequestMeta,
): Promise<{ token: string; user: LoginUser }> {
  const { db } = deps;
  const now = deps.clock.now();
  const typed = input.username.trim();
  const keys = throttleKeys(typed, meta.ip);

  const states = new Map((await sessions.throttleStates(db, allKeys(keys))).map((s) => [s.key, s]));
  const t = loginThrottle(states, keys, now);
  if (t.refuse_s > 0) {
    await audit.record(db, { at: now, action: 'login_throttled', username: typed, ip: meta.ip, detail: { retry_after_s: t.refuse_s, by: t.refused_by } });
    const why = t.refused_by === 'pair' ? `Too many failed logins for "${typed}" from this address` : 'Too many failed logins from this address';
    throw new DomainError('too_many_requests', `${why}: try again in ${t.refuse_s} s`, { retry_after_s: t.refuse_s });
  }
  if (t.delay_s > 0) await (deps.sleep ?? realSleep)(t.delay_s * 1000);

  const user = await users.findForLogin(db, usernameKey(typed));
  const passwordOk = await verifyPassword(user?.password_hash ?? DUMMY_HASH, input.password);
  if (!user || !passwordOk || user.disabled) {
    const reason = !user ? 'unknown_user' : !passwordOk ? 'wrong_password' : 'disabled';
    await db.transaction(async (tx) => {
      await sessions.recordFailure(tx, allKeys(keys), now, forgetBefore(now));
      await audit.record(tx, { at: now, action: 'login_failed', user_id: user?.id ?? null, username: typed, ip: meta.ip, detail: { reason } });
    });
    throw new DomainError('unauthorized', BAD_LOGIN);
  }

  const token = newToken();
  const roles = user.roles as UserRole[];
  await db.transaction(async (tx) => {
    if (keys.pair) await sessions.clearThrottle(tx, [keys.pair]); // the account's and the address's counts stay: they decay
    const session_id = await sessions.create(tx, {
      user_id: user.id, token_sha256: tokenHash(token), now,
      expires_at: sessionExpiresAt(now, deps.session_max_days ?? SESSION_DEFAULTS.max_days),
      ip: meta.ip, user_agent: meta.user_agent ?? null,
    });
    await audit.record(tx, { at: now, action: 'login', user_id: user.id, username: user.username, target: `session:${session_id}`, ip: meta.ip });
  });
  return { token, user: { id: user.id, username: user.username, roles, department_id: user.department_id, ...keptTo(user.region_code) } };
}

/**
 * The user behind a bearer token. Ends a session found idle or past its lifetime; refreshes last_seen_at at most
 * once a minute.
 * @throws DomainError `unauthorized`
 */
export async function authenticate(deps: AuthDeps, token: string): Promise<AuthUser> {
  if (!TOKEN.test(token)) throw new DomainError('unauthorized', UNAUTHORIZED);
  const now = deps.clock.now();
  const s = await sessions.findOpen(deps.db, tokenHash(token));
  if (!s) throw new DomainError('unauthorized', UNAUTHORIZED);
  const status = sessionStatus(s, now, deps.session_idle_minutes);
  if (status !== 'active') {
    await sessions.end(deps.db, s.session_id, now, status);
    deps.onSessionsEnded?.();
    throw new DomainError('unauthorized', status === 'idle'
      ? `The session ended after ${deps.session_idle_minutes} minutes without use: log in again`
      : 'The session has reached its maximum lifetime: log in again');
  }
  if (needsTouch(s.last_seen_at, now)) {
    await sessions.touch(deps.db, s.session_id, now, new Date(now.getTime() - SESSION_DEFAULTS.touch_every_seconds * 1000));
  }
  return { id: s.user_id, username: s.username, roles: s.roles as UserRole[], department_id: s.department_id, region_code: s.region_code, session_id: s.session_id };
}

/** The logged-in user with their display name, and when the session ends if left unused. */
export async function me(deps: AuthDeps, user: AuthUser) {
  const s = await sessions.getOpen(deps.db, user.session_id);
  if (!s) throw new DomainError('unauthorized', UNAUTHORIZED);
  return {
    user: { id: s.user_id, username: s.username, display_name: s.display_name, roles: s.roles as UserRole[], department_id: s.department_id, ...keptTo(s.region_code) },
    session: { ends_at: sessionEndsAt(s, deps.session_idle_minutes), expires_at: s.expires_at, idle_minutes: deps.session_idle_minutes },
  };
}

export async function logout(deps: AuthDeps, user: AuthUser, meta: RequestMeta): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await sessions.end(tx, user.session_id, now, 'logout');
    await audit.record(tx, { at: now, action: 'logout', user_id: user.id, username: user.username, target: `session:${user.session_id}`, ip: meta.ip });
  });
  deps.onSessionsEnded?.();
}

/** Records a refused request (403) and returns the error to throw. */
export async function recordForbidden(
  deps: Pick<AuthDeps, 'db' | 'clock'>,
  user: AuthUser,
  p: { target: string; required: readonly string[]; ip: string | null },
): Promise<DomainError> {
  await audit.record(deps.db, {
    at: deps.clock.now(), action: 'forbidden', user_id: user.id, username: user.username, target: p.target, ip: p.ip,
    detail: { required: p.required, roles: user.roles },
  });
  return new DomainError('forbidden', `This needs the role ${p.required.join(' or ')}`, { required: p.required });
}

// ── User administration ─────────────────────────────────────────────────────────────────────────────────────

/** Who acts on accounts: an admin, or null for the command line (scripts/create-user.ts). */
export type Admin = AuthUser | null;

export type NewUserInput = {
  username: string;
  password: string;
  roles: string[];
  display_name?: string;
  phone?: string | null;
  department_id?: number | null;
  region_code?: string | null;
};

/** A user for admin screens: no password hash. */
export type UserView = users.UserRow;

/** A user's region (users.region_code) must be a district, street or community of the database. */
async function checkRegion(db: Queryable, region_code: string | null | undefined): Promise<void> {
  if (region_code == null) return;
  if (!(await regions.get(db, region_code))) {
    throw new DomainError('unprocessable', `No district, street or community with code ${region_code}: choose one from the list, or leave it empty for every district`, { field: 'region_code' });
  }
}

async function checkDepartment(db: Queryable, department_id: number | null): Promise<void> {
  if (department_id === null) return;
  const d = await departments.get(db, department_id);
  if (!d) throw new DomainError('bad_request', `No department with id ${department_id}`);
  if (!d.active) throw new DomainError('unprocessable', `The department "${d.name}" is deactivated; reactivate it or choose another`, { field: 'department_id' });
}

/**
 * Creates a user with a policy-checked password (demo users bypass this: services/demo-users.ts).
 * @throws DomainError `bad_request` (roles, username, password, department), `conflict` (username taken)
 */
export async function createUser(deps: Pick<AuthDeps, 'db' | 'clock'>, by: Admin, input: NewUserInput, meta: RequestMeta): Promise<UserView> {
  const username = checkUsername(input.username);
  const department_id = input.department_id ?? null;
  const roles = checkRoles(input.roles, department_id);
  checkPassword(input.password, username);
  const password_hash = await hashPassword(input.password); // outside the transaction: ~30 ms of CPU
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    await checkDepartment(tx, department_id);
    await checkRegion(tx, input.region_code);
    const created = await users.insert(tx, {
      username, display_name: input.display_name?.trim() ?? '', phone: input.phone ?? null, password_hash, roles, department_id, created_at: now,
      region_code: input.region_code ?? null,
    });
    if (!created) throw new DomainError('conflict', `The username "${username}" is taken`);
    await audit.record(tx, {
      at: now, action: 'user_created', user_id: by?.id ?? null, username: by?.username ?? null, target: `user:${created.id}`, ip: meta.ip,
      detail: { username, roles, department_id, region_code: input.region_code ?? null, via: by ? 'api' : 'cli' },
    });
    return created;
  });
}

export type UserPatchInput = {
  display_name?: string;
  phone?: string | null;
  roles?: string[];
  department_id?: number | null;
  region_code?: string | null;
  disabled?: boolean;
  password?: string;
};

/**
 * Changes a user. Disabling a user or setting a new password ends every session of that user.
 * @throws DomainError `not_found`, `bad_request`
 */
export async function updateUser(deps: Pick<AuthDeps, 'db' | 'clock' | 'onSessionsEnded'>, by: Admin, id: number, input: UserPatchInput, meta: RequestMeta): Promise<UserView> {
  const now = deps.clock.now();
  const current = await users.get(deps.db, id);
  if (!current) throw new DomainError('not_found', `No user with id ${id}`);
  const department_id = input.department_id !== undefined ? input.department_id : current.department_id;
  if (input.roles !== undefined || input.department_id !== undefined) checkRoles(input.roles ?? current.roles, department_id);
  if (input.password !== undefined) checkPassword(input.password, current.username);
  if (by && by.id === id && (input.disabled === true || (input.roles && !input.roles.includes('admin') && current.roles.includes('admin')))) {
    throw new DomainError('bad_request', 'An admin cannot disable themself or drop their own admin role');
  }
  const password_hash = input.password !== undefined ? await hashPassword(input.password) : undefined;
  const endReason = input.disabled === true ? 'disabled' : password_hash ? 'revoked' : null;
  const out = await deps.db.transaction(async (tx) => {
    await checkDepartment(tx, input.department_id ?? null);
    await checkRegion(tx, input.region_code);
    const updated = await users.update(tx, id, {
      display_name: input.display_name?.trim(), phone: input.phone, roles: input.roles, department_id: input.department_id,
      region_code: input.region_code, disabled: input.disabled, password_hash,
    });
    if (!updated) throw new DomainError('not_found', `No user with id ${id}`);
    const ended = endReason ? await sessions.endAllOfUser(tx, id, now, endReason) : 0;
    const changed = Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
    const shown = ['display_name', 'phone', 'roles', 'department_id', 'region_code', 'disabled'] as const; // never the password
    const before = Object.fromEntries(shown.filter((k) => changed.includes(k)).map((k) => [k, current[k]]));
    const after = Object.fromEntries(shown.filter((k) => changed.includes(k)).map((k) => [k, updated[k]]));
    await audit.record(tx, {
      at: now, action: 'user_updated', user_id: by?.id ?? null, username: by?.username ?? null, target: `user:${id}`, ip: meta.ip,
      detail: { changed, ...(input.roles ? { roles: input.roles } : {}), ...(input.disabled !== undefined ? { disabled: input.disabled } : {}), sessions_ended: ended, before, after },
    });
    return updated;
  });
  if (endReason) deps.onSessionsEnded?.();
  return out;
}

/**
 * Resets a user's password (admin console): to the one given, or to a generated one returned once (the admin hands it
 * over; it is stored only as its hash). Every session of the user ends. Audited without the password.
 * @throws DomainError `not_found`, `bad_request` (password policy)
 */
export async function resetPassword(deps: Pick<AuthDeps, 'db' | 'clock' | 'onSessionsEnded'>, by: Admin, id: number, input: { password?: string }, meta: RequestMeta): Promise<{ password: string | null; sessions_ended: number }> {
  const current = await users.get(deps.db, id);
  if (!current) throw new DomainError('not_found', `No user with id ${id}`);
  let password = input.password;
  if (password === undefined) {
    do password = generatedPassword(randomBytes(16)); while (password.toLowerCase().includes(current.username.toLowerCase()));
  }
  checkPassword(password, current.username);
  const password_hash = await hashPassword(password);
  const now = deps.clock.now();
  const ended = await deps.db.transaction(async (tx) => {
    const updated = await users.update(tx, id, { password_hash });
    if (!updated) throw new DomainError('not_found', `No user with id ${id}`);
    const n = await sessions.endAllOfUser(tx, id, now, 'revoked');
    await audit.record(tx, {
      at: now, action: 'user_password_reset', user_id: by?.id ?? null, username: by?.username ?? null, target: `user:${id}`, ip: meta.ip,
      detail: { username: current.username, generated: input.password === undefined, sessions_ended: n },
    });
    return n;
  });
  deps.onSessionsEnded?.();
  return { password: input.password === undefined ? password : null, sessions_ended: ended };
}

/** Ends every session of a user (a lost phone); returns how many were open. @throws DomainError `not_found` */
export async function revokeSessions(deps: Pick<AuthDeps, 'db' | 'clock' | 'onSessionsEnded'>, by: Admin, id: number, meta: RequestMeta): Promise<{ revoked: number }> {
  const now = deps.clock.now();
  const out = await deps.db.transaction(async (tx) => {
    const target = await users.get(tx, id);
    if (!target) throw new DomainError('not_found', `No user with id ${id}`);
    const revoked = await sessions.endAllOfUser(tx, id, now, 'revoked');
    await audit.record(tx, {
      at: now, action: 'sessions_revoked', user_id: by?.id ?? null, username: by?.username ?? null, target: `user:${id}`, ip: meta.ip,
      detail: { username: target.username, revoked },
    });
    return { revoked };
  });
  deps.onSessionsEnded?.();
  return out;
}

export async function listUsers(deps: Pick<AuthDeps, 'db'>, f: users.UserFilter) {
  return users.list(deps.db, f);
}

export async function getUser(deps: Pick<AuthDeps, 'db'>, id: number): Promise<UserView> {
  const u = await users.get(deps.db, id);
  if (!u) throw new DomainError('not_found', `No user with id ${id}`);
  return u;
}
