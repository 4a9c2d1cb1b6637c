// The demo's simulated history: about a year of cases driven through the real workflow engine (domain/workflow.ts
// decideReport / openCase / transition) on a simulated clock. Pure: no I/O, no clock; every random choice
// comes from seeded streams, so a seed and a window give the same cases, trails and suspensions every time. A day's
// cases depend only on the seed and the day (not on the window), so a short window is the tail of a long one.
//
// Each case is walked exactly as services/cases.ts reportCase / actOnCase moves it: the same pure transition gives
// the patch (status, department, step deadlines and yellow/red instants), the suspension and the hash-chained trail
// entry; the walk only applies them. A walk stops at the window's end, so the last days leave cases open in
// every step, some of them overdue.
import { mulberry32 } from './dongcheng.js';
import type { ChainedEntry } from '../domain/trail.js';
import { newCaseId } from '../domain/case-ids.js';
import {
  decideReport, openCase, transition,
  type Actor, type ActionInput, type CaseAction, type CaseSource, type CaseStatus, type Role, type Step,
} from '../domain/workflow.js';
import { deadline, isWorkingDay, localDateOf, localTime, unitFamily, limitMinutes, type Limit, type Suspension, type WorkCalendar } from '../domain/calendar.js';
import { handlingLimit, stepLimit, conditionsOf, type CentreStep, type LimitsTable } from '../domain/limits.js';

// ---------------------------------------------------------------------------------------------------------------
// Inputs

export type HistoryChannel = 'inspector' | 'public' | 'hotline';
export const HISTORY_CHANNELS: readonly HistoryChannel[] = ['inspector', 'public', 'hotline'];

/** data/history/profile.json: volumes, channel mix, rates and the class mix (see its `source`). */
export type HistoryProfile = {
  reports_per_day: number;
  channels: Record<HistoryChannel, number>;
  weekend: Record<HistoryChannel, number>;
  holiday: Record<HistoryChannel, number>;
  seasonal_amplitude: number;
  seasonal_peak_day_of_year: number;
  /** Relative report intensity per local hour 0–23. */
  hours: Record<HistoryChannel, number[]>;
  hotspots: { count: number; radius_m: [number, number]; strength: [number, number]; noise_sigma: number };
  rates: Record<HistoryRate, number>;
  /** Share of each centre step finished after its limit. */
  centre_late: Record<CentreStep | 'decide', number>;
  classes: { code: string; weight: number; public: number; boston_type: string; months?: number[]; component?: boolean }[];
};
export type HistoryRate =
  | 'self_handled' | 'self_handled_rejected' | 'inspector_rejected' | 'verify_not_found' | 'refused' | 'other_condition'
  | 'wrong_department' | 'return_denied' | 'late_return' | 'extension' | 'extension_denied' | 'suspension'
  | 'suspension_by_leader' | 'suspension_stockpiled' | 'urge_when_overdue' | 'check_failed' | 'check_failed_when_late'
  | 'voided' | 'rework_share' | 'min_handling_minutes';

/** data/history/handling-times.json: per Boston 311 type, 21 quantiles (0, 5 … 100 %). */
export type HandlingTimes = {
  types: Record<string, { on_time_share: number | null; hours_q: number[]; target_share_q: number[] | null }>;
};

export type HistoryGrid = {
  code: string; community_code: string; street_code: string; district_code: string;
  responsibility_code: string | null;
  /** The inspector patrolling the grid's responsibility grid, if that inspector has an account. */
  inspector_id: number | null;
  /** A point inside the grid (PostGIS st_pointonsurface). */
  inside: [number, number];
  /** The grid's polygon rings (exterior and holes of every part), for points inside it. */
  rings: [number, number][][];
  /** The nearest street name. */
  address: string | null;
};

export type HistoryClass = { code: string; kind: 'component_anomaly' | 'event'; name_zh: string; name_en: string; department_id: number | null };
export type HistoryComponent = { id: string; class_code: string; grid_code: string; lon: number; lat: number; department_id: number | null };

/** Demo accounts that act; null = the post has no account (the trail then names the role only). */
export type HistoryStaff = {
  operator: number | null;
  shift_leader: number | null;
  dispatcher: number | null;
  leader: number | null;
  /** Department id → the crew user acting for it. */
  crews: ReadonlyMap<number, number>;
};

export type HistoryInput = {
  seed: number;
  /** The window [start, end): cases are reported in it, and no action happens after `end`. */
  start: Date;
  end: Date;
  calendar: WorkCalendar;
  limits: LimitsTable;
  profile: HistoryProfile;
  handling: HandlingTimes;
  grids: readonly HistoryGrid[];
  classes: ReadonlyMap<string, HistoryClass>;
  components: readonly HistoryComponent[];
  departments: readonly number[];
  staff: HistoryStaff;
};

// ---------------------------------------------------------------------------------------------------------------
// Outputs

/** A case row as db/cases.ts stores it (every writable column but case_no, plus lon/lat). */
export type SimulatedCaseRow = {
  id: string; status: CaseStatus; source: CaseSource; kind: string; class_code: string; condition: string | null;
  component_id: string | null; description: string | null; address: string | null; lon: number; lat: number;
  district_code: string; street_code: string; community_code: string; grid_code: string; responsibility_code: string | null;
  reporter_id: number | null; reporter_name: string | null; reporter_phone: string | null; self_handled: boolean; urgent: boolean;
  department_id: number | null; suggested_department_id: number | null; suggestion_taken: boolean | null;
  pending_application: 'return' | 'extension' | 'suspension' | null; pending_extension_hours: number | null;
  verify_found: boolean | null; handled_late: boolean; urged: boolean;
  return_count: number; rework_count: number; urge_count: number; extension_count: number; extension_hours: number; suspension_count: number;
  suspended_at: Date | null; closing_type: string | null; void_reason: string | null;
  step: Step | null; step_started_at: Date | null; step_deadline_at: Date | null; yellow_at: Date | null; red_at: Date | null;
  handling_started_at: Date | null; handling_deadline_at: Date | null; overdue_after: Date | null;
  filed_at: Date | null; dispatched_at: Date | null; closed_at: Date | null;
  trail_head: string; version: number; created_at: Date; updated_at: Date;
  origin: 'simulated';
};

export type SimulatedCase = {
  row: SimulatedCaseRow;
  trail: ChainedEntry[];
  suspensions: { started_at: Date; ended_at: Date | null }[];
};

export type HistoryResult = { cases: SimulatedCase[]; days: number };

/** Photo ids of simulated evidence: no image stands behind them (the trail says so). */
export const SIMULATED_PHOTO = { before: 'simulated-before-photo', after: 'simulated-after-photo' } as const;

const HOUR = 3_600_000;
const MIN = 60_000;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------------------------

/**
 * Simulates the window's cases, in report order.
 * @example simulateHistory({ seed: 20051, start, end, calendar, limits, profile, handling, grids, classes, components, departments, staff })
 */
export function simulateHistory(input: HistoryInput): HistoryResult {
  const cases: SimulatedCase[] = [];
  let days = 0;
  for (const day of simulateHistoryDays(input)) {
    days++;
    cases.push(...day.cases);
  }
  return { cases, days };
}

/**
 * The same simulation one local day at a time (the cases reported that day, each walked to its end or to `end`):
 * a day's cases depend only on the seed and the day, so a loader can stop after any day and resume with `from`.
 */
export function* simulateHistoryDays(input: HistoryInput, from?: string): Generator<{ date: string; cases: SimulatedCase[] }> {
  if (!(input.end > input.start)) throw new RangeError('the history window must end after it starts');
  if (!input.grids.length) throw new RangeError('the history needs unit grids');
  if (!input.departments.length) throw new RangeError('the history needs departments to dispatch to');
  const world = buildWorld(input);
  for (let date = localDateOf(input.calendar, input.start); ; date = nextDate(date)) {
    const dayStart = localTime(input.calendar, `${date} 00:00`);
    if (dayStart >= input.end) break;
    if (from !== undefined && date < from) continue;
    const cases: SimulatedCase[] = [];
    for (const report of reportsOfDay(world, date, dayStart)) {
      if (report.at < input.start || report.at >= input.end) continue;
      cases.push(walkCase(world, report));
    }
    yield { date, cases };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The world: grids weighted per class (hot spots), classes per channel, components per grid

type ClassPlan = HistoryInput['profile']['classes'][number] & { cls: HistoryClass; cumulative: Float64Array; total: number };

type World = {
  input: HistoryInput;
  classes: ClassPlan[];
  componentsByGridClass: Map<string, HistoryComponent[]>;
};

function buildWorld(input: HistoryInput): World {
  const rnd = stream(input.seed, 'hotspots');
  const { grids, profile } = input;
  const hs = profile.hotspots;
  const metres = (a: [number, number], b: [number, number]) => {
    const kx = 111_320 * Math.cos((a[1] * Math.PI) / 180);
    return Math.hypot((a[0] - b[0]) * kx, (a[1] - b[1]) * 110_540);
  };
  const bumps = Array.from({ length: hs.count }, () => ({
    centre: grids[Math.floor(rnd() * grids.length)].inside,
    radius: hs.radius_m[0] + rnd() * (hs.radius_m[1] - hs.radius_m[0]),
    strength: hs.strength[0] + rnd() * (hs.strength[1] - hs.strength[0]),
  }));
  const bumpAt = grids.map((g) => bumps.map((b) => Math.exp(-((metres(g.inside, b.centre) / b.radius) ** 2) / 2)));
  const base = grids.map((_, i) => Math.exp(hs.noise_sigma * normal(rnd)) * (1 + bumps.reduce((s, b, k) => s + b.strength * bumpAt[i][k], 0)));

  const classes: ClassPlan[] = [];
  for (const c of profile.classes) {
    const cls = input.classes.get(c.code);
    if (!cls) continue; // a class the district's table lacks: leave it out
    const affinity = Math.floor(rnd() * bumps.length);
    const cumulative = new Float64Array(grids.length);
    let total = 0;
    for (let i = 0; i < grids.length; i++) {
      total += base[i] * (1 + 3 * bumpAt[i][affinity]);
      cumulative[i] = total;
    }
    classes.push({ ...c, cls, cumulative, total });
  }
  if (!classes.length) throw new RangeError('none of the profile\'s classes is in the class table');
  const componentsByGridClass = new Map<string, HistoryComponent[]>();
  for (const comp of input.components) {
    const key = `${comp.grid_code}/${comp.class_code}`;
    const list = componentsByGridClass.get(key) ?? [];
    list.push(comp);
    componentsByGridClass.set(key, list);
  }
  return { input, classes, componentsByGridClass };
}

// ---------------------------------------------------------------------------------------------------------------
// Reports of a day

type Report = { at: Date; channel: HistoryChannel; plan: ClassPlan; grid: HistoryGrid; rnd: () => number; id: string };

function reportsOfDay(world: World, date: string, dayStart: Date): Report[] {
  const { input } = world;
  const { profile, calendar } = input;
  const rnd = stream(input.seed, `day ${date}`);
  const dayOfYear = Math.floor((Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) - Date.UTC(+date.slice(0, 4), 0, 1)) / DAY) + 1;
  const month = +date.slice(5, 7);
  const season = 1 + profile.seasonal_amplitude * Math.cos((2 * Math.PI * (dayOfYear - profile.seasonal_peak_day_of_year)) / 365);
  const working = isWorkingDay(calendar, date);
  const holiday = calendar.holidays.has(date);
  const reports: Report[] = [];
  for (const channel of HISTORY_CHANNELS) {
    const dayFactor = working ? 1 : holiday ? profile.holiday[channel] : profile.weekend[channel];
    const n = poisson(rnd, profile.reports_per_day * profile.channels[channel] * season * dayFactor);
    const hours = profile.hours[channel];
    const hourTotal = hours.reduce((a, b) => a + b, 0);
    const weights = world.classes.map((c) => (c.months && !c.months.includes(month) ? 0 : c.weight * (channel === 'inspector' ? 1 : c.public)));
    const weightTotal = weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < n; i++) {
      let h = 0;
      for (let x = rnd() * hourTotal; h < 23 && (x -= hours[h]) >= 0; h++);
      const at = new Date(Math.round((dayStart.getTime() + h * HOUR + rnd() * HOUR) / 1000) * 1000);
      let k = 0;
      for (let x = rnd() * weightTotal; k < weights.length - 1 && (x -= weights[k]) >= 0; k++);
      const plan = world.classes[k];
      const grid = input.grids[bisect(plan.cumulative, rnd() * plan.total)];
      const caseSeed = Math.floor(rnd() * 4294967296);
      reports.push({ at, channel, plan, grid, rnd: mulberry32(caseSeed), id: '' });
    }
  }
  reports.sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const r of reports) r.id = uuidOf(r.at, r.grid.district_code, r.rnd);
  return reports;
}

// ---------------------------------------------------------------------------------------------------------------
// One case's walk through the workflow

type Who = { actor: Actor; user: number | null };

class Walk {
  readonly c: SimulatedCaseRow;
  readonly trail: ChainedEntry[] = [];
  readonly suspensions: { started_at: Date; ended_at: Date | null }[] = [];
  /** false once an action would fall after the window's end: the case stays where it is. */
  alive = true;
  private last: Date;

  constructor(private readonly world: World, row: SimulatedCaseRow) {
    this.c = row;
    this.last = row.created_at;
  }

  get now(): Date { return this.last; }

  /** Performs `action` at `at` (moved 1 s past the previous action if needed), as actOnCase does. */
  act(at: Date, action: CaseAction, who: Who, input: ActionInput = {}): boolean {
    if (!this.alive) return false;
    const when = new Date(Math.max(Math.round(at.getTime() / 1000) * 1000, this.last.getTime() + 1000));
    if (when >= this.world.input.end) { this.alive = false; return false; }
    const c = this.c;
    const prev = this.trail[this.trail.length - 1];
    const t = transition(c, action, who.actor, input, when, { rules: this.world.input, suspensions: this.suspensions, last_entry: prev });
    if (t.suspension) {
      if ('close' in t.suspension) { for (const s of this.suspensions) if (s.ended_at === null) s.ended_at = t.suspension.close; }
      else this.suspensions.push({ started_at: t.suspension.open, ended_at: null });
    }
    Object.assign(c, t.patch);
    c.version += 1;
    this.trail.push(t.entry);
    this.last = when;
    return true;
  }
}

function walkCase(world: World, r: Report): SimulatedCase {
  const { input } = world;
  const { rates } = input.profile;
  const rnd = r.rnd;
  const chance = (p: number) => rnd() < p;
  const staff = input.staff;
  const who = (role: Role, user: number | null, department_id?: number | null): Who => ({
    actor: { ...(user === null ? {} : { id: user }), roles: [role], ...(department_id != null ? { department_id } : {}) },
    user,
  });
  const operator = who('operator', staff.operator);
  const shiftLeader = who('shift_leader', staff.shift_leader);
  const dispatcher = who('dispatcher', staff.dispatcher);
  const leader = who('leader', staff.leader);
  const inspector = who('inspector', r.grid.inspector_id);
  const crew = (dept: number) => who('department', staff.crews.get(dept) ?? null, dept);

  // Where, what, which condition ------------------------------------------------------------------------------
  const cls = r.plan.cls;
  const comps = r.plan.component ? world.componentsByGridClass.get(`${r.grid.code}/${cls.code}`) : undefined;
  const component = comps?.length ? comps[Math.floor(rnd() * comps.length)] : null;
  const [lon, lat] = component ? [component.lon, component.lat] : pointIn(r.grid, rnd);
  const conditions = conditionsOf(input.limits, cls.code);
  const condition = conditions.length > 1 && chance(rates.other_condition) ? conditions[1 + Math.floor(rnd() * (conditions.length - 1))] : conditions[0] ?? null;
  const suggested = component?.department_id ?? cls.department_id;
  const selfHandled = r.channel === 'inspector' && chance(rates.self_handled);
  const source: CaseSource = r.channel;
  const reporter: Who = r.channel === 'inspector' ? inspector : r.channel === 'hotline' ? operator : who('public', null);
  const photos = selfHandled ? [SIMULATED_PHOTO.before, SIMULATED_PHOTO.after] : null;
  const first = decideReport(reporter.actor, { source, self_handled: selfHandled, photo_ids: photos ?? undefined });
  const urgent = condition?.urgent ?? false;
  const description = `${cls.name_zh} · ${cls.name_en}（模拟历史 simulated history）`;
  const opening = openCase(first, reporter.actor, {
    id: r.id, source, self_handled: selfHandled, class_code: cls.code, urgent, grid_code: r.grid.code, note: description,
    photo_ids: photos, data: { simulated: true },
  }, r.at, input);

  const row: SimulatedCaseRow = {
    id: r.id, status: first.to, source, kind: cls.kind, class_code: cls.code, condition: null, component_id: component?.id ?? null,
    description, address: r.grid.address,
    lon, lat, district_code: r.grid.district_code, street_code: r.grid.street_code, community_code: r.grid.community_code,
    grid_code: r.grid.code, responsibility_code: r.grid.responsibility_code, reporter_id: reporter.user, reporter_name: null,
    reporter_phone: null, self_handled: selfHandled, urgent, department_id: null, suggested_department_id: suggested,
    suggestion_taken: null, pending_application: null, pending_extension_hours: null, verify_found: null, handled_late: false,
    urged: false, return_count: 0, rework_count: 0, urge_count: 0, extension_count: 0, extension_hours: 0, suspension_count: 0,
    suspended_at: null, closing_type: null, void_reason: null,
    ...opening.times,
    handling_started_at: null, handling_deadline_at: null, overdue_after: null, filed_at: null, dispatched_at: null, closed_at: null,
    trail_head: opening.entry.hash, version: 1, created_at: r.at, updated_at: r.at, origin: 'simulated',
  };
  const w = new Walk(world, row);
  w.trail.push(opening.entry);

  // Centre steps take a share of their limit; a few run late, more of them at night --------------------------------
  const centre = (step: CentreStep | 'decide'): Date => {
    const night = localHour(input.calendar, w.now) >= 22 || localHour(input.calendar, w.now) < 7;
    const late = chance(input.profile.centre_late[step] * (night ? 3 : 1));
    if (step === 'decide') return new Date(w.now.getTime() + (late ? 240 + rnd() * 600 : 5 + rnd() * 115) * MIN);
    const limit = stepLimit(input.limits, step, { urgent: row.urgent });
    const budget = limitMinutes(input.calendar, limit);
    const used = late ? budget * (1.05 + rnd() * 2) : budget * (0.05 + 0.9 * rnd() ** 1.4) * (night ? 1.2 : 1);
    return onClock(input.calendar, w.now, limit, Math.max(1, used));
  };

  // Intake: verification, acceptance, filing ------------------------------------------------------------------
  if (selfHandled) {
    if (chance(rates.self_handled_rejected)) w.act(centre('review'), 'reject_self_handled', operator, { reason: '处置后照片未显示问题已解决 the after-photo does not show the fix' });
    else w.act(centre('review'), 'approve_self_handled', operator);
    return done(w);
  }
  if (source !== 'inspector') {
    if (!w.act(centre('send_verify'), 'send_verify', operator)) return done(w);
    const found = !chance(rates.verify_not_found);
    if (!w.act(centre('verify'), 'verify', inspector, { found })) return done(w);
    if (!found) {
      w.act(centre('accept'), 'reject', operator, { reason: '核实未发现问题 not found on site' });
      return done(w);
    }
  } else if (chance(rates.inspector_rejected)) {
    w.act(centre('accept'), 'reject', operator, { reason: '与在办案件重复 duplicate of an open case' });
    return done(w);
  }
  if (!w.act(centre('accept'), 'accept', operator)) return done(w);
  if (chance(rates.refused)) {
    w.act(centre('file'), 'refuse', shiftLeader, { reason: '不属于城市管理事项 not a city-management matter' });
    return done(w);
  }
  if (!w.act(centre('file'), 'file', shiftLeader, condition && !condition.default ? { condition: condition.condition } : {})) return done(w);
  if (chance(rates.voided)) {
    w.act(centre('dispatch'), 'void', shiftLeader, { reason: '重复上报 reported twice' });
    return done(w);
  }

  // Dispatch, handling, check, rework, close -------------------------------------------------------------------
  const others = input.departments.filter((d) => d !== suggested);
  const wrong = others.length > 0 && chance(rates.wrong_department) ? others[Math.floor(rnd() * others.length)] : null;
  // A class without a default department is dispatched by hand (to the first department), like a dispatcher would.
  const to = wrong ?? (suggested === null ? input.departments[0] : null);
  if (!w.act(centre('dispatch'), 'dispatch', dispatcher, to === null ? {} : { department_id: to })) return done(w);
  let share = handlingShare(input, r.plan.boston_type, rnd);
  for (let round = 0; ; round++) {
    if (!handle(w, share)) return done(w);
    if (!w.act(centre('send_check'), 'send_check', operator)) return done(w);
    const failed = round < 2 && chance(row.handled_late ? rates.check_failed_when_late : rates.check_failed);
    if (!w.act(centre('check'), 'check', inspector, failed ? { passed: false, photo_ids: [SIMULATED_PHOTO.after] } : { passed: true })) return done(w);
    if (!failed) break;
    if (!w.act(centre('dispatch'), 'dispatch', dispatcher)) return done(w); // rework: the same department
    share *= rates.rework_share;
  }
  w.act(centre('close'), 'close', shiftLeader);
  return done(w);

  /** One handling episode from a dispatch to feedback; false when the window ends first. */
  function handle(w: Walk, share: number): boolean {
    const c = w.c;
    const dept = c.department_id!;
    // A wrong department applies to return it (some late); the dispatcher mostly approves and dispatches again.
    if (dept !== c.suggested_department_id && c.return_count === 0 && c.suggested_department_id !== null) {
      const late = chance(rates.late_return);
      const applyAt = onClock(input.calendar, w.now, { value: 1, unit: 'working_minutes' }, late ? 125 + rnd() * 300 : 10 + rnd() * 100);
      if (!w.act(applyAt, 'apply_return', crew(dept), { reason: '非本部门职责 not our responsibility' })) return false;
      if (chance(rates.return_denied)) {
        if (!w.act(centre('decide'), 'deny_return', dispatcher, { reason: '请先行处置 please handle it first' })) return false;
      } else {
        if (!w.act(centre('decide'), 'approve_return', dispatcher)) return false;
        if (!w.act(centre('dispatch'), 'dispatch', dispatcher)) return false;
        return handle(w, share);
      }
    }
    const start = c.handling_started_at!;
    const limit = handlingLimit(input.limits, c.class_code, c.condition).limit;
    const budget = limitMinutes(input.calendar, limit, c.extension_hours);
    let used = Math.max(rates.min_handling_minutes, share * budget);
    const closedSuspensions = () => w.suspensions.filter((s) => s.ended_at).map((s) => [s.started_at, s.ended_at!] as Suspension);
    const at = (minutes: number) => onClock(input.calendar, start, limit, minutes, closedSuspensions());

    if (used > budget * 0.9 && chance(rates.extension / 0.25)) {
      // Extension: applied for before the deadline; approved extensions are mostly enough.
      const applyAt = at(budget * (0.35 + rnd() * 0.45));
      if (applyAt.getTime() < c.overdue_after!.getTime() - 2000 && applyAt > w.now) {
        const hours = [4, 8, 16, 24][Math.floor(rnd() * 4)];
        if (!w.act(applyAt, 'apply_extension', crew(dept), { hours, reason: '需协调施工 needs coordination' })) return false;
        if (chance(rates.extension_denied)) {
          if (!w.act(centre('decide'), 'deny_extension', dispatcher, { reason: '请按时处置 please finish in time' })) return false;
        } else {
          if (!w.act(centre('decide'), 'approve_extension', dispatcher)) return false;
          const extended = limitMinutes(input.calendar, limit, c.extension_hours);
          if (chance(0.8)) used = Math.min(used, extended * (0.7 + rnd() * 0.3));
        }
      }
    } else if (chance(rates.suspension)) {
      // Suspension (挂账): applied for, approved, resumed after days (a few after more than 60: stockpiled).
      const applyAt = at(used * (0.1 + rnd() * 0.5));
      if (applyAt > w.now) {
        if (!w.act(applyAt, 'apply_suspension', crew(dept), { reason: '需预算审批 needs a budget approval' })) return false;
        if (!w.act(centre('decide'), 'approve_suspension', chance(rates.suspension_by_leader) ? leader : dispatcher)) return false;
        const days = chance(rates.suspension_stockpiled) ? 61 + rnd() * 60 : 1 + -Math.log(1 - rnd()) * 6;
        if (!w.act(new Date(w.now.getTime() + days * DAY), 'resume', chance(0.5) ? crew(dept) : dispatcher)) return false;
      }
    }
    const feedbackAt = at(used);
    // A leader urges (督办) some cases that run overdue.
    if (feedbackAt > c.overdue_after! && chance(rates.urge_when_overdue)) {
      const urgeAt = new Date(Math.max(c.overdue_after!.getTime(), w.now.getTime()) + (0.5 + rnd() * 24) * HOUR);
      if (urgeAt < feedbackAt && !w.act(urgeAt, 'urge', leader)) return false;
    }
    return w.act(feedbackAt, 'feedback', crew(dept), { note: '已处置 done', photo_ids: [SIMULATED_PHOTO.after] });
  }
}

function done(w: Walk): SimulatedCase {
  return { row: w.c, trail: w.trail, suspensions: w.suspensions };
}

/** The instant `minutes` of `limit`'s clock (working or continuous) after `start`, suspensions excluded. */
function onClock(cal: WorkCalendar, start: Date, limit: Limit, minutes: number, suspensions: Suspension[] = []): Date {
  const unit = unitFamily(limit.unit) === 'working' ? 'working_minutes' : 'minutes';
  return deadline(cal, start, { value: Math.max(minutes, 1 / 60), unit }, { suspensions });
}

/**
 * Handling time as a share of the limit, drawn from the Boston type's distribution of (closed − opened) ÷
 * (target − opened); a type without targets uses its hours with the target put at its own on-time quantile.
 */
export function handlingShare(input: Pick<HistoryInput, 'handling'>, type: string, rnd: () => number): number {
  const t = input.handling.types[type];
  if (!t) throw new RangeError(`handling-times.json has no Boston type "${type}"`);
  const u = rnd();
  if (t.target_share_q) return quantileAt(t.target_share_q, u);
  const targetQ = Math.min(0.95, Math.max(0.5, t.on_time_share ?? 0.75));
  const target = quantileAt(t.hours_q, targetQ);
  return target > 0 ? quantileAt(t.hours_q, u) / target : 1;
}

/** Piecewise-linear inverse of 21 quantiles (0, 5 … 100 %); the top 5 % is capped at 3 × the 95 % quantile. */
function quantileAt(q: readonly number[], u: number): number {
  const pos = u * 20;
  const i = Math.min(19, Math.floor(pos));
  const hi = i === 19 ? Math.min(q[20], 3 * q[19]) : q[i + 1];
  return q[i] + (hi - q[i]) * (pos - i);
}

// ---------------------------------------------------------------------------------------------------------------
// Small pure helpers

/** An independent seeded stream per label (FNV-1a of seed and label). */
function stream(seed: number, label: string): () => number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return mulberry32(h >>> 0);
}

function normal(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

/** Poisson draws: Knuth for small means, a rounded normal beyond. */
function poisson(rnd: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rnd)));
  const l = Math.exp(-mean);
  let k = 0;
  for (let p = rnd(); p > l; p *= rnd()) k++;
  return k;
}

function bisect(cumulative: Float64Array, x: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] > x) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/**
 * A case id naming the grid's district (domain/case-ids.ts newCaseId: UUIDv8, the district's six digits first), then
 * the top 36 bits of the report's millisecond time (4 s steps), then random bits from the stream (as many draws as
 * the v7-shaped ids before 0068, so each case's walk draws the same). Ids of a district in report order make the
 * bulk load append to the primary-key and trail indexes instead of writing all over them.
 */
function uuidOf(at: Date, district: string, rnd: () => number): string {
  const time = at.getTime().toString(16).padStart(12, '0').slice(-12);
  const hex = Array.from({ length: 20 }, () => Math.floor(rnd() * 16).toString(16));
  const variant = '89ab'[Math.floor(rnd() * 4)];
  // newCaseId puts the district over the first six digits and the version over the 13th
  const s = `000000${time.slice(0, 6)}0${time.slice(6, 9)}${variant}${time.slice(9)}${hex.slice(8).join('')}`;
  return newCaseId(district, Uint8Array.from(s.match(/../g)!, (h) => parseInt(h, 16)));
}

/** A random point inside the grid (even-odd rule over all rings), else its inside point. */
function pointIn(g: HistoryGrid, rnd: () => number): [number, number] {
  const pts = g.rings.flat();
  if (pts.length >= 3) {
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [x, y] of pts) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
    for (let i = 0; i < 40; i++) {
      const x = x0 + rnd() * (x1 - x0);
      const y = y0 + rnd() * (y1 - y0);
      if (inside(g.rings, x, y)) return [x, y];
    }
  }
  return g.inside;
}

function inside(rings: readonly (readonly [number, number])[][], x: number, y: number): boolean {
  let odd = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
    }
  }
  return odd;
}

function localHour(cal: WorkCalendar, at: Date): number {
  return Math.floor((at.getTime() - localTime(cal, `${localDateOf(cal, at)} 00:00`).getTime()) / HOUR);
}

function nextDate(date: string): string {
  return new Date(Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10) + 1)).toISOString().slice(0, 10);
}
