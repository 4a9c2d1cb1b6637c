// The public pages' tables (migrations/0035_public_reports.sql): tracking codes (hashed), reporters' contacts, upload
// tickets and their photos, public replies, photo approvals and the district's public settings.
import { timingSafeEqual } from 'node:crypto';
import type { Queryable } from './types.js';
import type { CaseKey } from './cases.js';
import { trackingHash } from '../domain/public.js';
import { districtOfCode } from '../domain/codes.js';

// Tracking codes ---------------------------------------------------------------------------------------------------

/** Stores (or replaces: a replayed report gets a fresh code) the hash of a case's tracking code; `district_code`: the case's (0065). */
export async function saveTracking(db: Queryable, p: { case_id: string; district_code: string; code: string; now: Date }): Promise<void> {
  await db.query(
    `insert into case_tracking (case_id, district_code, code_hash, created_at) values ($1, $2, $3, $4)
     on conflict (case_id, district_code) do update set code_hash = excluded.code_hash, created_at = excluded.created_at`,
    [p.case_id, p.district_code, trackingHash(p.code), p.now]);
}

/**
 * A case number starts with its case's district (domain/codes.ts caseNo; checked by cases_case_no_district, 0063):
 * naming it beside the number sends a look-up by number to that district's shard alone on Citus, with the same
 * rows everywhere (a number not starting with six digits names no district, null, and finds nothing, as before).
 */
const districtOfNo = (case_no: string): string | null => districtOfCode(case_no);

/**
 * The case with number `case_no` whose tracking code is `code` (hash compared in constant time), or null: an unknown
 * case number, a case without a code and a wrong code are all null, so a caller cannot tell them apart.
 */
export async function findCaseByTracking(db: Queryable, case_no: string, code: string): Promise<{ case_id: string; district_code: string } | null> {
  const { rows } = await db.query<{ case_id: string; district_code: string; code_hash: string }>(
    `select t.case_id::text as case_id, t.district_code, t.code_hash
       from cases c join case_tracking t on t.case_id = c.id and t.district_code = c.district_code
      where c.case_no = $1 and c.district_code = $2`, [case_no, districtOfNo(case_no)]);
  const want = Buffer.from(trackingHash(code), 'hex');
  const row = rows[0];
  const have = Buffer.from(row ? row.code_hash : '0'.repeat(64), 'hex');
  const same = timingSafeEqual(want, have);
  return row && same ? { case_id: row.case_id, district_code: row.district_code } : null;
}

// Contacts ---------------------------------------------------------------------------------------------------------

export type ContactRow = { case_id: string; name: string | null; phone: string | null; email: string | null; notify: boolean; lang: 'zh' | 'en' };

/** `district_code`: the case's (0065). */
export async function saveContact(db: Queryable, c: ContactRow & { district_code: string; now: Date }): Promise<void> {
  await db.query(
    `insert into case_contacts (case_id, district_code, name, phone, email, notify, lang, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (case_id, district_code) do nothing`,
    [c.case_id, c.district_code, c.name, c.phone, c.email, c.notify, c.lang, c.now]);
}

export async function contactOf(db: Queryable, c: CaseKey): Promise<ContactRow | null> {
  const { rows } = await db.query<ContactRow>(
    `select case_id::text as case_id, name, phone, email, notify, lang from case_contacts where case_id = $1 and district_code = $2`, [c.id, c.district_code]);
  return rows[0] ?? null;
}

// Upload tickets ---------------------------------------------------------------------------------------------------

export type TicketRow = { ticket_hash: string; expires_at: Date; case_id: string | null; photo_ids: string[] };

/** Records a ticket for a solved challenge; false when that challenge was used already (a solution counts once). */
export async function insertTicket(db: Queryable, p: { ticket_hash: string; challenge_hash: string; now: Date; expires_at: Date }): Promise<boolean> {
  const { rows } = await db.query(
    `insert into public_tickets (ticket_hash, challenge_hash, created_at, expires_at) values ($1, $2, $3, $4)
     on conflict do nothing returning ticket_hash`, [p.ticket_hash, p.challenge_hash, p.now, p.expires_at]);
  return rows.length === 1;
}

/** Drops tickets that expired before `before` (their challenges have long expired too). */
export async function purgeTickets(db: Queryable, before: Date): Promise<void> {
  await db.query(`delete from public_tickets where expires_at < $1`, [before]);
}

export async function getTicket(db: Queryable, ticket_hash: string, forUpdate = false): Promise<TicketRow | null> {
  const { rows } = await db.query<Omit<TicketRow, 'photo_ids'>>(
    `select ticket_hash, expires_at, case_id::text as case_id from public_tickets where ticket_hash = $1${forUpdate ? ' for update' : ''}`, [ticket_hash]);
  if (!rows[0]) return null;
  const photos = await db.query<{ photo_id: string }>(`select photo_id from public_ticket_photos where ticket_hash = $1 order by photo_id`, [ticket_hash]);
  return { ...rows[0], photo_ids: photos.rows.map((r) => r.photo_id) };
}

export async function addTicketPhoto(db: Queryable, ticket_hash: string, photo_id: string): Promise<void> {
  await db.query(`insert into public_ticket_photos (ticket_hash, photo_id) values ($1, $2) on conflict do nothing`, [ticket_hash, photo_id]);
}

/** Marks the ticket used by the case (of `district_code`: both or neither, 0065). */
export async function useTicket(db: Queryable, ticket_hash: string, c: { id: string; district_code: string }): Promise<void> {
  await db.query(`update public_tickets set case_id = $2, district_code = $3 where ticket_hash = $1`, [ticket_hash, c.id, c.district_code]);
}

// What the tracking page shows ---------------------------------------------------------------------------------------

export type TrackedCase = {
  id: string; case_no: string; status: string; class_code: string; class_name_zh: string | null; class_name_en: string | null;
  address: string | null; description: string | null; created_at: Date; closed_at: Date | null; district_code: string;
};

export async function trackedCase(db: Queryable, c: CaseKey): Promise<TrackedCase | null> {
  const { rows } = await db.query<TrackedCase>(
    `select c.id::text as id, c.case_no, c.status, c.class_code, k.name_zh as class_name_zh, k.name_en as class_name_en,
            c.address, c.description, c.created_at, c.closed_at, c.district_code
       from cases c left join classes k on k.kind = 'matter' and k.code = c.class_code
      where c.id = $1 and c.district_code = $2`, [c.id, c.district_code]);
  return rows[0] ?? null;
}

/** The trail as the public may see it: what happened when, with no actor and no note. */
export async function publicTrail(db: Queryable, c: CaseKey): Promise<{ seq: number; at: Date; action: string; from_status: string | null; to_status: string; photo_ids: string[] | null }[]> {
  const { rows } = await db.query<{ seq: number; at: Date; action: string; from_status: string | null; to_status: string; photo_ids: string[] | null }>(
    `select seq, at, action, from_status, to_status, photo_ids from case_trail where case_id = $1 and district_code = $2 order by seq`, [c.id, c.district_code]);
  return rows;
}

export async function publicReply(db: Queryable, c: CaseKey): Promise<{ reply: string; replied_at: Date } | null> {
  const { rows } = await db.query<{ reply: string; replied_at: Date }>(
    `select reply, replied_at from case_public_replies where case_id = $1 and district_code = $2`, [c.id, c.district_code]);
  return rows[0] ?? null;
}

export async function savePublicReply(db: Queryable, p: { case_id: string; district_code: string; reply: string; at: Date; by: number }): Promise<void> {
  await db.query(
    `insert into case_public_replies (case_id, district_code, reply, replied_at, replied_by) values ($1, $2, $3, $4, $5)
     on conflict (case_id, district_code) do update set reply = excluded.reply, replied_at = excluded.replied_at, replied_by = excluded.replied_by`,
    [p.case_id, p.district_code, p.reply, p.at, p.by]);
}

export async function approvedPhotoIds(db: Queryable, c: CaseKey): Promise<string[]> {
  const { rows } = await db.query<{ photo_id: string }>(
    `select photo_id from public_photo_approvals where case_id = $1 and district_code = $2`, [c.id, c.district_code]);
  return rows.map((r) => r.photo_id);
}

export async function approvePhoto(db: Queryable, p: { case_id: string; district_code: string; photo_id: string; at: Date; by: number }): Promise<boolean> {
  const { rows } = await db.query(
    `insert into public_photo_approvals (case_id, district_code, photo_id, approved_at, approved_by) values ($1, $2, $3, $4, $5)
     on conflict do nothing returning photo_id`, [p.case_id, p.district_code, p.photo_id, p.at, p.by]);
  return rows.length === 1;
}

export async function revokePhoto(db: Queryable, c: CaseKey, photo_id: string): Promise<boolean> {
  const { rows } = await db.query(
    `delete from public_photo_approvals where case_id = $1 and district_code = $2 and photo_id = $3 returning photo_id`, [c.id, c.district_code, photo_id]);
  return rows.length === 1;
}

/** Whether the case (by id) shows the photo in its trail and the photo is approved for public view. */
export async function isPhotoApproved(db: Queryable, c: CaseKey, photo_id: string): Promise<boolean> {
  const { rows } = await db.query(
    `select 1 from public_photo_approvals where case_id = $1 and district_code = $2 and photo_id = $3`, [c.id, c.district_code, photo_id]);
  return rows.length === 1;
}

// Settings ---------------------------------------------------------------------------------------------------------

/** Whether the district withholds public photos until an operator approves them (no row: yes). */
export async function withholdPhotos(db: Queryable, district_code: string): Promise<boolean> {
  const { rows } = await db.query<{ withhold_photos: boolean }>(`select withhold_photos from public_settings where district_code = $1`, [district_code]);
  return rows[0]?.withhold_photos ?? true;
}

export async function setWithholdPhotos(db: Queryable, p: { district_code: string; withhold: boolean; at: Date; by: number }): Promise<void> {
  await db.query(
    `insert into public_settings (district_code, withhold_photos, updated_at, updated_by) values ($1, $2, $3, $4)
     on conflict (district_code) do update set withhold_photos = excluded.withhold_photos, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    [p.district_code, p.withhold, p.at, p.by]);
}

/** The satisfaction rating given on the case (table case_ratings, migrations/0036), if any. */
export async function ratingOf(db: Queryable, c: CaseKey): Promise<{ rating: string; comment: string | null; rated_at: Date } | null> {
  const { rows } = await db.query<{ rating: string; comment: string | null; rated_at: Date }>(
    `select rating, comment, rated_at from case_ratings where case_id = $1 and district_code = $2 order by rated_at desc limit 1`, [c.id, c.district_code]);
  return rows[0] ?? null;
}

/** The case id and district of a case number (for checking a public photo link). */
export async function caseByNo(db: Queryable, case_no: string): Promise<{ id: string; district_code: string } | null> {
  const { rows } = await db.query<{ id: string; district_code: string }>(
    `select id::text as id, district_code from cases where case_no = $1 and district_code = $2`, [case_no, districtOfNo(case_no)]);
  return rows[0] ?? null;
}

export async function districtCode(db: Queryable): Promise<string | null> {
  const { rows } = await db.query<{ code: string }>(`select code from regions where level = 'district' order by code limit 1`);
  return rows[0]?.code ?? null;
}
