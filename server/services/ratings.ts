// Satisfaction call-backs (回访, issue 11): the reporter's rating on the public tracking page, the operator's call-back,
// the supervision centre's review list of dissatisfied ratings and its "confirm the closure" (reopening is the
// workflow action `reopen`, services/cases.ts actOnCase, which settles the review in the same transaction).
// One transaction each: the rating, the case's trail entry (action `rate` or `callback`, `confirm_closure`), the
// live event and the audit record commit together.
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/types.js';
import * as cases from '../db/cases.js';
import * as ratings from '../db/ratings.js';
import * as audit from '../db/audit.js';
import { findCaseByTracking } from '../db/public.js';
import { DomainError } from '../domain/errors.js';
import {
  RATING_SCORES, REVIEW_READERS, assertReviewable, callbackRole, decideRating, hasReporter, parseRating, ratingEntry,
  type RatingChannel, type ReviewOutcome,
} from '../domain/satisfaction.js';
import { chainEntry } from '../domain/trail.js';
import { eventPayload, mayReadCase, type CaseDeps, type CaseUser } from './cases.js';
import { refreshFacts } from './facts.js';
import { userDistrict } from './visibility.js';

export type RatingDeps = Pick<CaseDeps, 'db' | 'clock' | 'work' | 'onCommitted'>;

/** What the API answers for a rating. The public sees no more than its own rating. */
export function ratingView(r: ratings.RatingRow) {
  return { case_id: r.case_id, rating: r.rating, score: r.score, comment: r.comment, channel: r.channel, rated_at: r.rated_at, review_status: r.review_status };
}
export type RatingView = ReturnType<typeof ratingView>;

const hashOf = (body: unknown) => createHash('sha256').update(JSON.stringify(body)).digest('hex');

type Rater = { channel: 'public' } | { channel: 'callback'; user: NonNullable<CaseUser> };

/**
 * One rating of one case, whoever gives it: checks, rating row, trail entry, case head, facts, event, audit.
 * `district`: the case's when known (the tracking look-up's), or the district a user is kept to (another's case is
 * not found), or null; named, the case is locked by a statement on its district's shard alone (Citus).
 */
async function rate(deps: RatingDeps, case_id: string, district: string | null, who: Rater, body: { rating?: unknown; comment?: unknown }, key: string | null,
  visible: (tx: Queryable, c: cases.CaseRow) => Promise<boolean>): Promise<{ rating: RatingView; replay: boolean }> {
  const input = parseRating(body);
  const request_hash = hashOf(input);
  const now = deps.clock.now();
  let eventId = 0;
  let eventDistrict = ''; // the live hub reads the districts it heard of (live/hub.ts)
  const out = await deps.db.transaction(async (tx) => {
    eventId = 0;
    const c = await cases.get(tx, case_id, now, true, district);
    if (!c || !(await visible(tx, c))) throw new DomainError('not_found', `No case with id ${case_id}`);
    const existing = await ratings.get(tx, c, true);
    const roles = who.channel === 'callback' ? who.user.roles : ['public'];
    if (decideRating(c, existing, who.channel, roles, key, request_hash) === 'replay') return { rating: ratingView(existing!), replay: true };
    const channel: RatingChannel = who.channel;
    const user = who.channel === 'callback' ? who.user : null;
    const row = await ratings.insert(tx, {
      case_id: c.id, rating: input.rating, score: RATING_SCORES[input.rating], comment: input.comment, channel,
      rated_by: user?.id ?? null, rated_at: now, district_code: c.district_code, idempotency_key: key, request_hash,
      review_status: input.rating === 'dissatisfied' ? 'pending' : null,
    });
    const entry = ratingEntry((await cases.lastTrail(tx, c))!, {
      case_id: c.id, channel, rating: input.rating, comment: input.comment, actor_id: user?.id ?? null,
      role: user ? callbackRole(user.roles) : 'public', at: now,
    });
    const updated = await cases.update(tx, c.id, c.version, { updated_at: now, trail_head: entry.hash }, now, c.district_code);
    if (!updated) throw new DomainError('conflict', 'The case was changed a moment ago; try again');
    await cases.appendTrail(tx, c.district_code, entry);
    await refreshFacts(tx, deps.work, updated);
    eventDistrict = c.district_code;
    eventId = await cases.appendEvent(tx, { case_id: c.id, district_code: c.district_code, version: updated.version, at: now, payload: eventPayload(updated) });
    await audit.record(tx, { at: now, action: `case.${entry.action}`, user_id: user?.id ?? null, username: user?.username ?? null,
      target: `case:${c.id}`, detail: { rating: input.rating, channel } });
    return { rating: ratingView(row), replay: false };
  }, { retry: true }); // a deadlock retried: nothing but rows until commit
  if (eventId) deps.onCommitted?.(eventId, eventDistrict);
  return out;
}

/**
 * POST /api/public/cases/{case_no}/rating: the reporter rates a closed case with its tracking code. A wrong code
 * answers exactly like an unknown case number (404), so a code cannot be guessed case by case.
 * @throws DomainError not_found, not_allowed_in_state (not closed), conflict (rated already), unprocessable
 */
export async function ratePublic(deps: RatingDeps, case_no: string, body: { code: string; rating?: unknown; comment?: unknown }, key: string | null) {
  const found = await findCaseByTracking(deps.db, case_no, body.code);
  if (!found) throw new DomainError('not_found', `No case ${case_no} with this tracking code; check the case number and the code you were given`);
  const { code: _code, ...rest } = body;
  return rate(deps, found.case_id, found.district_code, { channel: 'public' }, rest, key, async () => true);
}

/**
 * POST /api/cases/{id}/rating: an operator or shift leader records the call-back (回访) of a closed case's reporter.
 * @throws DomainError not_found, role_not_allowed, not_allowed_in_state (not closed, nobody to call), conflict, unprocessable
 */
export async function recordCallback(deps: RatingDeps, user: NonNullable<CaseUser>, case_id: string, body: { rating?: unknown; comment?: unknown }, key: string | null) {
  callbackRole(user.roles);
  const district = await userDistrict(deps.db, user); // a user kept to a district: another district's case is not found
  return rate(deps, case_id, district, { channel: 'callback', user }, body, key, async (tx, c) => (!district || c.district_code === district) && mayReadCase(tx, user, c));
}

/** GET /api/cases/{id}/rating: the case's rating (null: none yet) and whether a call-back can be recorded now. */
export async function caseRating(deps: RatingDeps, user: NonNullable<CaseUser>, case_id: string) {
  const c = await cases.get(deps.db, case_id, deps.clock.now(), false, await userDistrict(deps.db, user));
  if (!c || !(await mayReadCase(deps.db, user, c))) throw new DomainError('not_found', `No case with id ${case_id}`);
  const r = await ratings.get(deps.db, c);
  const mayCall = user.roles.some((x) => x === 'operator' || x === 'shift_leader');
  return { rating: r ? ratingView(r) : null, can_callback: !r && mayCall && c.status === 'closed' && hasReporter(c) };
}

function assertReader(user: NonNullable<CaseUser>) {
  if (!user.roles.some((r) => (REVIEW_READERS as readonly string[]).includes(r))) {
    throw new DomainError('role_not_allowed', `Only ${REVIEW_READERS.join(', ')} read the satisfaction review list`);
  }
}

/**
 * GET /api/supervision/satisfaction: dissatisfied ratings waiting for review (or settled ones), one page; a user
 * kept to a district reads its district's only.
 */
export async function reviewList(deps: RatingDeps, user: NonNullable<CaseUser>, q: { status?: 'pending' | ReviewOutcome; limit?: number; offset?: number }) {
  assertReader(user);
  return ratings.reviewList(deps.db, { status: q.status ?? 'pending', limit: q.limit ?? 50, offset: q.offset ?? 0, district: await userDistrict(deps.db, user) });
}

/**
 * POST /api/supervision/satisfaction/{case_id}/confirm: the shift leader keeps the closure of a case rated
 * dissatisfied; the review is settled and the trail records `confirm_closure` with the note.
 * @throws DomainError not_found, role_not_allowed, not_allowed_in_state (not dissatisfied, already settled)
 */
export async function confirmClosure(deps: RatingDeps, user: NonNullable<CaseUser>, case_id: string, note: string | null) {
  const now = deps.clock.now();
  let eventId = 0;
  let eventDistrict = ''; // the live hub reads the districts it heard of (live/hub.ts)
  const out = await deps.db.transaction(async (tx) => {
    eventId = 0;
    const c = await cases.get(tx, case_id, now, true, await userDistrict(tx, user));
    if (!c || !(await mayReadCase(tx, user, c))) throw new DomainError('not_found', `No case with id ${case_id}`);
    const r = await ratings.get(tx, c, true);
    assertReviewable(r, user.roles);
    await ratings.settleReview(tx, c, { outcome: 'confirmed', by: user.id, at: now, note });
    const last = (await cases.lastTrail(tx, c))!;
    const entry = chainEntry(last, {
      case_id: c.id, seq: last.seq + 1, at: now, actor: String(user.id), role: 'shift_leader', action: 'confirm_closure',
      from_status: c.status, to_status: c.status, note, photo_ids: null, deadline_at: null, data: { review: 'confirmed' },
    });
    const updated = await cases.update(tx, c.id, c.version, { updated_at: now, trail_head: entry.hash }, now, c.district_code);
    if (!updated) throw new DomainError('conflict', 'The case was changed a moment ago; try again');
    await cases.appendTrail(tx, c.district_code, entry);
    await refreshFacts(tx, deps.work, updated);
    eventDistrict = c.district_code;
    eventId = await cases.appendEvent(tx, { case_id: c.id, district_code: c.district_code, version: updated.version, at: now, payload: eventPayload(updated) });
    await audit.record(tx, { at: now, action: 'case.confirm_closure', user_id: user.id, username: user.username, target: `case:${c.id}` });
    return ratingView((await ratings.get(tx, c))!);
  }, { retry: true });
  if (eventId) deps.onCommitted?.(eventId, eventDistrict);
  return out;
}

