// Authentication for every route plugin registered after this one: app.authenticate, app.authenticateOptional and
// app.requireRole(...roles) as onRequest hooks, and req.user. Registered with fastify's skip-override (what
// fastify-plugin does), so the decorators land on the root instance instead of an encapsulated child.
//
//   app.get('/api/x', { onRequest: app.authenticate }, async (req) => req.user!.id);
//   app.post('/api/users', { onRequest: app.requireRole('admin') }, …);        // authenticates too
//   app.get('/api/cases', { onRequest: app.authenticateOptional }, …);         // req.user null for the public
//
// The hooks throw DomainErrors (401 `unauthorized`, 403 `forbidden`, recorded in the audit log); the one error
// handler (http/errors.ts) answers. A `retry_after_s` in an error's details becomes a Retry-After header here.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Queryable } from '../../db/types.js';
import { DomainError } from '../../domain/errors.js';
import type { UserRole } from '../../domain/auth.js';
import * as auth from '../../services/auth.js';

export type AuthHook = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: 401 `unauthorized` unless a valid `Authorization: Bearer <token>`; sets req.user. */
    authenticate: AuthHook;
    /** onRequest hook: like authenticate, but no Authorization header means the anonymous public (req.user = null).
     * A token that is sent but invalid still gets 401, so a client with a stale session learns of it. */
    authenticateOptional: AuthHook;
    /** onRequest hook: authenticates (unless already done), then 403 `forbidden` unless the user holds one of
     * `roles`; every refusal is written to the audit log. `admin` is not implied: list it when it should pass. */
    requireRole(...roles: UserRole[]): AuthHook;
  }
  interface FastifyRequest {
    /** The caller after an auth hook ran; null for anonymous callers (and on routes without an auth hook). */
    user: auth.AuthUser | null;
  }
}

export type AuthPluginOptions = {
  db: Queryable; config: Pick<Config, 'session_idle_minutes'>; clock: auth.Clock;
  /** A session found idle or expired was ended: the live hub closes its streams. */
  onSessionsEnded?: () => void;
};

/** The caller of a route guarded by authenticate or requireRole. @throws DomainError `unauthorized` if none */
export function currentUser(req: FastifyRequest): auth.AuthUser {
  if (!req.user) throw new DomainError('unauthorized', 'Not logged in');
  return req.user;
}

/**
 * config.trust_proxy (GRIDLINE_TRUST_PROXY) as fastify's `trustProxy`, which makes req.ip the client's address: a
 * hop count becomes the function fastify itself makes of one (its types omit the number form).
 */
export function trustProxyOption(t: Config['trust_proxy']): false | string[] | ((addr: string, hop: number) => boolean) {
  return typeof t === 'number' ? (_addr, hop) => hop < t : t;
}

/** The request's origin for the audit log and the login throttle: the client's address (see trustProxyOption). */
export function requestMeta(req: FastifyRequest): auth.RequestMeta {
  const ua = req.headers['user-agent'];
  return { ip: req.ip ?? null, user_agent: typeof ua === 'string' ? ua : null };
}

function bearerToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m) throw new DomainError('unauthorized', 'The Authorization header must be "Bearer <token>"');
  return m[1];
}

const authPlugin: FastifyPluginAsync<AuthPluginOptions> = async (app: FastifyInstance, opts) => {
  const deps: auth.AuthDeps = {
    db: opts.db, clock: opts.clock, session_idle_minutes: opts.config.session_idle_minutes, onSessionsEnded: opts.onSessionsEnded,
  };

  app.decorateRequest('user', null);

  const resolve = async (req: FastifyRequest, optional: boolean): Promise<void> => {
    const token = bearerToken(req);
    if (token === null) {
      if (optional) { req.user = null; return; }
      throw new DomainError('unauthorized', 'Log in first: send "Authorization: Bearer <token>" from POST /api/auth/login');
    }
    const u = await auth.authenticate(deps, token);
    req.user = { id: u.id, username: u.username, roles: u.roles, department_id: u.department_id, region_code: u.region_code, session_id: u.session_id };
  };

  const authenticate: AuthHook = async (req) => resolve(req, false);
  const authenticateOptional: AuthHook = async (req) => resolve(req, true);

  app.decorate('authenticate', authenticate);
  app.decorate('authenticateOptional', authenticateOptional);
  app.decorate('requireRole', (...roles: UserRole[]): AuthHook => {
    if (!roles.length) throw new Error('requireRole needs at least one role');
    return async (req) => {
      if (!req.user) await resolve(req, false);
      const user = req.user!;
      if (user.roles.some((r) => roles.includes(r))) return;
      throw await auth.recordForbidden(deps, user, {
        target: `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`, required: roles, ip: req.ip ?? null,
      });
    };
  });

  // Retry-After for throttled logins (and any other error that says how long to wait): set before the error
  // handler runs, which keeps headers already on the reply.
  app.addHook('onError', async (_req, reply, err) => {
    if (err instanceof DomainError && err.details && typeof err.details === 'object') {
      const s = (err.details as { retry_after_s?: unknown }).retry_after_s;
      if (typeof s === 'number' && s > 0) reply.header('Retry-After', String(Math.ceil(s)));
    }
  });
};

// fastify-plugin's effect without the dependency: do not encapsulate, so the decorators reach every route plugin.
Object.defineProperty(authPlugin, Symbol.for('skip-override'), { value: true });
Object.defineProperty(authPlugin, Symbol.for('fastify.display-name'), { value: 'gridline-auth' });

export default authPlugin;
