// Case use cases: report (intake with idempotency), act (the workflow), read with the trail, list with visibility.
// One transaction each; the trail entry and the live event are written in the same transaction as the change.
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/types.js';
import * as cases from '../db/cases.js';
import { districtOfCode } from '../domain/codes.js';
import * as grids from '../db/grids.js';
import { districtOf } from '../db/visibility.js';
import * as places from '../db/places.js';
import * as departments from '../db/departments.js';
import * as classes from '../db/classes.js';
import * as componentsDb from '../db/components.js';
import * as audit from '../db/audit.js';
import * as ratings from '../db/ratings.js';
import { assertPhotosExist } from './photos.js';
import { locate as locateGrid } from './grids.js';
import type { DistrictExtents } from './district-extents.js';
import { notifyCaseChange, optIn } from './notify/outbox.js';
import type { NotifyChannel } from '../domain/notify.js';
import { DomainError } from '../domain/errors.js';
import { toWgs84, type Crs } from '../domain/coords.js';
import { availableActions, caseStateOf, decideMerge, decideReport, openCase, transition, type Actor, type CaseSource, type MergeSide, type Role } from '../domain/workflow.js';
import { localDateOf } from '../domain/calendar.js';
import { verifyChain } from '../domain/trail.js';
import { maySee, needsPatrolledCodes, sightOf, type DistrictSight, type Sight, type VisibleCase } from '../domain/visibility.js';
import { maskName, maskPhone } from '../domain/privacy.js';
import { normalizePhone } from '../domain/phone.js';
import { newCaseId } from '../domain/case-ids.js';
import { workOf, type WorkRules } from './work-rules.js';
import { refreshFacts } from './facts.js';
import { assertKnownRefs, parseCaseSearch, type CaseSearch, type CaseSearchQuery } from '../domain/case-search.js';

export type CaseDeps = {
  db: Queryable; clock: { now(): Date }; work: WorkRules; duplicate_meters?: number; onCommitted?(event_id: number, district_code: string): void;
  /** Crash tests only: delay before answering a committed report. */
  fault_response_delay_ms?: number;
  /** Channels notifications are written for (services/notify/outbox.ts; default webhooks only). */
  notify_channels?: readonly NotifyChannel[];
  /** The districts' extents (app.ts's one instance): a locate without a district asks the districts holding the point alone (services/grids.ts locate). */
  district_extents?: DistrictExtents;
};

/** Who is acting: a logged-in user, or null for the anonymous public. */
export type CaseUser = { id: number; username: string; roles: readonly string[]; department_id: number | null; region_code?: string | null } | null;

export type ReportInput = {
  kind: 'component_anomaly' | 'event'; class_code: string; lon: number; lat: number; crs?: Crs;
  source?: CaseSource; description?: string; address?: string; component_id?: string; photo_ids?: string[];
  self_handled?: boolean; urgent?: boolean; reporter_name?: string; reporter_phone?: string;
  /** The caller asked for an SMS of each step of its case (to reporter_phone; issue 11 §Notifications). */
  notify_reporter?: boolean;
};

const actorOf = (u: CaseUser): Actor => u
  ? { id: u.id, roles: u.roles as Role[], department_id: u.department_id }
  : { roles: ['public'] };

/** Roles that need the reporter's phone and name (call-back); others see them masked. */
const SEE_REPORTER: readonly string[] = ['operator', 'shift_leader'];

const NO_GRIDS: ReadonlySet<string> = new Set();

/** The responsibility-grid codes the user patrols (read only for inspectors): what domain/visibility.ts maySee needs. */
export async function patrolledCodesOf(db: Queryable, u: CaseUser): Promise<ReadonlySet<string>> {
  return u && needsPatrolledCodes(u) ? new Set(await grids.patrolledCodes(db, u.id)) : NO_GRIDS;
}

/**
 * Whether the user may see the case (domain/visibility.ts maySee). Photos and everything else that hangs off a case
 * ask this; lists use the same rule in SQL (db/visibility.ts).
 */
export async function mayReadCase(db: Queryable, u: CaseUser, c: VisibleCase): Promise<boolean> {
  return maySee(u, await patrolledCodesOf(db, u), c);
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
    origin: c.origin, district_code: c.district_code,
  };
}

/**
 * The caller's name and phone a report stores: the anonymous public gives its own, an operator or shift leader the
 * caller's on a hotline call; no other role records someone's contact. The phone is checked and written one way.
 * @throws DomainError role_not_allowed (403), unprocessable (422: not a Chinese mobile/landline or US number)
 */
export function callerOf(user: CaseUser, input: Pick<ReportInput, 'reporter_name' | 'reporter_phone'>): { reporter_name: string | null; reporter_phone: string | null } {
  const name = input.reporter_name?.trim() || null;
  const raw = input.reporter_phone?.trim() || null;
  if ((name || raw) && user && !user.roles.some((r) => SEE_REPORTER.includes(r))) {
    throw new DomainError('role_not_allowed', `Only ${SEE_REPORTER.join(' or ')} record a caller's name and phone`);
  }
  if (!raw) return { reporter_name: name, reporter_phone: null };
  const phone = normalizePhone(raw);
  if (!phone) {
    throw new DomainError('unprocessable', `"${raw}" is not a Chinese mobile or landline number or a US number`, { reporter_phone: 'not a Chinese mobile/landline or US phone number' });
  }
  return { reporter_name: name, reporter_phone: phone.phone };
}

/**
 * Open cases of a class near a point that the caller may see, nearest first (possible duplicates): the anonymous public
 * sees none, a crew its department's, an inspector its own and its grids' (a duplicate list must not tell anyone of
 * other people's reports).
 */
async function visibleNearby(deps: CaseDeps, user: CaseUser,
  p: { class_code: string; lon: number; lat: number; meters: number; exclude: string | null; district: string | null }, now: Date) {
  const nearby = await cases.nearbyOpen(deps.db, p, now);
  const patrolled = await patrolledCodesOf(deps.db, user);
  return nearby.filter((d) => maySee(user, patrolled, d));
}

/** How far apart two reports of one class may lie and still be suggested as one problem, m (deps.duplicate_meters). */
export const DUPLICATE_METERS = 50;

/**
 * GET /api/cases/duplicates: the open cases of a class near a point the caller may see, each as the caller may see
 * it with its distance, nearest first: what a hotline operator checks before filing a call, and the duplicates of a case.
 */
export async function duplicateCandidates(deps: CaseDeps, user: CaseUser,
  q: { lon: number; lat: number; crs?: Crs; class_code: string; exclude?: string; meters?: number }) {
  const now = deps.clock.now();
  // to a tenth of a millimetre: a subnormal coordinate (7e-323) would underflow in PostgreSQL's radians()
  const [lon, lat] = toWgs84(q.lon, q.lat, q.crs).map((v) => Math.round(v * 1e9) / 1e9);
  const meters = q.meters ?? deps.duplicate_meters ?? DUPLICATE_METERS;
  const district = await districtOf(deps.db, user); // a district-scoped user: its district's cases only
  const found = await visibleNearby(deps, user, { class_code: q.class_code, lon, lat, meters, exclude: q.exclude ?? null, district }, now);
  const items = [];
  for (const d of found) {
    const c = await cases.get(deps.db, d.id, now, false, district);
    if (c) items.push({ ...caseView(c, user), distance_m: d.distance_m });
  }
  return { meters, items };
}

function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/**
 * Registers a report as a case (rows 1 and 19). With an Idempotency-Key, a retry returns the same case and
 * creates nothing; the key and the case are written in one transaction.
 * @throws DomainError conflict (409: the same key is being processed), unprocessable (422), role_not_allowed (403)
 */
export async function reportCase(deps: CaseDeps, user: CaseUser, input: ReportInput, key: string | null, opts: ReportOptions = {}) {
  const now = deps.clock.now();
  const source: CaseSource = input.source ?? (user?.roles.includes('inspector') ? 'inspector' : 'public');
  const actor = opts.actor ?? actorOf(user);
  const first = decideReport(actor, { source, self_handled: input.self_handled, photo_ids: input.photo_ids });
  const [lon, lat] = toWgs84(input.lon, input.lat, input.crs);
  const caller = callerOf(user, input);
  const scope = opts.scope ?? (user ? `user:${user.id}` : 'public');
  let replay = false;
  let eventId = 0;
  const row = await deps.db.transaction(async (tx) => { // retried on a deadlock: nothing but rows until commit
    replay = false;
    eventId = 0;
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
    // Only photos the reporter may see (its own uploads, or shown by a case it may read): citing a photo id would
    // otherwise make someone else's photo readable through one's own case. The public uploads none and cites none.
    if (input.photo_ids?.length) await assertPhotosExist(tx, input.photo_ids, opts.photos_uploaded_with_report ? undefined : user);
    const cls = await classes.get(tx, 'matter', input.class_code);
    if (!cls) throw new DomainError('unknown_class', `${input.class_code} is not a matter class of GB/T 47678.5-2026`);
    if (cls.matter_kind !== input.kind) {
      throw new DomainError('unprocessable', `Class ${input.class_code} (${cls.name_zh}) is a ${cls.matter_kind}, not a ${input.kind}`);
    }
    if (input.component_id) {
      const comp = await componentsDb.get(tx, input.component_id); // by its id's district: one shard on Citus
      if (!comp) throw new DomainError('unprocessable', `No component with identifier ${input.component_id}`);
    }
    // A district-scoped user reports in its own district (issue 12): the locate names the district (one shard on Citus).
    const district = opts.district !== undefined ? opts.district : await districtOf(tx, user);
    // Without one (the public, Open311, a user of every district), the districts whose extent holds the point.
    const grid = district ? await grids.locate(tx, lon, lat, district) : await locateGrid(tx, lon, lat, deps.district_extents);
    if (!grid && district) {
      const elsewhere = await locateGrid(tx, lon, lat, deps.district_extents); // only to say where the point lies
      if (elsewhere) {
        if (opts.outsideDistrict) throw opts.outsideDistrict(elsewhere.district_code);
        throw new DomainError('unprocessable', `The point lon=${lon.toFixed(6)}, lat=${lat.toFixed(6)} lies in district ${elsewhere.district_code}, outside your district ${district}: report it to that district's centre, or check the point`,
          { reason: 'outside_user_district', district_code: elsewhere.district_code });
      }
    }
    if (!grid) {
      throw new DomainError('unprocessable', `The point lon=${lon.toFixed(6)}, lat=${lat.toFixed(6)} (WGS84) lies outside every unit grid of the district`, { reason: 'outside_district' });
    }
    // A case cites a component of its own district only: the database holds it (cases_component_fkey, 0062); refused
    // here first, by name, instead of as a foreign-key violation.
    if (input.component_id && input.component_id.slice(0, 6) !== grid.district_code) {
      throw new DomainError('unprocessable', `Component ${input.component_id} is of district ${input.component_id.slice(0, 6)}, but the point lon=${lon.toFixed(6)}, lat=${lat.toFixed(6)} lies in grid ${grid.code} of district ${grid.district_code}: a case cites a component of its own district; check the component or the point`,
        { reason: 'component_of_another_district', component_id: input.component_id, district_code: input.component_id.slice(0, 6) });
    }
    const road = input.address ? null : await places.nearestRoad(tx, lon, lat);
    const responsibility_code = await grids.responsibilityOf(tx, grid.code);
    const suggested = await departments.suggestFor(tx, { class_code: input.class_code, component_id: input.component_id ?? null, district_code: grid.district_code });
    const work = workOf(deps.work, grid.district_code); // the case's own district's calendar and limits (issue 12)
    const case_no = await cases.nextCaseNo(tx, grid.district_code, localDateOf(work.calendar, now));
    const id = newCaseId(grid.district_code); // names its district: a read by id goes to one shard on Citus (domain/case-ids.ts)
    const { times, entry } = openCase(first, actor, {
      id, source, self_handled: !!input.self_handled, class_code: input.class_code, urgent: !!input.urgent, grid_code: grid.code,
      note: input.description ?? null, photo_ids: input.photo_ids ?? null,
    }, now, work);
    const created = await cases.insert(tx, {
      id, case_no, status: first.to, source, kind: input.kind, class_code: input.class_code, component_id: input.component_id ?? null,
      description: input.description ?? null, address: input.address ?? (road ? road.name : null), lon, lat,
      district_code: grid.district_code, street_code: grid.street_code, community_code: grid.community_code, grid_code: grid.code,
      responsibility_code, reporter_id: user?.id ?? null, ...caller,
      self_handled: !!input.self_handled, urgent: !!input.urgent, suggested_department_id: suggested, ...times,
      trail_head: entry.hash, created_at: now, updated_at: now,
    }, now);
    await cases.appendTrail(tx, created.district_code, entry);
    await refreshFacts(tx, work, created);
    const final = created;
    eventId = await cases.appendEvent(tx, { case_id: final.id, district_code: final.district_code, version: final.version, at: now, payload: eventPayload(final) });
    if (key) await cases.saveKey(tx, { scope, key, request_hash: requestHash(input), case_id: final.id, district_code: final.district_code, now });
    if (input.notify_reporter && caller.reporter_phone) await optIn(tx, { case_id: final.id, district_code: final.district_code, channel: 'sms', target: caller.reporter_phone, at: now });
    await opts.within?.(tx, final);
    await notifyCaseChange(tx, final, { action: 'report', from: null, at: now }, deps.notify_channels); // the outbox, in this transaction (after `within`: a public reporter's contact)
    await audit.record(tx, { at: now, action: 'case.report', user_id: user?.id ?? null, username: user?.username ?? opts.username ?? null, target: `case:${final.id}` });
    return final;
  }, { retry: true });
  if (eventId) deps.onCommitted?.(eventId, row.district_code);
  if (deps.fault_response_delay_ms) await new Promise((r) => setTimeout(r, deps.fault_response_delay_ms));
  const nearby = replay ? [] : await visibleNearby(deps, user, {
    class_code: row.class_code, lon: row.lon, lat: row.lat, meters: deps.duplicate_meters ?? DUPLICATE_METERS, exclude: row.id, district: row.district_code,
  }, now);
  const duplicates = nearby.map(({ id, case_no, status, distance_m }) => ({ id, case_no, status, distance_m }));
  return { case: caseView(row, user), replay, possible_duplicates: duplicates };
}

/**
 * How another intake (Open311, services/open311.ts) reports through reportCase: its own idempotency scope (one per
 * client system), the actor a client system reports as, photos it has just uploaded itself for this report (checked
 * to exist, not against a viewer), the name the audit records, and more rows written in the same transaction.
 */
export type ReportOptions = {
  scope?: string; actor?: Actor; photos_uploaded_with_report?: boolean; username?: string;
  within?(tx: Queryable, created: cases.CaseRow): Promise<void>;
  /** The district the report is kept to instead of the user's (an Open311 key bound to one, or its jurisdiction_id). */
  district?: string | null;
  /** The refusal of a point in district `found`, outside `district` (default: the user's outside_user_district 422). */
  outsideDistrict?(found: string): DomainError;
};

export type ActionInput = { action: string; version: number } & Record<string, unknown>;

/**
 * Performs one workflow action in one transaction: lock the case, check the version and that the caller may see it,
 * decide (domain/workflow.ts transition: the whole patch), then save the patch, the suspension, the trail entry, the
 * facts, the live event and the audit record.
 * @throws DomainError not_found, stale_version (409), role_not_allowed (403), not_allowed_in_state / unprocessable (422)
 */
export async function actOnCase(deps: CaseDeps, user: CaseUser, caseId: string, input: ActionInput) {
  const now = deps.clock.now();
  let eventId = 0;
  const row = await deps.db.transaction(async (tx) => {
    const c = await cases.get(tx, caseId, now, true, await districtOf(tx, user));
    if (!c || !(await mayReadCase(tx, user, c))) throw new DomainError('not_found', `No case with id ${caseId}`);
    if (c.version !== input.version) {
      throw new DomainError('stale_version', `The case is at version ${c.version}, not ${input.version}: reload it and try again`, { version: c.version });
    }
    const { action, version: _v, ...fields } = input;
    const t = transition(c, action, actorOf(user), fields, now, {
      rules: workOf(deps.work, c.district_code), suspensions: await cases.suspensions(tx, c), last_entry: (await cases.lastTrail(tx, c))!,
    });
    if (t.decision.fields.photo_ids?.length) await assertPhotosExist(tx, t.decision.fields.photo_ids, user);
    if (t.patch.department_id != null) {
      // Where a dispatch sends the case (named, the rework's department or the suggestion) must exist and be active.
      const d = await departments.activeOf(tx, t.patch.department_id);
      if (!d) throw new DomainError('unprocessable', `No department with id ${t.patch.department_id}`, { department_id: 'unknown department' });
      if (!d.active) {
        throw new DomainError('unprocessable', `The department "${d.name}" is deactivated: dispatch to an active department (name one with department_id)`,
          { department_id: 'inactive department' });
      }
    }

    if (t.suspension) {
      if ('close' in t.suspension) await cases.closeSuspension(tx, c.id, c.district_code, t.suspension.close);
      else await cases.openSuspension(tx, c.id, c.district_code, t.suspension.open);
    }
    const updated = await cases.update(tx, c.id, c.version, t.patch, now, c.district_code);
    if (!updated) throw new DomainError('stale_version', 'The case was changed by someone else a moment ago: reload it and try again');
    await cases.appendTrail(tx, updated.district_code, t.entry);
    // A reopened case (after a dissatisfied call-back, issue 11) settles its satisfaction review in the same transaction.
    if (t.decision.action === 'reopen' && user) {
      await ratings.settleReview(tx, c, { outcome: 'reopened', by: user.id, at: now, note: t.decision.fields.reason ?? null });
    }
    await refreshFacts(tx, deps.work, updated);
    eventId = await cases.appendEvent(tx, { case_id: updated.id, district_code: updated.district_code, version: updated.version, at: now, payload: eventPayload(updated) });
    await notifyCaseChange(tx, updated, { action: t.decision.action, from: c.status, at: now }, deps.notify_channels); // the outbox, in this transaction
    await audit.record(tx, { at: now, action: `case.${t.decision.action}`, user_id: user?.id ?? null, username: user?.username ?? null,
      target: `case:${c.id}`, detail: { from: t.decision.from, to: t.decision.to, version: updated.version } });
    return updated;
  }, { retry: true });
  deps.onCommitted?.(eventId, row.district_code);
  return caseView(row, user);
}

/** A case with its full trail, if the caller may see it. */
export async function readCase(deps: CaseDeps, user: CaseUser, caseId: string) {
  const now = deps.clock.now();
  const c = await cases.get(deps.db, caseId, now, false, await districtOf(deps.db, user));
  if (!c || !(await mayReadCase(deps.db, user, c))) throw new DomainError('not_found', `No case with id ${caseId}`);
  const trail = await cases.namedTrail(deps.db, c);
  return { ...caseView(c, user), available_actions: availableActions(caseStateOf(c), actorOf(user), now), trail };
}

export async function listCases(deps: CaseDeps, user: CaseUser, f: Omit<cases.CaseFilter, 'viewer'>) {
  const now = deps.clock.now();
  const { items, total } = await cases.list(deps.db, { ...f, viewer: user, district: await districtOf(deps.db, user) }, now);
  return { items: items.map((c) => caseView(c, user)), total };
}

/**
 * The district whose calendar a case search's dates are read in (issue 12): a scoped user's own, else the district of
 * its region filter (grid, community or street: their first six digits), else none (the first district's).
 */
export function searchDistrictOf(query: Pick<CaseSearchQuery, 'grid' | 'community' | 'street'>, district: string | null | undefined): string | null {
  return district ?? [query.grid, query.community, query.street].map(districtOfCode).find((d) => d !== null) ?? null;
}

/**
 * Checks a case search (docs/leader-api.md §Case search) against a district's calendar (searchDistrictOf: the
 * scoped user's, else the region filter's, else the first district's) and the codes the database knows. The case
 * exports take the same query through this.
 * @throws DomainError bad_request naming the field
 */
export async function caseSearchOf(deps: Pick<CaseDeps, 'db' | 'work'>, query: CaseSearchQuery, district?: string | null): Promise<CaseSearch> {
  const search = parseCaseSearch(query, workOf(deps.work, searchDistrictOf(query, district)).calendar);
  assertKnownRefs(search, await cases.unknownRefs(deps.db, search));
  return search;
}

/** GET /api/cases: the cases the caller may see that match the search, one page, with the total. */
export async function searchCases(deps: CaseDeps, user: CaseUser, query: CaseSearchQuery & { limit: number; offset: number }) {
  const search = await caseSearchOf(deps, query, await districtOf(deps.db, user)); // a scoped user's dates: its district's
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
      const entries = await cases.trail(db, c);
      const r = verifyChain(entries, { head: c.trail_head });
      checked++;
      if (!r.ok) broken.push({ id: c.id, case_no: c.case_no, broken_at: r.broken_at, reason: r.reason });
    }
    after = page[page.length - 1].id;
  }
  return { checked, broken };
}

/**
 * What a live-stream client may hear of (domain/visibility.ts sightOf): everything, or its department's, own and
 * grids' cases; only its district's when the user is scoped to one (users.region_code).
 */
export async function liveScopeOf(db: Queryable, user: CaseUser): Promise<Sight | DistrictSight> {
  const sight = sightOf(user, await patrolledCodesOf(db, user));
  const district = await districtOf(db, user);
  return district ? { sight, district_code: district } : sight;
}

/**
 * Merges a duplicate report into the case it repeats: the duplicate becomes void with `merged_into`; both trails
 * get an entry naming the other, so neither history is lost. Locks both rows in id order (no deadlock).
 */
export async function mergeCase(deps: CaseDeps, user: CaseUser, caseId: string, p: { into: string; version: number; note?: string }) {
  const now = deps.clock.now();
  const events: number[] = [];
  const row = await deps.db.transaction(async (tx) => { // retried on a deadlock: the events of a cancelled try are dropped
    events.length = 0;
    const [firstId, secondId] = [caseId, p.into].sort();
    const district = await districtOf(tx, user);
    const first = await cases.get(tx, firstId, now, true, district);
    const second = firstId === secondId ? first : await cases.get(tx, secondId, now, true, district);
    const source = firstId === caseId ? first : second;
    const target = firstId === caseId ? second : first;
    const patrolled = await patrolledCodesOf(tx, user);
    if (!source || !maySee(user, patrolled, source)) throw new DomainError('not_found', `No case with id ${caseId}`);
    if (!target || !maySee(user, patrolled, target)) throw new DomainError('not_found', `No case with id ${p.into}`);
    if (source.district_code !== target.district_code) { // each district's cases stay on its shard (issue 12)
      throw new DomainError('unprocessable', `Case ${source.case_no} is of district ${source.district_code}, case ${target.case_no} of district ${target.district_code}: only cases of one district can be merged`,
        { into: 'a case of another district' });
    }
    if (source.version !== p.version) {
      throw new DomainError('stale_version', `The case is at version ${source.version}, not ${p.version}: reload it and try again`, { version: source.version });
    }
    const lastOf = async (c: cases.CaseKey) => (await cases.lastTrail(tx, c))!;
    const m = decideMerge(source, target, actorOf(user), p.note ?? null, now, { source: await lastOf(source), target: await lastOf(target) });
    const save = async (c: cases.CaseRow, side: MergeSide) => {
      const updated = await cases.update(tx, c.id, c.version, side.patch, now, c.district_code);
      if (!updated) throw new DomainError('stale_version', 'The case was changed by someone else a moment ago: reload it and try again');
      await cases.appendTrail(tx, updated.district_code, side.entry);
      await refreshFacts(tx, deps.work, updated);
      events.push(await cases.appendEvent(tx, { case_id: updated.id, district_code: updated.district_code, version: updated.version, at: now, payload: eventPayload(updated) }));
      await notifyCaseChange(tx, updated, { action: 'merge', from: c.status, at: now }, deps.notify_channels);
      await audit.record(tx, { at: now, action: 'case.merge', user_id: user?.id ?? null, username: user?.username ?? null, target: `case:${c.id}`,
        detail: side.entry.data as Record<string, unknown> });
      return updated;
    };
    const merged = await save(source, m.source);
    await save(target, m.target);
    return merged;
  }, { retry: true });
  for (const id of events) deps.onCommitted?.(id, row.district_code); // both cases are of one district
  return caseView(row, user);
}
