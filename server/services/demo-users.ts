// The demo users of docs/api.md (password `demo`, demo data only) and the responsibility grids (责任网格) of the two
// inspectors. Called at the end of loadDemo; safe to run again (existing users and grids are kept).
import type { Queryable } from '../db/types.js';
import * as users from '../db/users.js';
import * as demoDb from '../db/demo.js';
import { hashPassword } from './auth.js';
import type { UserRole } from '../domain/auth.js';

export const DEMO_PASSWORD = 'demo';

type DemoUser = { username: string; display_name: string; roles: UserRole[]; crew?: true };

export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'inspector1', display_name: '监督员一 Inspector 1', roles: ['inspector'] },
  { username: 'inspector2', display_name: '监督员二 Inspector 2', roles: ['inspector'] },
  { username: 'operator1', display_name: '受理员 Operator', roles: ['operator'] },
  { username: 'shiftlead1', display_name: '值班长 Shift leader', roles: ['shift_leader'] },
  { username: 'dispatcher1', display_name: '派遣员 Dispatcher', roles: ['dispatcher'] },
  { username: 'crew1', display_name: '环卫作业班 Sanitation crew', roles: ['department'], crew: true },
  { username: 'leader1', display_name: '指挥长 Leader', roles: ['leader'] },
  { username: 'admin', display_name: '系统管理员 Administrator', roles: ['admin'] },
];

/** Unit grids per responsibility grid, and per demo inspector: Dongcheng's norm of about 18. */
export const UNIT_GRIDS_PER_INSPECTOR = 18;

/**
 * Seeds the demo users and gives inspector1 and inspector2 responsibility grids over consecutive communities
 * (about 18 unit grids each; code = community + 'R' + 2 digits). Returns the number of users created.
 */
export async function seedDemoUsers(db: Queryable): Promise<number> {
  // The default department of exposed garbage (06010, sanitation 环卫), else a sanitation one, else the first.
  const department_id = await demoDb.crewDepartment(db);
  const hashes = await Promise.all(DEMO_USERS.map(() => hashPassword(DEMO_PASSWORD)));
  return db.transaction(async (tx) => {
    let created = 0;
    const ids = new Map<string, number>();
    for (const [i, u] of DEMO_USERS.entries()) {
      if (u.crew && department_id === null) continue; // no departments loaded: no crew
      const row = await users.insert(tx, {
        username: u.username, display_name: u.display_name, phone: null, password_hash: hashes[i], roles: u.roles,
        department_id: u.crew ? department_id : null, created_at: new Date(),
      });
      if (row) created++;
      const id = row?.id ?? (await users.byUsername(tx, u.username))?.id;
      if (id !== undefined) ids.set(u.username, id);
    }
    await seedResponsibilityGrids(tx, [ids.get('inspector1'), ids.get('inspector2')].filter((x): x is number => x !== undefined));
    return created;
  });
}

/**
 * Takes the current unit grids community by community (in code order) and cuts each community's grids into
 * responsibility grids of at most UNIT_GRIDS_PER_INSPECTOR; each inspector gets the next responsibility grids until
 * they cover about UNIT_GRIDS_PER_INSPECTOR unit grids. Grids already in a responsibility grid are left alone.
 */
async function seedResponsibilityGrids(db: Queryable, candidates: number[]): Promise<void> {
  const having = await demoDb.inspectorsWithGrids(db, candidates);
  const inspectors = candidates.filter((id) => !having.includes(id)); // already patrolling: keep as is
  if (!inspectors.length) return;
  const rows = await demoDb.unassignedGrids(db, UNIT_GRIDS_PER_INSPECTOR * inspectors.length * 2);
  // Cut into responsibility grids: per community, chunks of at most UNIT_GRIDS_PER_INSPECTOR.
  const rgrids: { community_code: string; name: string; grids: string[] }[] = [];
  for (const g of rows) {
    const last = rgrids[rgrids.length - 1];
    if (last && last.community_code === g.community_code && last.grids.length < UNIT_GRIDS_PER_INSPECTOR) last.grids.push(g.code);
    else rgrids.push({ community_code: g.community_code, name: g.community_name, grids: [g.code] });
  }
  const assigned: { code: string; name: string; community_code: string; inspector_id: number; grids: string[] }[] = [];
  const seq = new Map<string, number>();
  let next = 0;
  for (const inspector_id of inspectors) {
    let covered = 0;
    while (covered < UNIT_GRIDS_PER_INSPECTOR && next < rgrids.length) {
      const r = rgrids[next++];
      const n = await nextSequence(db, r.community_code, seq);
      if (n > 99) continue;
      const code = `${r.community_code}R${String(n).padStart(2, '0')}`;
      assigned.push({ code, name: `${r.name} 责任网格 ${String(n).padStart(2, '0')}`, community_code: r.community_code, inspector_id, grids: r.grids });
      covered += r.grids.length;
    }
  }
  await demoDb.insertResponsibilityGrids(db, assigned);
}

/** The next free 2-digit sequence of a community's responsibility grids (01 when it has none). */
async function nextSequence(db: Queryable, community_code: string, seen: Map<string, number>): Promise<number> {
  let n = seen.get(community_code);
  if (n === undefined) {
    n = await demoDb.lastResponsibilitySequence(db, community_code);
  }
  seen.set(community_code, n + 1);
  return n + 1;
}
