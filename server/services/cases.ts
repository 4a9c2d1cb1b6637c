// Case use cases: report (intake with idempotency), act (the workflow), read with the trail, list with visibility.
// One transaction each; the trail entry and the live event are written in the same transaction as the change.
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/types.js';
import * as cases from '../db/cases.js';
import * as grids from '../db/grids.js';
import * as places from '../db/places.js';
import * as departments from '../db/departments.js';
import * as classes from '../db/classes.js';
import * as componentsDb from '../db/components.js';
import * as audit from '../db/audit.js';
import { assertPhotosExist } from './photos.js';
import { assertMerge } from '../domain/merge.js';
import { DomainError } from '../domain/errors.js';
import { toWgs84, type Crs } from '../domain/coords.js';
import { availableActions, decide, decideReport, stepOf, applyDecision, type Actor, type CaseAction, type CaseSource, type CaseState, type Role } from '../domain/workflow.js';
import { localDateOf, type Suspension } from '../domain/calendar.js';
import { handlingLimit } from '../domain/limits.js';
import { chainEntry, GENESIS_HASH, verifyChain, type TrailEntry } from '../domain/trail.js';
import { stepTimes } from '../domain/step-times.js';
import { maskName, maskPhone } from '../domain/privacy.js';
import { randomUUID } from 'node:crypto';
import type { WorkRules } from './work-rules.js';
import { refreshFacts } from './facts.js';
import { assertKnownRefs, parseCaseSearch, type CaseSearch, type CaseSearchQuery } from '../domain/case-search.js';

export type CaseDeps = {
  db: Queryable; clock: { now(): Date }; work: WorkRules; duplicate_meters?: number; onCommitted?(event_id: number): void;
  /** Crash tests only: delay before answering a committed report. */
  fault_response_delay_ms?: number;
};

/** Who is acting: a logged-in user, or null for the anonymous public. */
export type CaseUser = { id: number; username: string; roles: readonly string[]; department_id: number | null } | null;

export type ReportInput = {
  kind: 'component_anomaly' | 'event'; class_code: string; lon: number; lat: number; crs?: Crs;
  source?: CaseSource; description?: string; address?: string; component_id?: string; photo_ids?: string[];
  self_handled?: boolean; urgent?: boolean; reporter_name?: string; reporter_phone?: string;
};

const actorOf = (u: CaseUser): Actor => u
  ? { id: String(u.id), roles: u.roles as Role[], department_id: u.department_id === null ? null : String(u.department_id) }
  : { roles: ['public'] };

/** Roles that may see every case; others see their department's, their own and their grids' cases. */
const SEE_ALL: readonly string[] = ['operator', 'shift_leader', 'dispatcher', 'leader', 'admin'];
/** Roles that need the reporter's phone and name (call-back); others see them masked. */
const SEE_REPORTER: readonly string[] = ['operator', 'shift_leader'];

export function scopeOf(u: CaseUser): cases.CaseFilter['scope'] {
  if (u && u.roles.some((r) => SEE_ALL.includes(r))) return null;
  if (!u) return { reporter_id: -1 };
  return {
    department_id: u.roles.includes('department') ? u.department_id : null,
    reporter_id: u.id,
    responsibility_of: u.roles.includes('inspector') ? u.id : null,
  };
}

async function mayRead(db: Queryable, u: CaseUser, c: cases.CaseRow): Promise<boolean> {
  const scope = scopeOf(u);
  if (scope === null) return true;
  if (scope.department_id != null && c.department_id === scope.department_id) return true;
  if (scope.reporter_id != null && c.reporter_id === scope.reporter_id) return true;
  if (scope.responsibility_of != null && c.responsibility_code) {
    return grids.patrolledBy(db, c.responsibility_code, scope.responsibility_of);
  }
  return false;
}

/** The case as the caller may see it: reporter masked unless the role needs it. */
export function caseView(c: cases.CaseRow, u: CaseUser) {
  const full = !!u && u.roles.some((r) => SEE_REPORTER.includes(r));
  const { trail_head: _h, ...rest } = c;
  return {
    ...rest,
    reporter_name: full ? c.reporter_name : maskName(c.reporter_name),
    reporter_phone: full ? c.reporter_phone : maskPhone(c.reporter_phone),
  };
}
export type CaseView = ReturnType<typeof caseView>;

/** The live event of a case change: what the wall map needs. */
export function eventPayload(c: cases.CaseRow) {
  return {
    id: c.id, case_no: c.case_no, status: c.status, light: c.light, lon: c.lon, lat: c.lat, version: c.version,
    class_code: c.class_code, grid_code: c.grid_code, department_id: c.department_id, reporter_id: c.reporter_id,
    responsibility_code: c.responsibility_code, step: c.step, red_at: c.red_at, yellow_at: c.yellow_at, updated_at: c.updated_at,
    urged: c.urged, urgent: c.urgent, pending_application: c.pending_application, rework_count: c.rework_count, address: c.address,
    origin: c.origin,
  };
}

function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/**
 * Registers a report as a case (rows 1 and 19). With an Idempotency-Key, a retry returns the same case and
 * creates nothing; the key and the case are written in one transaction.
 * @throws DomainError conflict (409: the same key is being processed), unprocessable (422), role_not_allowed (403)
 */
export async function reportCase(deps: CaseDeps, user: CaseUser, input: ReportInput, key: string | null) {
  const now = deps.clock.now();
  const source: CaseSource = input.source ?? (user?.roles.includes('inspector') ? 'inspector' : 'public');
  const actor = actorOf(user);
  const first = decideReport(actor, { source, self_handled: input.self_handled });
  const [lon, lat] = toWgs84(input.lon, input.lat, input.crs);
  if (input.self_handled && (input.photo_ids?.length ?? 0) < 2) {
    throw new DomainError('unprocessable', 'A self-handled report needs a before-photo and an after-photo (photo_ids with at least two ids)');
  }
  const scope = user ? `user:${user.id}` : 'public';
  let replay = false;
  let eventId = 0;
  const row = await deps.db.transaction(async (tx) => {
    if (key) {
      if (!(await cases.lockKey(tx, scope, key))) {
        throw new DomainError('conflict', `A report with Idempotency-Key "${key}" is still being processed; retry in a moment`);
      }
      const known = await cases.findKey(tx, scope, key);
      if (known) {
        if (known.request_hash !== requestHash(input)) {
          throw new DomainError('unprocessable', `Idempotency-Key "${key}" was already used for a different report`);
        }
        replay = true;
        return (await cases.get(tx, known.case_id, now))!;
      }
    }
    if (input.photo_ids?.length) await assertPhotosExist(tx, input.photo_ids);
    const cls = await classes.get(tx, 'matter', input.class_code);
    if (!cls) throw new DomainError('unknown_class', `${input.class_code} is not a matter class of GB/T 47678.5-2026`);
    if (cls.matter_kind !== input.kind) {
      throw new DomainError('unprocessable', `Class ${input.class_code} (${cls.name_zh}) is a ${cls.matter_kind}, not a ${input.kind}`);
    }
    if (input.component_id) {
      const comp = await componentsDb.get(tx, input.component_id);
      if (!comp) throw new DomainError('unprocessable', `No component with identifier ${input.component_id}`);
    }
    const grid = await grids.locate(tx, lon, lat);
    if (!grid) {
      throw new DomainError('unprocessable', `The point lon=${lon.toFixed(6)}, lat=${lat.toFixed(6)} (WGS84) lies outside every unit grid of the district`, { reason: 'outside_district' });
    }
    const road = input.address ? null : await places.nearestRoad(tx, lon, lat);
    const responsibility_code = await grids.responsibilityOf(tx, grid.code);
    const suggested = await departments.suggestFor(tx, { class_code: input.class_code, component_id: input.component_id ?? null });
    const case_no = await cases.nextCaseNo(tx, grid.district_code, localDateOf(deps.work.calendar, now));
    const times = stepTimes(deps.work, first.step, now, { class_code: input.class_code, condition: null, urgent: !!input.urgent, extension_hours: 0 });
    const entry = {
      seq: 1, at: now, actor: user ? String(user.id) : null, role: first.role, action: 'report', from_status: null,
      to_status: first.to, note: input.description ?? null, photo_ids: input.photo_ids ?? null, deadline_at: times.step_deadline_at,
      data: { source, self_handled: !!input.self_handled, class_code: input.class_code, grid_code: grid.code },
    };
    const id = randomUUID();
    const chained = chainEntry(null, { ...entry, case_id: id });
    const created = await cases.insert(tx, {
      id, case_no, status: first.to, source, kind: input.kind, class_code: input.class_code, component_id: input.component_id ?? null,
      description: input.description ?? null, address: input.address ?? (road ? road.name : null), lon, lat,
      district_code: grid.district_code, street_code: grid.street_code, community_code: grid.community_code, grid_code: grid.code,
      responsibility_code, reporter_id: user?.id ?? null, reporter_name: input.reporter_name ?? null, reporter_phone: input.reporter_phone ?? null,
      self_handled: !!input.self_handled, urgent: !!input.urgent, suggested_department_id: suggested, ...times,
      trail_head: chained.hash, created_at: now, updated_at: now,
    }, now);
    await cases.appendTrail(tx, chained);
    await refreshFacts(tx, deps.work, created);
    const final = created;
    eventId = await cases.appendEvent(tx, { case_id: final.id, version: final.version, at: now, payload: eventPayload(final) });
    if (key) await cases.saveKey(tx, { scope, key, request_hash: requestHash(input), case_id: final.id, now });
    await audit.record(tx, { at: now, action: 'case.report', user_id: user?.id ?? null, username: user?.username ?? null, target: `case:${final.id}` });
    return final;
  });
  if (eventId) deps.onCommitted?.(eventId);
  if (deps.fault_response_delay_ms) await new Promise((r) => setTimeout(r, deps.fault_response_delay_ms));
  const nearby = replay ? [] : await cases.nearbyOpen(deps.db, {
    class_code: row.class_code, lon: row.lon, lat: row.lat, meters: deps.duplicate_meters ?? 50, exclude: row.id,
  }, now);
  // Only the cases the caller may see: the anonymous public sees none, a crew its department's, an inspector its own
  // and its grids' (a duplicate list must not tell anyone of other people's reports).
  const duplicates = [];
  for (const d of nearby) {
    const c = scopeOf(user) === null ? null : await cases.get(deps.db, d.id, now);
    if (scopeOf(user) === null || (c && (await mayRead(deps.db, user, c)))) duplicates.push(d);
  }
  return { case: caseView(row, user), replay, possible_duplicates: duplicates };
}

/** The case state the pure workflow decides on. */
function stateOf(c: cases.CaseRow): CaseState {
  return {
    status: c.status as CaseState['status'], source: c.source as CaseSource, pending_application: c.pending_application,
    pending_extension_hours: c.pending_extension_hours, verify_found: c.verify_found,
    department_id: c.department_id === null ? null : String(c.department_id), overdue_after: c.overdue_after,
    handled_late: c.handled_late, suspended_at: c.suspended_at, urged: c.urged, class_code: c.class_code,
    condition: c.condition ?? undefined, closing_type: c.closing_type as CaseState['closing_type'], void_reason: c.void_reason,
    return_count: c.return_count, rework_count: c.rework_count, urge_count: c.urge_count, extension_count: c.extension_count,
    extension_hours: c.extension_hours, suspension_count: c.suspension_count,
  };
}

export type ActionInput = { action: string; version: number } & Record<string, unknown>;

/**
 * Performs one workflow action: decide (pure), move the case, append the trail entry and the live event, in one
 * transaction. @throws DomainError not_found, stale_version (409), role_not_allowed (403), not_allowed_in_state /
 * unprocessable (422)
 */
export async function actOnCase(deps: CaseDeps, user: CaseUser, caseId: string, input: ActionInput) {
  const now = deps.clock.now();
  let eventId = 0;
  const row = await deps.db.transaction(async (tx) => {
    const c = await cases.get(tx, caseId, now, true);
    if (!c || !(await mayRead(tx, user, c))) throw new DomainError('not_found', `No case with id ${caseId}`);
    if (c.version !== input.version) {
      throw new DomainError('stale_version', `The case is at version ${c.version}, not ${input.version}: reload it and try again`, { version: c.version });
    }
    const { action, version: _v, ...fields } = input;
    const state = stateOf(c);
    const decision = decide(state, action as CaseAction, actorOf(user), fields, now);
    if (decision.fields.photo_ids?.length) await assertPhotosExist(tx, decision.fields.photo_ids);
    const next = applyDecision(state, decision);
    const patch: Partial<Record<cases.CaseField, unknown>> = { ...decision.effects.set, status: decision.to, updated_at: now };
    for (const k of Object.keys(decision.effects.add)) patch[k as cases.CaseField] = next[k as keyof CaseState];
    if (patch.department_id !== undefined) patch.department_id = patch.department_id === null ? null : Number(patch.department_id);

    // Dispatch: to the department asked for, else the suggestion; record whether the suggestion was taken.
    if (action === 'dispatch') {
      const asked = decision.fields.department_id !== undefined ? Number(decision.fields.department_id) : null;
      const rework = c.rework_count > 0 && c.department_id !== null && asked === null;
      const to = asked ?? (rework ? c.department_id : c.suggested_department_id);
      if (to === null || !Number.isInteger(to)) {
        throw new DomainError('unprocessable', 'No department to dispatch to: the class has no default department; give department_id');
      }
      if (!(await departments.exists(tx, to))) throw new DomainError('unprocessable', `No department with id ${to}`);
      patch.department_id = to;
      patch.dispatched_at = now;
      patch.handling_started_at = now;
      if (c.suggestion_taken === null) patch.suggestion_taken = to === c.suggested_department_id;
    }
    if (action === 'file') {
      patch.filed_at = now;
      if (decision.fields.class_code) patch.class_code = decision.fields.class_code;
      if (decision.fields.condition) patch.condition = decision.fields.condition;
      handlingLimit(deps.work.limits, (patch.class_code ?? c.class_code) as string, (patch.condition ?? c.condition) as string | null);
    }
    if (decision.to === 'closed' || decision.to === 'void') patch.closed_at = now;
    if (decision.effects.suspension) {
      if ('end' in decision.effects.suspension) await cases.closeSuspension(tx, c.id, decision.effects.suspension.end);
      else await cases.openSuspension(tx, c.id, decision.effects.suspension.start);
    }

    // The step clock: a new step starts now; the handling deadline is recomputed with suspensions and extensions.
    const merged = { ...c, ...patch } as cases.CaseRow;
    const step = stepOf({ status: decision.to, source: c.source as CaseSource, verify_found: (merged.verify_found ?? null) });
    if (step === 'handling') {
      const start = (merged.handling_started_at ?? now) as Date;
      const susp = (await cases.suspensions(tx, c.id)).filter((s) => s.ended_at).map((s) => [s.started_at, s.ended_at!] as Suspension);
      Object.assign(patch, stepTimes(deps.work, 'handling', start, merged, susp));
      patch.step_started_at = start;
      patch.handling_deadline_at = patch.step_deadline_at;
      patch.overdue_after = patch.red_at;
      if (decision.to === 'suspended') Object.assign(patch, { yellow_at: null, red_at: null });
    } else if (step !== c.step || decision.from !== decision.to) {
      Object.assign(patch, stepTimes(deps.work, step, now, merged));
    }

    const last = await cases.lastTrail(tx, c.id);
    const entry: TrailEntry = {
      case_id: c.id, seq: (last?.seq ?? 0) + 1, at: now, actor: user ? String(user.id) : null, role: decision.role,
      action, from_status: decision.from, to_status: decision.to, note: decision.fields.note ?? null,
      photo_ids: decision.fields.photo_ids ?? null, deadline_at: (patch.step_deadline_at ?? c.step_deadline_at) as Date | null,
      data: { fields: decision.fields, department_id: patch.department_id ?? c.department_id, ...(action === 'feedback' ? { late: !!patch.handled_late } : {}) },
    };
    const chained = chainEntry(last, entry);
    patch.trail_head = chained.hash;
    const updated = await cases.update(tx, c.id, c.version, patch, now);
    if (!updated) throw new DomainError('stale_version', 'The case was changed by someone else a moment ago: reload it and try again');
    await cases.appendTrail(tx, chained);
    await refreshFacts(tx, deps.work, updated);
    eventId = await cases.appendEvent(tx, { case_id: updated.id, version: updated.version, at: now, payload: eventPayload(updated) });
    await audit.record(tx, { at: now, action: `case.${action}`, user_id: user?.id ?? null, username: user?.username ?? null,
      target: `case:${c.id}`, detail: { from: decision.from, to: decision.to, version: updated.version } });
    return updated;
  });
  deps.onCommitted?.(eventId);
  return caseView(row, user);
}

/** A case with its full trail, if the caller may see it. */
export async function readCase(deps: CaseDeps, user: CaseUser, caseId: string) {
  const now = deps.clock.now();
  const c = await cases.get(deps.db, caseId, now);
  if (!c || !(await mayRead(deps.db, user, c))) throw new DomainError('not_found', `No case with id ${caseId}`);
  const trail = await cases.trail(deps.db, caseId);
  return { ...caseView(c, user), available_actions: availableActions(stateOf(c), actorOf(user), now), trail };
}

export async function listCases(deps: CaseDeps, user: CaseUser, f: Omit<cases.CaseFilter, 'scope'>) {
  const now = deps.clock.now();
  const { items, total } = await cases.list(deps.db, { ...f, scope: scopeOf(user) }, now);
  return { items: items.map((c) => caseView(c, user)), total };
}

/**
 * Checks a case search (docs/leader-api.md §Case search) against the district's calendar and the codes the database
 * knows. The case exports take the same query through this.
 * @throws DomainError bad_request naming the field
 */
export async function caseSearchOf(deps: Pick<CaseDeps, 'db' | 'work'>, query: CaseSearchQuery): Promise<CaseSearch> {
  const search = parseCaseSearch(query, deps.work.calendar);
  assertKnownRefs(search, await cases.unknownRefs(deps.db, search));
  return search;
}

/** GET /api/cases: the cases the caller may see that match the search, one page, with the total. */
export async function searchCases(deps: CaseDeps, user: CaseUser, query: CaseSearchQuery & { limit: number; offset: number }) {
  const search = await caseSearchOf(deps, query);
  return listCases(deps, user, { ...search, limit: query.limit, offset: query.offset });
}

/** Verifies the trail chain of every case; returns the broken ones with where and why. */
export async function verifyAllTrails(db: Queryable): Promise<{ checked: number; broken: { id: string; case_no: string; broken_at: number; reason: string }[] }> {
  const broken: { id: string; case_no: string; broken_at: number; reason: string }[] = [];
  let after: string | null = null;
  let checked = 0;
  for (;;) {
    const page = await cases.caseHeads(db, after, 500);
    if (!page.length) break;
    for (const c of page) {
      const entries = await cases.trail(db, c.id);
      const r = verifyChain(entries, { head: c.trail_head });
      checked++;
      if (!r.ok) broken.push({ id: c.id, case_no: c.case_no, broken_at: r.broken_at, reason: r.reason });
    }
    after = page[page.length - 1].id;
  }
  return { checked, broken };
}

/** What a live-stream client may hear of: everything, or its department's, own and grids' cases. */
export async function liveScopeOf(db: Queryable, user: CaseUser): Promise<import('../live/hub.js').LiveScope> {
  const scope = scopeOf(user);
  if (scope === null) return null;
  let codes: string[] = [];
  if (scope.responsibility_of != null) {
    codes = await grids.patrolledCodes(db, scope.responsibility_of);
  }
  return { department_id: scope.department_id ?? null, reporter_id: scope.reporter_id ?? null, responsibility_codes: new Set(codes) };
}

/**
 * Merges a duplicate report into the case it repeats: the duplicate becomes void with `merged_into`; both trails
 * get an entry naming the other, so neither history is lost. Locks both rows in id order (no deadlock).
 */
export async function mergeCase(deps: CaseDeps, user: CaseUser, caseId: string, p: { into: string; version: number; note?: string }) {
  const now = deps.clock.now();
  const events: number[] = [];
  const row = await deps.db.transaction(async (tx) => {
    const [firstId, secondId] = [caseId, p.into].sort();
    const first = await cases.get(tx, firstId, now, true);
    const second = firstId === secondId ? first : await cases.get(tx, secondId, now, true);
    const source = firstId === caseId ? first : second;
    const target = firstId === caseId ? second : first;
    if (!source || !(await mayRead(tx, user, source))) throw new DomainError('not_found', `No case with id ${caseId}`);
    if (!target || !(await mayRead(tx, user, target))) throw new DomainError('not_found', `No case with id ${p.into}`);
    if (source.version !== p.version) {
      throw new DomainError('stale_version', `The case is at version ${source.version}, not ${p.version}: reload it and try again`, { version: source.version });
    }
    const role = assertMerge(
      { id: source.id, status: source.status as CaseState['status'], class_code: source.class_code, merged_into: source.merged_into },
      { id: target.id, status: target.status as CaseState['status'], class_code: target.class_code, merged_into: target.merged_into },
      (user?.roles ?? []) as Role[],
    );
    const write = async (c: cases.CaseRow, entry: Omit<TrailEntry, 'case_id' | 'seq' | 'at' | 'actor' | 'role'>, patch: Partial<Record<cases.CaseField, unknown>>) => {
      const last = await cases.lastTrail(tx, c.id);
      const chained = chainEntry(last, { ...entry, case_id: c.id, seq: (last?.seq ?? 0) + 1, at: now, actor: user ? String(user.id) : null, role });
      const updated = await cases.update(tx, c.id, c.version, { ...patch, trail_head: chained.hash, updated_at: now }, now);
      if (!updated) throw new DomainError('stale_version', 'The case was changed by someone else a moment ago: reload it and try again');
      await cases.appendTrail(tx, chained);
      await refreshFacts(tx, deps.work, updated);
      events.push(await cases.appendEvent(tx, { case_id: updated.id, version: updated.version, at: now, payload: eventPayload(updated) }));
      await audit.record(tx, { at: now, action: 'case.merge', user_id: user?.id ?? null, username: user?.username ?? null, target: `case:${c.id}`,
        detail: entry.data as Record<string, unknown> });
      return updated;
    };
    const merged = await write(source, { action: 'merge', from_status: source.status, to_status: 'void', note: p.note ?? null,
      data: { merged_into: target.id, merged_into_case_no: target.case_no } },
    { status: 'void', merged_into: target.id, void_reason: `merged into ${target.case_no}`, closed_at: now,
      step: null, step_started_at: null, step_deadline_at: null, yellow_at: null, red_at: null });
    await write(target, { action: 'merged_from', from_status: target.status, to_status: target.status, note: p.note ?? null,
      data: { merged_from: source.id, merged_from_case_no: source.case_no } }, {});
    return merged;
  });
  for (const id of events) deps.onCommitted?.(id);
  return caseView(row, user);
}
