// Login, logout and the current user: api.md (POST /api/auth/login is part of the public contract).
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import * as auth from '../../services/auth.js';
import { USER_ROLES, type UserRole } from '../../domain/auth.js';
import { ErrorBody } from '../schemas/common.js';
import { currentUser, requestMeta } from '../plugins/auth.js';

export type AuthRouteDeps = Deps & { clock: auth.Clock };

export const RoleName = Type.Unsafe<UserRole>({ type: 'string', enum: [...USER_ROLES], description: 'a role (岗位) of workflow.md, or admin' });

export const LoginUserView = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  roles: Type.Array(RoleName),
  department_id: Type.Union([Type.Integer(), Type.Null()], { description: 'the department of a crew (role department), else usually null' }),
});

const authRoutes: FastifyPluginAsyncTypebox<{ deps: AuthRouteDeps }> = async (app, { deps }) => {
  const authDeps: auth.AuthDeps = { db: deps.db, clock: deps.clock, session_idle_minutes: deps.config.session_idle_minutes };

  app.post('/api/auth/login', {
    schema: {
      tags: ['auth'], summary: 'Log in; the token goes in "Authorization: Bearer …"',
      description: 'A wrong username and a wrong password get the same 401. After 5 failures for a username or a client '
        + 'address within 15 minutes, further attempts wait 1, 2, 4 … up to 30 s: refused meanwhile with 429 and Retry-After.',
      body: Type.Object({
        username: Type.String({ minLength: 1, maxLength: 100 }),
        password: Type.String({ minLength: 1, maxLength: 1024 }),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({ token: Type.String({ description: 'opaque bearer token' }), user: LoginUserView }),
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
        200: Type.Object({
          user: Type.Object({ ...LoginUserView.properties, display_name: Type.String() }),
          session: Type.Object({
            ends_at: Type.String({ format: 'date-time', description: 'idle timeout or absolute lifetime, whichever is first' }),
            expires_at: Type.String({ format: 'date-time', description: 'absolute lifetime' }),
            idle_minutes: Type.Integer(),
          }),
        }),
        401: ErrorBody,
      },
    },
  }, async (req) => {
    const { user, session } = await auth.me(authDeps, currentUser(req));
    return { user, session: { ...session, ends_at: session.ends_at.toISOString(), expires_at: session.expires_at.toISOString() } };
  });
};

export default authRoutes;
