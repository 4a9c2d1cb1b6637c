// A session opened by a trusted local process that already holds the database (the report CLI, scripts/report.ts):
// no password, a short lifetime, recorded in the audit log, ended when the process is done.
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/types.js';
import * as sessions from '../db/sessions.js';
import * as users from '../db/users.js';
import * as audit from '../db/audit.js';
import { DomainError } from '../domain/errors.js';

/** Roles whose view the monthly report is printed with (they see every case). */
const REPORT_ROLES = ['leader', 'admin'] as const;

export type ServiceSession = {
  token: string; session_id: number;
  user: { id: number; username: string; roles: string[]; department_id: number | null };
};

/**
 * Opens a session for `username`, or for the first enabled leader (else admin) when none is named. The token has the
 * format of a login's (32 random bytes, base64url) and lives one hour at most.
 * @throws DomainError not_found when there is no such user, or no leader or admin at all
 */
export async function openServiceSession(db: Queryable, now: Date, purpose: string, username?: string): Promise<ServiceSession> {
  let user: users.UserRow | null = null;
  if (username) {
    user = await users.byUsername(db, username);
    if (!user || user.disabled) throw new DomainError('not_found', `No enabled user "${username}"; name a leader or admin with --user`);
  } else {
    for (const role of REPORT_ROLES) {
      const { items } = await users.list(db, { role, limit: 1, offset: 0 });
      user = items.find((u) => !u.disabled) ?? null;
      if (user) break;
    }
    if (!user) throw new DomainError('not_found', 'No leader or admin user exists to print the report as; create one (npm run user:create) or name one with --user');
  }
  const token = randomBytes(32).toString('base64url');
  const session_id = await db.transaction(async (tx) => {
    const id = await sessions.create(tx, {
      user_id: user!.id, token_sha256: createHash('sha256').update(token).digest('hex'), now,
      expires_at: new Date(now.getTime() + 3_600_000), ip: null, user_agent: purpose,
    });
    await audit.record(tx, { at: now, action: 'login', user_id: user!.id, username: user!.username, target: `session:${id}`, detail: { via: purpose } });
    return id;
  });
  return { token, session_id, user: { id: user.id, username: user.username, roles: user.roles, department_id: user.department_id } };
}

/** Ends a service session (as a logout). */
export async function endServiceSession(db: Queryable, s: ServiceSession, now: Date): Promise<void> {
  await sessions.end(db, s.session_id, now, 'logout');
}
