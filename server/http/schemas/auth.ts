// Response schemas of login, the current user and user administration (docs/api.md: POST /api/auth/login is public contract).
import { Type, type Static } from '@fastify/type-provider-typebox';
import { USER_ROLES, type UserRole } from '../../domain/auth.js';
import { DateTime, Exact, Nullable } from './shapes.js';

export const RoleName = Type.Unsafe<UserRole>({ type: 'string', enum: [...USER_ROLES], description: 'a role (岗位) of workflow.md, or admin' });

/** A user id: the same number everywhere (auth user, case reporter, workflow actor, audit log). */
export const UserIdSchema = Type.Integer({ minimum: 1, description: 'user id' });

export const LoginUserView = Exact({
  id: UserIdSchema,
  username: Type.String(),
  roles: Type.Array(RoleName),
  department_id: Nullable(Type.Integer(), { description: 'the department of a crew (role department), else usually null' }),
  region_code: Nullable(Type.String({ pattern: '^[0-9]{6}([0-9]{3}){0,2}$' }), { description: 'the district, street or community the user is kept to (issue 12); null: every district' }),
  district_code: Nullable(Type.String({ pattern: '^[0-9]{6}$' }), { description: "the district of region_code (its first six digits): every read of the user is kept to it; null: every district" }),
});
export type SessionUser = Static<typeof LoginUserView>;

export const LoginResultSchema = Exact({ token: Type.String({ description: 'opaque bearer token' }), user: LoginUserView });
export type LoginResult = Static<typeof LoginResultSchema>;

export const MeResultSchema = Exact({
  user: Exact({ ...LoginUserView.properties, display_name: Type.String() }),
  session: Exact({
    ends_at: DateTime('idle timeout or absolute lifetime, whichever is first'),
    expires_at: DateTime('absolute lifetime'),
    idle_minutes: Type.Integer(),
  }),
});
export type MeResult = Static<typeof MeResultSchema>;
