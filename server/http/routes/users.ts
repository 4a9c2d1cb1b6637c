// User administration (admin only): list, create, change, end every session of a user (a lost phone).
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as auth from '../../services/auth.js';
import { ErrorBody } from '../schemas/common.js';
import type { UserRole } from '../../domain/auth.js';
import { currentUser, requestMeta } from '../plugins/auth.js';
import { RoleName, type AuthRouteDeps } from './auth.js';

const UserId = Type.Integer({ minimum: 1, description: 'user id' });
const Phone = Type.String({ pattern: '^[0-9+() -]{3,32}$' });
/** A district (6 digits), street (9) or community (12) code: a user's region (users.region_code). */
const RegionCode = Type.String({ pattern: '^[0-9]{6}([0-9]{3}([0-9]{3})?)?$', description: 'district (6 digits), street (9) or community (12) code' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const UserView = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  display_name: Type.String(),
  phone: Nullable(Type.String()),
  roles: Type.Array(RoleName),
  department_id: Nullable(Type.Integer()),
  region_code: Nullable(Type.String({ description: 'the district, street or community the user works in; null = every district' })),
  disabled: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
});
const UserListItem = Type.Object({ ...UserView.properties, open_sessions: Type.Integer() });

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody }; // 422: a deactivated department

const view = <U extends auth.UserView>(u: U) => ({ ...u, roles: u.roles as UserRole[], created_at: u.created_at.toISOString() });

const userRoutes: FastifyPluginAsyncTypebox<{ deps: AuthRouteDeps }> = async (app, { deps }) => {
  const adminOnly = app.requireRole('admin');

  app.get('/api/users', {
    onRequest: adminOnly,
    schema: {
      tags: ['users'], summary: 'Users (admin); never their password hashes',
      querystring: Type.Object({
        role: Type.Optional(RoleName),
        department_id: Type.Optional(Type.Integer({ minimum: 1 })),
        include_disabled: Type.Boolean({ default: true }),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
        offset: Type.Integer({ minimum: 0, default: 0 }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(UserListItem), total: Type.Integer() }), ...errors },
    },
  }, async (req) => {
    const { items, total } = await auth.listUsers(deps, req.query);
    return { items: items.map(view), total };
  });

  app.get('/api/users/:id', {
    onRequest: adminOnly,
    schema: {
      tags: ['users'], summary: 'One user (admin)',
      params: Type.Object({ id: UserId }),
      response: { 200: UserView, ...errors },
    },
  }, async (req) => view(await auth.getUser(deps, req.params.id)));

  app.post('/api/users', {
    onRequest: adminOnly,
    schema: {
      tags: ['users'], summary: 'Create a user (admin)',
      description: 'Password policy: 12–256 characters, not containing the username, not a well-known password. '
        + 'A crew (role department) needs department_id. 409 when the username is taken (case-insensitively).',
      body: Type.Object({
        username: Type.String({ minLength: 1, maxLength: 64 }),
        password: Type.String({ minLength: 1, maxLength: 1024 }),
        roles: Type.Array(RoleName, { minItems: 1, uniqueItems: true }),
        display_name: Type.Optional(Type.String({ maxLength: 100 })),
        phone: Type.Optional(Nullable(Phone)),
        department_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
        region_code: Type.Optional(Nullable(RegionCode)),
      }, { additionalProperties: false }),
      response: { 201: UserView, ...errors, 409: ErrorBody },
    },
  }, async (req, reply) => {
    const u = await auth.createUser(deps, currentUser(req), req.body, requestMeta(req));
    return reply.status(201).send(view(u));
  });

  app.patch('/api/users/:id', {
    onRequest: adminOnly,
    schema: {
      tags: ['users'], summary: 'Change a user (admin); disabling or a new password ends their sessions',
      params: Type.Object({ id: UserId }),
      body: Type.Object({
        display_name: Type.Optional(Type.String({ maxLength: 100 })),
        phone: Type.Optional(Nullable(Phone)),
        roles: Type.Optional(Type.Array(RoleName, { minItems: 1, uniqueItems: true })),
        department_id: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
        region_code: Type.Optional(Nullable(RegionCode)),
        disabled: Type.Optional(Type.Boolean()),
        password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
      }, { additionalProperties: false, minProperties: 1 }),
      response: { 200: UserView, ...errors },
    },
  }, async (req) => view(await auth.updateUser(deps, currentUser(req), req.params.id, req.body, requestMeta(req))));

  app.post('/api/users/:id/password', {
    onRequest: adminOnly,
    schema: {
      tags: ['users'], summary: 'Reset a user\'s password (admin): to the one sent, or a generated one answered once; every session of the user ends',
      description: 'Without password the server generates one (16 characters, shown in this answer only; hand it over in person). '
        + 'The same password policy as creating a user. Audited without the password.',
      params: Type.Object({ id: UserId }),
      body: Type.Object({ password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          password: Nullable(Type.String({ description: 'the generated password; null when the request set one' })),
          sessions_ended: Type.Integer(),
        }, { additionalProperties: false }),
        ...errors,
      },
    },
  }, async (req) => auth.resetPassword(deps, currentUser(req), req.params.id, req.body ?? {}, requestMeta(req)));

  app.post('/api/users/:id/sessions/revoke', {
    onRequest: adminOnly,
    schema: {
      tags: ['users'], summary: 'End every session of a user (admin), e.g. after a lost phone',
      params: Type.Object({ id: UserId }),
      response: { 200: Type.Object({ revoked: Type.Integer({ description: 'sessions that were open' }) }), ...errors },
    },
  }, async (req) => auth.revokeSessions(deps, currentUser(req), req.params.id, requestMeta(req)));
};

export default userRoutes;
