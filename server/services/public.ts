// The public report and "track my report" pages (issue 11 §Public web): a proof-of-work challenge buys an upload
// ticket (good for 3 photos and one report, for an hour), the report goes through the same reportCase as every other
// intake (source `public`, retry-safe by Idempotency-Key) and answers the case number and a private tracking code
// (shown once, stored hashed); the tracking look-up shows the public steps, the public reply, the approved before and
// after photos (metadata stripped) and the satisfaction rating. No answer here carries a reporter's contact, a staff
// member's name or another case's data. Staff side: the public reply and the approval of photos, both audited.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Queryable } from '../db/types.js';
import * as pub from '../db/public.js';
import * as classes from '../db/classes.js';
import * as cases from '../db/cases.js';
import * as photosDb from '../db/photos.js';
import * as secrets from '../db/secrets.js';
import * as audit from '../db/audit.js';
import { DomainError } from '../domain/errors.js';
import type { Crs } from '../domain/coords.js';
import { normalizePhone } from '../domain/phone.js';
import { stripMetadata } from '../domain/image-strip.js';
import { linkExpiry, linkPolicy } from '../domain/photo-links.js';
import {
  POW_POLICY, contactOf, photoSideOf, powChallenge, publicPhotoUrl, publicStageOf, publicStepOf, ticketHash,
  trackingCodeOf, verifyPow, verifyPublicPhotoLink, type ContactInput, type PowPolicy, type PublicStep,
} from '../domain/public.js';
import { mayReadCase, reportCase, type CaseDeps, type CaseUser } from './cases.js';
import { photoPath, uploadPhoto, type PhotoDeps } from './photos.js';
import { userDistrict } from './visibility.js';

export type PublicDeps = {
  cases: CaseDeps; photos: PhotoDeps; secret: string | null; link_minutes: number; pow?: PowPolicy;
};

/** Photos one ticket may carry, and how long a ticket lasts. */
export const TICKET = { max_photos: 3, ttl_minutes: 60 } as const;

const now = (d: PublicDeps) => d.cases.clock.now();

async function secretOf(d: PublicDeps): Promise<string> {
  if (d.secret) return d.secret;
  const s = await secrets.get(d.cases.db, 'photo_links');
  if (!s) throw new Error('server_secrets has no photo_links key: run the migrations or set GRIDLINE_SECRET');
  return s;
}

// ---- Challenge and ticket ------------------------------------------------------------------------------------------

/** GET /api/public/challenge: a fresh proof-of-work challenge; the server stores nothing until it is answered. */
export async function issueChallenge(d: PublicDeps): Promise<{ challenge: string; bits: number; expires_at: string }> {
  const c = powChallenge(await secretOf(d), now(d), randomBytes(16), d.pow ?? POW_POLICY);
  return { challenge: c.challenge, bits: c.bits, expires_at: c.expires_at.toISOString() };
}

/**
 * POST /api/public/tickets: a solved challenge buys one upload ticket (a solution counts once).
 * @throws DomainError bad_request (not ours, expired, too easy, not solved), conflict (409: solved before)
 */
export async function issueTicket(d: PublicDeps, p: { challenge: string; nonce: string }): Promise<{ ticket: string; expires_at: string; max_photos: number }> {
  const at = now(d);
  const { challenge_hash } = verifyPow(await secretOf(d), p.challenge, p.nonce, at, d.pow ?? POW_POLICY);
  const ticket = randomBytes(24).toString('base64url');
  const expires_at = new Date(at.getTime() + TICKET.ttl_minutes * 60_000);
  const fresh = await d.cases.db.transaction(async (tx) => {
    await pub.purgeTickets(tx, new Date(at.getTime() - 24 * 3600_000));
    return pub.insertTicket(tx, { ticket_hash: ticketHash(ticket), challenge_hash, now: at, expires_at });
  });
  if (!fresh) throw new DomainError('conflict', 'This challenge was answered already; get a new one from GET /api/public/challenge and solve it', { challenge: 'used' });
  return { ticket, expires_at: expires_at.toISOString(), max_photos: TICKET.max_photos };
}

/** The ticket, if it is valid now. @throws DomainError forbidden (403) naming what to do */
async function validTicket(db: Queryable, ticket: string, at: Date, forUpdate = false): Promise<pub.TicketRow> {
  const t = /^[A-Za-z0-9_-]{32}$/.test(ticket) ? await pub.getTicket(db, ticketHash(ticket), forUpdate) : null;
  if (!t) throw new DomainError('forbidden', 'The upload ticket is not valid; reload the report page to get a new one', { ticket: 'unknown' });
  if (t.expires_at.getTime() <= at.getTime()) {
    throw new DomainError('forbidden', `The upload ticket has expired (it lasts ${TICKET.ttl_minutes} minutes); reload the report page to get a new one`, { ticket: 'expired' });
  }
  return t;
}

/**
 * POST /api/public/photos: one photo of the report being made, bound to its ticket (the same checks and limits as
 * POST /api/photos). At most TICKET.max_photos per ticket; none once the report is made.
 */
export async function uploadPublicPhoto(d: PublicDeps, ticket: string, bytes: Uint8Array | undefined) {
  const at = now(d);
  const t = await validTicket(d.cases.db, ticket, at);
  if (t.case_id) throw new DomainError('conflict', 'The report of this ticket has been made already; start a new report for more photos', { ticket: 'used' });
  const photo = await uploadPhoto(d.photos, { bytes, uploader: null });
  await d.cases.db.transaction(async (tx) => {
    const locked = await validTicket(tx, ticket, at, true);
    if (!locked.photo_ids.includes(photo.id) && locked.photo_ids.length >= TICKET.max_photos) {
      throw new DomainError('unprocessable', `A report carries at most ${TICKET.max_photos} photos; remove one before adding another`, { photos: `at most ${TICKET.max_photos}` });
    }
    await pub.addTicketPhoto(tx, locked.ticket_hash, photo.id);
  });
  return { id: photo.id, mime: photo.mime, width: photo.width, height: photo.height, bytes: photo.bytes, url: photo.url };
}

// ---- Report --------------------------------------------------------------------------------------------------------

export type PublicReportInput = {
  ticket: string; class_code: string; lon: number; lat: number; crs?: Crs; description?: string; address?: string;
  photo_ids?: string[]; contact?: ContactInput; lang?: 'zh' | 'en';
};

/**
 * POST /api/public/reports: the report, as a case of source `public`. The Idempotency-Key is required: a retry
 * with it returns the same case number and creates nothing; since the first tracking code is stored only hashed,
 * the retry's answer carries a fresh code that replaces it (only the sender of the first request, holding its ticket
 * and key, can retry).
 * @throws DomainError bad_request (no key), forbidden (ticket), conflict (ticket used by another report), unprocessable
 */
export async function reportPublic(d: PublicDeps, input: PublicReportInput, key: string | null) {
  if (!key) throw new DomainError('bad_request', 'Send an Idempotency-Key header (any unique string per report) so a retry cannot report twice', { 'idempotency-key': 'required' });
  const at = now(d);
  const db = d.cases.db;
  const t = await validTicket(db, input.ticket, at);
  const unknown = (input.photo_ids ?? []).filter((id) => !t.photo_ids.includes(id));
  if (unknown.length) {
    throw new DomainError('unprocessable', `Photo${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} ${unknown.length > 1 ? 'were' : 'was'} not uploaded with this report's ticket; upload them again`, { unknown_photo_ids: unknown });
  }
  const cls = await classes.get(db, 'matter', input.class_code);
  if (!cls || !cls.matter_kind) throw new DomainError('unknown_class', `${input.class_code} is not a class of problem; pick one from the list`, { class_code: 'unknown' });
  const contact = contactOf(input.contact);
  let phone: string | null = null;
  if (contact.phone) {
    const n = normalizePhone(contact.phone);
    if (!n) throw new DomainError('unprocessable', `"${contact.phone}" is not a phone number we can call (a Chinese mobile or landline number, or a US number); correct it or leave it empty`, { 'contact.phone': 'not a phone number' });
    phone = n.phone;
  }
  const code = trackingCodeOf(randomBytes(8));
  const scope = `public:${t.ticket_hash}`;
  const r = await reportCase(d.cases, null, {
    kind: cls.matter_kind, class_code: cls.code, lon: input.lon, lat: input.lat, source: 'public',
    ...(input.crs ? { crs: input.crs } : {}),
    ...(input.description?.trim() ? { description: input.description.trim() } : {}),
    ...(input.address?.trim() ? { address: input.address.trim() } : {}),
    ...(input.photo_ids?.length ? { photo_ids: input.photo_ids } : {}),
    ...(contact.name ? { reporter_name: contact.name } : {}),
    ...(phone ? { reporter_phone: phone } : {}),
  }, key, {
    scope,
    photos_uploaded_with_report: true,
    username: 'public',
    within: async (tx, created) => {
      const locked = await validTicket(tx, input.ticket, at, true);
      if (locked.case_id) throw new DomainError('conflict', 'This ticket was used for another report already; reload the report page to report again', { ticket: 'used' });
      await pub.useTicket(tx, locked.ticket_hash, created);
      await pub.saveTracking(tx, { case_id: created.id, district_code: created.district_code, code, now: at });
      if (contact.name || phone || contact.email) {
        await pub.saveContact(tx, { case_id: created.id, district_code: created.district_code, name: contact.name, phone, email: contact.email, notify: contact.notify, lang: input.lang ?? 'zh', now: at });
      }
    },
  });
  if (r.replay) await pub.saveTracking(db, { case_id: r.case.id, district_code: r.case.district_code, code, now: at });
  return { answer: { case_no: r.case.case_no, tracking_code: code, status: publicStageOf(r.case.status), reported_at: r.case.created_at.toISOString() }, replay: r.replay };
}

// ---- Track ---------------------------------------------------------------------------------------------------------

export type PublicPhoto = { id: string; side: 'before' | 'after'; width: number; height: number; url: string };

export type TrackAnswer = {
  case_no: string; stage: 'received' | 'in_progress' | 'closed'; class_code: string; class_name_zh: string | null; class_name_en: string | null;
  address: string | null; description: string | null; reported_at: string; closed_at: string | null;
  steps: { step: PublicStep; at: string }[];
  reply: { text: string; at: string } | null;
  photos: PublicPhoto[]; photos_withheld: number;
  rating: { rating: 'satisfied' | 'basic' | 'dissatisfied'; comment: string | null; rated_at: string } | null;
  can_rate: boolean;
};

const NO_CASE = () => new DomainError('not_found', 'No report with this number and tracking code; check both (the code is on the confirmation of your report)');

/** POST /api/public/track: the case number and code → what the public may know. @throws DomainError not_found (one answer for every miss) */
export async function trackCase(d: PublicDeps, p: { case_no: string; code: string }): Promise<TrackAnswer> {
  const db = d.cases.db;
  const found = await pub.findCaseByTracking(db, p.case_no.trim(), p.code);
  if (!found) throw NO_CASE();
  const c = await pub.trackedCase(db, { id: found.case_id, district_code: found.district_code });
  if (!c) throw NO_CASE();
  const trail = await pub.publicTrail(db, c);
  const steps = trail.flatMap((e) => {
    const step = publicStepOf(e);
    return step ? [{ step, at: e.at.toISOString() }] : [];
  });
  const reply = await pub.publicReply(db, c);
  const withhold = await pub.withholdPhotos(db, c.district_code);
  const approved = new Set(await pub.approvedPhotoIds(db, c));
  const sides = new Map<string, 'before' | 'after'>();
  for (const e of trail) {
    const side = photoSideOf(e.action);
    if (side) for (const id of e.photo_ids ?? []) if (!sides.has(id)) sides.set(id, side);
  }
  const rows = await photosDb.getMany(db, [...sides.keys()]);
  const shown = rows.filter((r) => !withhold || approved.has(r.id));
  const secret = await secretOf(d);
  const exp = linkExpiry(now(d), linkPolicy(d.link_minutes));
  const photos = [...sides.keys()].flatMap((id) => {
    const r = shown.find((x) => x.id === id);
    return r ? [{ id: r.id, side: sides.get(id)!, width: r.width, height: r.height, url: publicPhotoUrl(secret, r.id, c.case_no, exp) }] : [];
  });
  const rating = await pub.ratingOf(db, c);
  return {
    case_no: c.case_no, stage: publicStageOf(c.status), class_code: c.class_code, class_name_zh: c.class_name_zh, class_name_en: c.class_name_en,
    address: c.address, description: c.description, reported_at: c.created_at.toISOString(), closed_at: c.closed_at?.toISOString() ?? null,
    steps, reply: reply ? { text: reply.reply, at: reply.replied_at.toISOString() } : null,
    photos, photos_withheld: rows.length - shown.length,
    rating: rating ? { rating: rating.rating as 'satisfied' | 'basic' | 'dissatisfied', comment: rating.comment, rated_at: rating.rated_at.toISOString() } : null,
    can_rate: c.status === 'closed' && !rating,
  };
}

/**
 * GET /api/public/photos/{id}: the bytes of a photo a tracking answer linked, metadata stripped. Checked again at
 * each request: the link is this server's and unexpired, the photo is one the case shows, and (when the district
 * withholds photos) still approved. Every refusal is the same 404.
 */
export async function openPublicPhoto(d: PublicDeps, id: string, q: { case_no: string; exp: number; sig: string }): Promise<{ mime: string; bytes: Uint8Array; expires_at: Date }> {
  const refused = () => new DomainError('not_found', 'No such photo, or the link has expired; look the report up again for fresh links');
  const db = d.cases.db;
  if (!verifyPublicPhotoLink(await secretOf(d), id, q, now(d))) throw refused();
  const c = await pub.caseByNo(db, q.case_no);
  if (!c) throw refused();
  const trail = await pub.publicTrail(db, c);
  const cited = trail.some((e) => photoSideOf(e.action) && (e.photo_ids ?? []).includes(id));
  if (!cited) throw refused();
  if ((await pub.withholdPhotos(db, c.district_code)) && !(await pub.isPhotoApproved(db, c, id))) throw refused();
  const row = await photosDb.get(db, id);
  if (!row) throw refused();
  let raw: Uint8Array;
  try {
    raw = await readFile(photoPath(d.photos.photo_dir, id, row.mime));
  } catch {
    throw refused();
  }
  return { mime: row.mime, bytes: stripMetadata(raw), expires_at: new Date(q.exp * 1000) };
}

// ---- Staff side ----------------------------------------------------------------------------------------------------

type Staff = NonNullable<CaseUser>;

const APPROVERS = ['operator', 'shift_leader'];

async function staffCase(d: PublicDeps, user: Staff, case_id: string) {
  // a user kept to a district reads its district's cases alone: named, the read goes to one shard on Citus
  const c = await cases.get(d.cases.db, case_id, now(d), false, await userDistrict(d.cases.db, user));
  if (!c || !(await mayReadCase(d.cases.db, user, c))) throw new DomainError('not_found', `No case with id ${case_id}`);
  return c;
}

/** GET /api/cases/{id}/public: what the public sees of a case, for the case panel. */
export async function publicSideOfCase(d: PublicDeps, user: Staff, case_id: string) {
  const c = await staffCase(d, user, case_id);
  const db = d.cases.db;
  const reply = await pub.publicReply(db, c);
  return {
    withhold_photos: await pub.withholdPhotos(db, c.district_code),
    approved_photo_ids: await pub.approvedPhotoIds(db, c),
    reply: reply ? { text: reply.reply, at: reply.replied_at.toISOString() } : null,
    can_approve: user.roles.some((r) => APPROVERS.includes(r)),
    // a department's crew replies on its own department's cases only
    can_reply: user.roles.some((r) => r === 'operator' || r === 'shift_leader') || (user.roles.includes('department') && c.department_id === user.department_id),
  };
}

/**
 * PUT/DELETE /api/cases/{id}/public-photos/{photo_id}: an operator or shift leader approves (or withdraws) a photo of
 * the case for the public tracking page. Audited.
 * @throws DomainError role_not_allowed, not_found (case, or a photo the case does not show)
 */
export async function setPhotoApproval(d: PublicDeps, user: Staff, case_id: string, photo_id: string, approve: boolean) {
  if (!user.roles.some((r) => APPROVERS.includes(r))) throw new DomainError('role_not_allowed', `Only an ${APPROVERS.join(' or ')} approves photos for the public`);
  const c = await staffCase(d, user, case_id);
  const at = now(d);
  await d.cases.db.transaction(async (tx) => {
    const trail = await pub.publicTrail(tx, c);
    if (!trail.some((e) => (e.photo_ids ?? []).includes(photo_id))) throw new DomainError('not_found', `Case ${c.case_no} shows no photo ${photo_id}`);
    const changed = approve ? await pub.approvePhoto(tx, { case_id: c.id, district_code: c.district_code, photo_id, at, by: user.id }) : await pub.revokePhoto(tx, c, photo_id);
    if (changed) {
      await audit.record(tx, { at, action: approve ? 'case.photo_public_approve' : 'case.photo_public_withdraw', user_id: user.id, username: user.username,
        target: `case:${c.id}`, detail: { photo_id } });
    }
  });
  return publicSideOfCase(d, user, case_id);
}

/**
 * PUT /api/cases/{id}/public-reply: the department's reply the tracking page shows (an operator or shift leader, or
 * the crew of the case's department). Audited with the text before and after.
 */
export async function setPublicReply(d: PublicDeps, user: Staff, case_id: string, text: string) {
  const c = await staffCase(d, user, case_id);
  const side = await publicSideOfCase(d, user, case_id);
  if (!side.can_reply) throw new DomainError('role_not_allowed', 'Only an operator, a shift leader or the crew of the department in charge writes the public reply');
  const reply = text.trim();
  if (!reply) throw new DomainError('bad_request', 'The reply is empty; write what was done, in words for the public', { reply: 'required' });
  const at = now(d);
  await d.cases.db.transaction(async (tx) => {
    const before = await pub.publicReply(tx, c);
    await pub.savePublicReply(tx, { case_id: c.id, district_code: c.district_code, reply, at, by: user.id });
    await audit.record(tx, { at, action: 'case.public_reply', user_id: user.id, username: user.username, target: `case:${c.id}`,
      detail: { before: before?.reply ?? null, after: reply } });
  });
  return publicSideOfCase(d, user, case_id);
}

/** GET/PUT /api/admin/public-settings (admin): whether public photos wait for an operator's approval. */
export async function publicSettings(db: Queryable, district_code: string) {
  return { district_code, withhold_photos: await pub.withholdPhotos(db, district_code) };
}

export async function setPublicSettings(db: Queryable, admin: { id: number; username: string }, district_code: string, withhold: boolean, at: Date) {
  await db.transaction(async (tx) => {
    const before = await pub.withholdPhotos(tx, district_code);
    await pub.setWithholdPhotos(tx, { district_code, withhold, at, by: admin.id });
    await audit.record(tx, { at, action: 'admin.public_settings', user_id: admin.id, username: admin.username, target: `district:${district_code}`,
      detail: { before: { withhold_photos: before }, after: { withhold_photos: withhold } } });
  });
  return publicSettings(db, district_code);
}

/** The district of this database (the first, while one database holds one district). */
export async function districtCode(db: Queryable): Promise<string> {
  const code = await pub.districtCode(db);
  if (!code) throw new DomainError('not_found', 'No district is loaded yet; load one first');
  return code;
}
