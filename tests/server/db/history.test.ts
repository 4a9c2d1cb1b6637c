// The demo's simulated history loaded into the fixture district (a short window): cases, trails, suspensions and
// evaluation facts bulk-loaded on both engines; trails verify, facts match the trails, open cases show lights, and
// the live workflow carries on from a simulated case.
import { describe, expect, test } from 'vitest';
import { testBackends, withTestDb } from '../../helpers/backends.js';
import { loadHistory } from '../../../server/services/history.js';
import { actOnCase, readCase, verifyAllTrails } from '../../../server/services/cases.js';
import { loadWorkRules } from '../../../server/services/work-rules.js';
import { localTime } from '../../../server/domain/calendar.js';
import * as cases from '../../../server/db/cases.js';

const work = loadWorkRules();
const END = localTime(work.calendar, '2026-03-11 00:00');

describe.each(testBackends())('simulated history on %s', (backend) => {
  test('7 days load with trails that verify, facts that match them, and open cases with lights', () => withTestDb(backend, async (db) => {
    const before = (await db.query<{ n: number }>('select count(*)::int as n from case_events')).rows[0].n;
    const s = await loadHistory(db, { seed: 5, days: 7, end: END, work });
    expect(s.cases).toBeGreaterThan(650);
    expect(s.from).toEqual(new Date(END.getTime() - 7 * 86_400_000));

    const one = async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows[0];
    expect(await one(`select count(*)::int as n, count(distinct case_no)::int as numbers, min(created_at) >= $1 as after_start, max(updated_at) < $2 as before_end
                        from cases where origin = 'simulated'`, [s.from, END]))
      .toEqual({ n: s.cases, numbers: s.cases, after_start: true, before_end: true });
    expect(await one(`select count(*)::int as n from cases where origin = 'simulated' and case_no !~ ('^' || district_code || '2026(02|03)[0-9]{2}[0-9]{6}$')`)).toEqual({ n: 0 });
    // numbered per district and local day from the counters (migrations/0063): each day's serials run without a gap
    // from 000001 (no case of these days before), and the day's counter stands at the last
    expect(await one(`select count(*)::int as days, count(*) filter (where d.lo <> 1 or d.hi <> d.n or k.last_no is distinct from d.hi)::int as wrong
                        from (select left(case_no, 6) as district_code, to_date(substr(case_no, 7, 8), 'YYYYMMDD') as local_date, count(*) as n,
                                     min(substr(case_no, 15)::int) as lo, max(substr(case_no, 15)::int) as hi
                                from cases where origin = 'simulated' group by 1, 2) d
                        left join case_no_counters k using (district_code, local_date)`)).toEqual({ days: 7, wrong: 0 });
    expect(await one<{ n: number }>(`select count(*)::int as n from case_trail t join cases c on c.id = t.case_id and c.district_code = t.district_code where c.origin = 'simulated'`)).toEqual({ n: s.trail_entries });
    // no live events for history; the version of each case is its trail length; the head is its last hash
    expect((await db.query<{ n: number }>('select count(*)::int as n from case_events')).rows[0].n).toBe(before);
    expect(await one(`select count(*)::int as n from cases c where origin = 'simulated' and (c.version <> (select count(*) from case_trail t where t.case_id = c.id and t.district_code = c.district_code)
                        or c.trail_head <> (select hash from case_trail t where t.case_id = c.id and t.district_code = c.district_code order by seq desc limit 1))`)).toEqual({ n: 0 });

    const v = await verifyAllTrails(db);
    expect(v.broken).toEqual([]);
    expect(v.checked).toBeGreaterThanOrEqual(s.cases);

    // facts: one dispatch row per dispatch entry, a step row for every case, and steps that ended
    const f = await one<{ facts: number; entries: number; without_steps: number; fed: number; on_time: number }>(
      `select (select count(*)::int from case_dispatches d join cases c on c.id = d.case_id and c.district_code = d.district_code where c.origin = 'simulated') as facts,
              (select count(*)::int from case_trail t join cases c on c.id = t.case_id and c.district_code = t.district_code where c.origin = 'simulated' and t.action = 'dispatch') as entries,
              (select count(*)::int from cases c where c.origin = 'simulated' and not exists (select 1 from case_steps s where s.case_id = c.id and s.district_code = c.district_code)) as without_steps,
              (select count(*)::int from case_dispatches d join cases c on c.id = d.case_id and c.district_code = d.district_code where c.origin = 'simulated' and d.outcome = 'feedback') as fed,
              (select count(*)::int from case_dispatches d join cases c on c.id = d.case_id and c.district_code = d.district_code where c.origin = 'simulated' and d.on_time) as on_time`);
    expect(f.facts).toBe(f.entries);
    expect(f.without_steps).toBe(0);
    expect(f.on_time / f.fed).toBeGreaterThan(0.5);
    expect(f.on_time / f.fed).toBeLessThan(0.98);

    // suspensions: every suspended case has its open interval
    expect(await one(`select count(*)::int as n from cases c where origin = 'simulated' and status = 'suspended'
                        and not exists (select 1 from case_suspensions s where s.case_id = c.id and s.district_code = c.district_code and s.ended_at is null)`)).toEqual({ n: 0 });
    expect((await one<{ n: number }>(`select count(*)::int as n from case_suspensions s join cases c on c.id = s.case_id and c.district_code = s.district_code where c.origin = 'simulated'`)).n).toBeGreaterThan(0);

    // open cases show lights at the window's end, some red; suspended and finished cases show none
    const lights = (await db.query<{ light: string | null; n: number }>(
      `select ${cases.LIGHT_SQL} as light, count(*)::int as n from cases c where c.origin = 'simulated' and c.status not in ('closed', 'void', 'suspended') group by 1`,
      [END])).rows;
    expect(lights.find((l) => l.light === null)).toBeUndefined();
    expect(lights.find((l) => l.light === 'red')?.n).toBeGreaterThan(0);
    expect(lights.reduce((a, l) => a + l.n, 0)).toBeGreaterThan(50);
  }), 300_000);

  test('the live workflow carries on from a simulated case: a leader urges it and the chain continues', () => withTestDb(backend, async (db) => {
    await loadHistory(db, { seed: 6, days: 3, end: END, work });
    const { rows } = await db.query<{ id: string }>(`select id::text as id from cases where origin = 'simulated' and status = 'handling' order by created_at limit 1`);
    const { rows: [leader] } = await db.query<{ id: number }>(`select id from users where username = 'leader1'`);
    const user = { id: Number(leader.id), username: 'leader1', roles: ['leader'], department_id: null };
    const now = new Date(END.getTime() + 3_600_000);
    const deps = { db, clock: { now: () => now }, work };
    const before = await readCase(deps, user, rows[0].id);
    expect(before.origin).toBe('simulated');
    expect(before.available_actions).toContain('urge');
    const after = await actOnCase(deps, user, rows[0].id, { action: 'urge', version: before.version });
    expect(after).toMatchObject({ urged: true, version: before.version + 1, origin: 'simulated' });
    const v = await verifyAllTrails(db);
    expect(v.broken).toEqual([]);
  }), 300_000);
});
