// Login, logout and the current user: docs/api.md (POST /api/auth/login is part of the public contract).
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import * as auth from '../../services/auth.js';
import { ErrorBody } from '../schemas/common.js';
import { LoginResultSchema, MeResultSchema } from '../schemas/auth.js';
import { currentUser, requestMeta } from '../plugins/auth.js';

/** onSessionsEnded: the live hub closes the streams of sessions that logout, revocation or disabling ended. */
export type AuthRouteDeps = Deps & { clock: auth.Clock; onSessionsEnded?: () => void };

export { RoleName, LoginUserView } from '../schemas/auth.js';

const authRoutes: FastifyPluginAsyncTypebox<{ deps: AuthRouteDeps }> = async (app, { deps }) => {
  const authDeps: auth.AuthDeps = {
    db: deps.db, clock: deps.clock, session_idle_minutes: deps.config.session_idle_minutes, onSessionsEnded: deps.onSessionsEnded,
  };

  app.post('/api/auth/login', {
    schema: {
      tags: ['auth'], summary: 'Log in; the token goes in "Authorization: Bearer …"',
      description: 'A wrong username and a wrong password get the same 401. Failures are counted per (username, client address), '
        + 'per client address and per username, each forgotten 15 minutes after its last failure. After 5 failures of one '
        + 'username from one address, that pair waits 1, 2, 4 … up to 300 s; after 20 failures from one address (any '
        + 'usernames), that address waits likewise: refused meanwhile with 429 and Retry-After. After 50 failures of one '
        + 'username from any addresses, every attempt on it is answered 1–4 s later, never refused: the owner\'s right '
        + 'password from another address still logs in. The client address is the socket\'s, or behind proxies trusted by '
        + 'GRIDLINE_TRUST_PROXY the X-Forwarded-For client\'s.',
      body: Type.Object({
        username: Type.String({ minLength: 1, maxLength: 100 }),
        password: Type.String({ minLength: 1, maxLength: 1024 }),
      }, { additionalProperties: false }),
      response: {
        200: LoginResultSchema,
        400: ErrorBody, 401: ErrorBody, 429: ErrorBody,
      },
    },
  }, async (req) => auth.login(authDeps, req.body, requestMeta(req)));

  app.post('/api/auth/logout', {
    onRequest: app.authenticate,
    schema: {
      tags: ['auth'], summary: 'End the current session',
      response: { 204: Type.Null({ description: 'the session has ended' }), 401: ErrorBody },
    },
  }, async (req, reply) => {
    await auth.logout(authDeps, currentUser(req), requestMeta(req));
    return reply.status(204).send(null);
  });

  app.get('/api/auth/me', {
    onRequest: app.authenticate,
    schema: {
      tags: ['auth'], summary: 'The logged-in user and when the session ends if left unused',
      response: {
        200: MeResultSchema,
        401: ErrorBody,
      },
    },
  }, async (req) => {
    const { user, session } = await auth.me(authDeps, currentUser(req));
    return { user, session: { ...session, ends_at: session.ends_at.toISOString(), expires_at: session.expires_at.toISOString() } };
  });
};

export default authRoutes;
