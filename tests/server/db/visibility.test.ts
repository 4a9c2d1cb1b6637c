// Who may see a case is written once (domain/visibility.ts maySee) with one SQL twin (db/visibility.ts, used by
// db/cases.ts list): both must agree on every case × viewer, on both engines.
import { describe, expect, test } from 'vitest';
import { testBackends, withTestDb } from '../../helpers/backends.js';
import { caseDeps, demoUsers, newUser, pointInGrid } from '../../helpers/cases.js';
import { reportCase } from '../../../server/services/cases.js';
import * as cases from '../../../server/db/cases.js';
import * as grids from '../../../server/db/grids.js';
import { visibleWhere } from '../../../server/db/visibility.js';
import { maySee, type Viewer } from '../../../server/domain/visibility.js';

describe.each(testBackends())('visibility on %s', (backend) => {
  test('the domain predicate and the SQL agree on a table of cases × viewers', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const demo = await demoUsers(db);
    const p = await pointInGrid(db);
    const marker = `vis-${Math.random().toString(36).slice(2, 10)}`;
    const base = (await reportCase(deps, demo.inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: marker }, null)).case;

    const depts = (await db.query<{ id: number }>('select id from departments order by id limit 2')).rows.map((r) => Number(r.id));
    const [deptA, deptB] = depts;
    const community = (await db.query<{ code: string }>(`select code from regions where level = 'community' order by code limit 1`)).rows[0].code;
    // Viewers need not be stored users: the rule reads only the viewer's id, roles and department.
    const citizen: NonNullable<Viewer> = { id: 2_000_000_000 + Math.floor(Math.random() * 1e6), roles: [], department_id: null };
    const inspX = await newUser(db, ['inspector']);
    const mixed = await newUser(db, ['inspector', 'department'], deptB);
    const rgs: string[] = [];
    for (const [i, inspector] of [[97, inspX.id], [98, mixed.id], [99, null]] as const) {
      const code = `${community}R${i}`;
      await db.query('delete from responsibility_grids where code = $1', [code]);
      await db.query('insert into responsibility_grids (code, name, community_code, inspector_id) values ($1, $2, $3, $4)', [code, `test ${i}`, community, inspector]);
      rgs.push(code);
    }

    // Every combination of department × reporter × responsibility grid.
    const { id: _id, light: _l, lon, lat, ...template } = (await cases.get(db, base.id, new Date()))!;
    const ids: string[] = [];
    let n = 0;
    for (const department_id of [null, deptA, deptB]) {
      for (const reporter_id of [null, citizen.id, inspX.id]) {
        for (const responsibility_code of [null, ...rgs]) {
          const row = await cases.insert(db, {
            ...template, id: crypto.randomUUID(), case_no: `${template.district_code}${marker}-${n++}`, department_id, reporter_id, responsibility_code, lon, lat,
          }, new Date());
          ids.push(row.id);
        }
      }
    }
    const rows = (await Promise.all(ids.map((id) => cases.get(db, id, new Date()))))
      .map((r) => r!);

    const viewers: [string, Viewer, number][] = [
      ['anonymous', null, 0],
      ['operator', demo.operator, 36],
      ['leader', demo.leader, 36],
      ['admin', demo.admin, 36],
      ['crew of A', await newUser(db, ['department'], deptA), 12],
      ['crew without a department', { id: 2_100_000_000, roles: ['department'], department_id: null }, 0],
      ['a user without a case role who reported 12', citizen, 12],
      ['crew of B who reported 12', { ...(await newUser(db, ['department'], deptB)), id: citizen.id }, 12 + 12 - 4],
      ['inspector X (reported 12, patrols 1 grid)', inspX, 12 + 9 - 3],
      ['inspector + crew of B (patrols 1 grid)', mixed, 12 + 9 - 3],
      ['inspector patrolling nothing here', await newUser(db, ['inspector']), 0],
    ];
    for (const [who, viewer, count] of viewers) {
      const patrolled = new Set(viewer ? await grids.patrolledCodes(db, viewer.id) : []);
      const byPredicate = rows.filter((c) => maySee(viewer, patrolled, c)).map((c) => c.id).sort();
      const params: unknown[] = [ids];
      const where = visibleWhere(viewer, (v) => { params.push(v); return `$${params.length}`; });
      const bySql = (await db.query<{ id: string }>(`select c.id::text as id from cases c where c.id = any($1::uuid[]) and ${where ?? 'true'}`, params))
        .rows.map((r) => r.id).sort();
      expect(bySql, who).toEqual(byPredicate);
      expect(byPredicate.length, who).toBe(count);
      // and the list the API serves (db/cases.ts list) uses the same SQL
      const listed = await cases.list(db, { viewer, text: { q: marker, prefix: `${template.district_code}${marker}-%`, contains: `%${marker}-%` }, limit: 100, offset: 0 }, new Date());
      expect(listed.items.map((c) => c.id).sort(), who).toEqual(byPredicate);
    }
  }));
});
