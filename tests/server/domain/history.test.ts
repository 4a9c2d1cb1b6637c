// The demo's simulated history (server/demo/history.ts): deterministic for a seed, every trail a valid hash chain
// that replays through the real workflow rules, plausible volumes, channels and outcomes.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseCsvObjects } from '../../../server/domain/csv.js';
import { defaultDepartmentName } from '../../../server/domain/departments.js';
import { decide, applyDecision, type CaseAction, type CaseSource, type CaseState, type Role } from '../../../server/domain/workflow.js';
import { verifyChain } from '../../../server/domain/trail.js';
import { localTime } from '../../../server/domain/calendar.js';
import { simulateHistory, handlingShare, type HistoryClass, type HistoryGrid, type HistoryInput, type SimulatedCase } from '../../../server/demo/history.js';
import { loadWorkRules } from '../../../server/services/work-rules.js';
import { readHistoryData } from '../../../server/services/history.js';
import { factsOf } from '../../../server/services/facts.js';

const work = loadWorkRules();
const { profile, handling } = readHistoryData();

/** 10 × 10 square grids of ~100 m at Cambridge's latitude; inspector 101 patrols the first 18. */
function world(): Pick<HistoryInput, 'grids' | 'classes' | 'components' | 'departments' | 'staff'> {
  const grids: HistoryGrid[] = [];
  for (let i = 0; i < 100; i++) {
    const x0 = -71.12 + (i % 10) * 0.0012;
    const y0 = 42.37 + Math.floor(i / 10) * 0.0009;
    const community = `900001001${String(1 + Math.floor(i / 25)).padStart(3, '0')}`;
    grids.push({
      code: `${community}${String(1 + (i % 25)).padStart(3, '0')}`, community_code: community, street_code: '900001001', district_code: '900001',
      responsibility_code: i < 18 ? `${community}R01` : null, inspector_id: i < 18 ? 101 : null,
      inside: [x0 + 0.0006, y0 + 0.00045], rings: [[[x0, y0], [x0 + 0.0012, y0], [x0 + 0.0012, y0 + 0.0009], [x0, y0 + 0.0009], [x0, y0]]],
      address: 'Massachusetts Avenue',
    });
  }
  const matters = parseCsvObjects(readFileSync('data/standard/matters.csv', 'utf8'));
  const names = [...new Set(matters.map((m) => defaultDepartmentName(m.typical_department)).filter((n): n is string => !!n))].sort();
  const classes = new Map<string, HistoryClass>(matters.map((m) => [m.code, {
    code: m.code, kind: m.kind as HistoryClass['kind'], name_zh: m.name_zh, name_en: m.name_en,
    department_id: 1 + names.indexOf(defaultDepartmentName(m.typical_department)!),
  }]));
  const sanitation = classes.get('06010')!.department_id!;
  return {
    grids, classes, components: [{ id: '90000101037000001', class_code: '01037', grid_code: grids[5].code, lon: -71.1145, lat: 42.37045, department_id: 7 }],
    departments: names.map((_, i) => i + 1),
    staff: { operator: 102, shift_leader: 103, dispatcher: 104, leader: 105, crews: new Map([[sanitation, 106]]) },
  };
}

const END = localTime(work.calendar, '2026-03-11 00:00');
const run = (seed: number, days: number, end = END) => simulateHistory({
  seed, start: new Date(end.getTime() - days * 86_400_000), end, calendar: work.calendar, limits: work.limits, profile, handling, ...world(),
});
const base = run(7, 28);
const cases = base.cases;
const count = (pred: (c: SimulatedCase) => boolean) => cases.filter(pred).length;

describe('simulateHistory', { timeout: 60_000 }, () => {
  test('the same seed gives the same cases and trails; another seed gives others', () => {
    const heads = (r: ReturnType<typeof run>) => r.cases.map((c) => `${c.row.id} ${c.row.trail_head}`);
    expect(heads(run(7, 28))).toEqual(heads(base));
    const known = new Set(heads(base).map((h) => h.split(' ')[0]));
    const other = heads(run(8, 7));
    expect(other.length).toBeGreaterThan(0);
    expect(other.filter((h) => known.has(h.split(' ')[0]))).toEqual([]);
  }, 60_000);

  test('a short window is the tail of a long one: a day\'s cases depend on the seed and the day only', () => {
    const short = run(7, 7);
    const since = short.cases[0].row.created_at.getTime();
    const tail = cases.filter((c) => c.row.created_at.getTime() >= since);
    expect(short.cases.map((c) => c.row.trail_head)).toEqual(tail.map((c) => c.row.trail_head));
  });

  test('every trail is a valid hash chain ending at the case\'s head, version = entries', () => {
    for (const c of cases) {
      expect(verifyChain(c.trail, { head: c.row.trail_head })).toEqual({ ok: true });
      expect(c.row.version).toBe(c.trail.length);
      expect(c.trail[0]).toMatchObject({ seq: 1, action: 'report', data: expect.objectContaining({ simulated: true }) });
      expect(c.row.origin).toBe('simulated');
      for (let i = 1; i < c.trail.length; i++) expect(new Date(c.trail[i].at).getTime()).toBeGreaterThan(new Date(c.trail[i - 1].at).getTime());
      expect(c.row.updated_at.getTime()).toBeLessThan(END.getTime());
    }
  });

  test('every trail replays through decide(): each entry is a legal move by its role to the status it records', () => {
    for (const c of cases) {
      let state: CaseState = { status: c.trail[0].to_status as CaseState['status'], source: c.row.source as CaseSource };
      for (let i = 1; i < c.trail.length; i++) {
        const e = c.trail[i];
        const data = e.data as { fields: Record<string, unknown>; department_id: number | null };
        const actor = { roles: [e.role as Role], department_id: e.role === 'department' ? data.department_id : null };
        if (state.status === 'handling') state = { ...state, overdue_after: new Date(c.trail[i - 1].deadline_at as Date) };
        const d = decide(state, e.action as CaseAction, actor, data.fields, new Date(e.at));
        expect(d.to).toBe(e.to_status);
        state = applyDecision(state, d);
        if (e.action === 'dispatch') state.department_id = String(data.department_id);
      }
      expect(state.status).toBe(c.row.status);
    }
  });

  test('volumes are realistic: 100–260 reports a day, fewer on weekends; about 82 % from inspectors', () => {
    const perDay = cases.length / base.days;
    expect(perDay).toBeGreaterThan(100);
    expect(perDay).toBeLessThan(260);
    const share = (s: string) => count((c) => c.row.source === s) / cases.length;
    expect(share('inspector')).toBeGreaterThan(0.75);
    expect(share('inspector')).toBeLessThan(0.88);
    expect(share('public')).toBeGreaterThan(0.05);
    expect(share('hotline')).toBeGreaterThan(0.04);
    const weekday = (c: SimulatedCase) => new Date(c.row.created_at.getTime() + 8 * 3_600_000).getUTCDay();
    const weekend = count((c) => [0, 6].includes(weekday(c))) / 8; // 4 weekends in 28 days
    const weekdays = count((c) => ![0, 6].includes(weekday(c))) / 20;
    expect(weekend).toBeLessThan(weekdays * 0.8);
  });

  test('public and hotline reports are verified (核实) first; some are not found and rejected', () => {
    const external = cases.filter((c) => c.row.source !== 'inspector' && c.trail.length > 1);
    for (const c of external) expect(c.trail[1].action).toBe('send_verify');
    const verified = external.filter((c) => c.trail.some((e) => e.action === 'verify'));
    const notFound = verified.filter((c) => c.row.verify_found === false);
    expect(notFound.length / verified.length).toBeGreaterThan(0.03);
    expect(notFound.length / verified.length).toBeLessThan(0.2);
    for (const c of notFound) expect(c.row.status).toBe('void');
  });

  test('the loop has every branch: wrong dispatches returned, extensions, suspensions, urges, rework, refusals, voids, self-handled', () => {
    const did = (a: string) => count((c) => c.trail.some((e) => e.action === a));
    for (const a of ['approve_return', 'apply_extension', 'approve_extension', 'approve_suspension', 'resume', 'urge', 'refuse', 'reject', 'void', 'approve_self_handled', 'close']) {
      expect(did(a), a).toBeGreaterThan(0);
    }
    expect(count((c) => c.row.rework_count > 0)).toBeGreaterThan(0);
    const dispatched = cases.filter((c) => c.row.suggestion_taken !== null);
    const taken = dispatched.filter((c) => c.row.suggestion_taken).length / dispatched.length;
    expect(taken).toBeGreaterThan(0.9);
    expect(taken).toBeLessThan(1);
    const closed = cases.filter((c) => c.row.status === 'closed' && !c.row.self_handled);
    expect(closed.length / cases.length).toBeGreaterThan(0.6);
    expect(closed.some((c) => c.row.closing_type === 'overdue')).toBe(true);
    expect(closed.some((c) => c.row.closing_type === 'normal')).toBe(true);
  });

  test('the window\'s end leaves work open in many steps, some of it overdue, with lights to show', () => {
    const open = cases.filter((c) => !['closed', 'void'].includes(c.row.status));
    expect(new Set(open.map((c) => c.row.status)).size).toBeGreaterThanOrEqual(3);
    expect(open.some((c) => c.row.status === 'handling')).toBe(true);
    for (const c of open.filter((x) => x.row.status !== 'suspended')) {
      expect(c.row.step).not.toBeNull();
      expect(c.row.red_at).toBeInstanceOf(Date);
      expect(c.row.yellow_at!.getTime()).toBeLessThanOrEqual(c.row.red_at!.getTime());
    }
    expect(open.some((c) => c.row.red_at && c.row.red_at < END)).toBe(true); // overdue at the end
    for (const c of open.filter((x) => x.row.status === 'suspended')) expect(c.suspensions.at(-1)!.ended_at).toBeNull();
  });

  test('cases lie in their grid and come from the grid\'s inspector when it has one', () => {
    const { grids } = world();
    for (const c of cases) {
      const g = grids.find((x) => x.code === c.row.grid_code)!;
      const [[x0, y0], , [x1, y1]] = g.rings[0];
      if (c.row.component_id) continue;
      expect(c.row.lon).toBeGreaterThanOrEqual(x0);
      expect(c.row.lon).toBeLessThanOrEqual(x1);
      expect(c.row.lat).toBeGreaterThanOrEqual(y0);
      expect(c.row.lat).toBeLessThanOrEqual(y1);
      if (c.row.source === 'inspector') expect(c.row.reporter_id).toBe(g.inspector_id);
    }
  });

  test('facts derive from every trail: one dispatch fact per dispatch entry, on time judged against the deadline', () => {
    let late = 0;
    let fed = 0;
    for (const c of cases) {
      const f = factsOf(work, c.row, c.trail);
      expect(f.dispatches.length).toBe(c.trail.filter((e) => e.action === 'dispatch').length);
      for (const d of f.dispatches.filter((x) => x.outcome === 'feedback')) { fed++; if (!d.on_time) late++; }
    }
    expect(late / fed).toBeGreaterThan(0.05);
    expect(late / fed).toBeLessThan(0.45);
  });

  test('handling shares follow the Boston type: the median street-light outage uses about a quarter of its target', () => {
    let s = 1;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const draws = Array.from({ length: 4000 }, () => handlingShare({ handling }, 'Street Light Outages', rnd)).sort((a, b) => a - b);
    expect(draws[2000]).toBeGreaterThan(0.15);
    expect(draws[2000]).toBeLessThan(0.3);
    expect(draws.filter((x) => x <= 1).length / draws.length).toBeCloseTo(0.75, 1);
    expect(() => handlingShare({ handling }, 'No Such Type', rnd)).toThrow(/no Boston type/);
  });
});
