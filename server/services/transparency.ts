// The transparency page (政务公开, issue 11): a month's figures per street or community and the latest closed cases
// with their public before/after photos. No personal data: no reporter, no staff names, no description or address
// text (free text written by people), only class, place names, dates and the department. Answers carry a strong
// ETag of their content (db/transparency.ts is the only SQL).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Queryable } from '../db/types.js';
import * as tr from '../db/transparency.js';
import * as photosDb from '../db/photos.js';
import { approvedPhotoIds, withholdPhotos } from '../db/public.js';
import { DomainError } from '../domain/errors.js';
import { localDateOf, localTime, type WorkCalendar } from '../domain/calendar.js';
import { TRANSPARENCY_LEVELS, onTimeRate, parseMonth, photoIsPublic, type TransparencyLevel } from '../domain/transparency.js';
import { stripMetadata } from '../domain/image-strip.js';
import { photoPath } from './photos.js';
import { workOf, type WorkRules } from './work-rules.js';

export type TransparencyDeps = { db: Queryable; work: WorkRules; clock: { now(): Date }; photo_dir: string };

const round = (v: number | null, digits = 1) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

/** A strong ETag of an answer's JSON. */
export const etagOf = (body: unknown) => `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;

/**
 * GET /api/public/transparency: the month's figures of every street (or community), with the total. Each region's
 * month is its own district's local month (issue 12: districts on other zones are read again with their bounds, one
 * query per other zone; a database whose districts share one zone reads once); `time_zone` is the zone of the
 * districts shown when they share one, else the first district's (the default month is the first district's).
 */
export async function monthFigures(deps: TransparencyDeps, q: { month?: string; level?: string }) {
  const first = deps.work.calendar;
  const m = parseMonth(q.month, localDateOf(first, deps.clock.now()));
  const level = (q.level ?? 'street') as TransparencyLevel;
  if (!(TRANSPARENCY_LEVELS as readonly string[]).includes(level)) {
    throw new DomainError('bad_request', `level must be street or community; got "${q.level}"`, { level: 'must be street or community' });
  }
  const month = (cal: WorkCalendar) => tr.regionFigures(deps.db, level, localTime(cal, `${m.first} 00:00`), localTime(cal, `${m.next} 00:00`));
  const calOf = (code: string) => workOf(deps.work, code.slice(0, 6)).calendar;
  let rows = await month(first);
  const zones = new Map(rows.map((r) => calOf(r.code)).map((c) => [c.time_zone, c]));
  for (const [zone, cal] of zones) {
    if (zone === first.time_zone) continue;
    const own = new Map((await month(cal)).map((r) => [r.code, r]));
    rows = rows.map((r) => (calOf(r.code).time_zone === zone ? own.get(r.code) ?? r : r));
  }
  const cal = zones.size === 1 ? [...zones.values()][0] : first;
  const items = rows.map((r) => ({
    code: r.code, name: r.name, parent_code: r.parent_code, parent_name: r.parent_name,
    received: r.received, closed: r.closed, closed_on_time: r.closed_on_time, on_time_rate: round(onTimeRate(r.closed, r.closed_on_time), 4),
    avg_handling_hours: round(r.avg_working_hours), avg_handling_natural_hours: round(r.avg_natural_hours), handled: r.handled,
  }));
  const sum = (k: 'received' | 'closed' | 'closed_on_time' | 'handled') => rows.reduce((s, r) => s + r[k], 0);
  const weighted = (k: 'avg_working_hours' | 'avg_natural_hours') => {
    const n = sum('handled');
    return n > 0 ? rows.reduce((s, r) => s + (r[k] ?? 0) * r.handled, 0) / n : null;
  };
  const closed = sum('closed');
  const onTime = sum('closed_on_time');
  return {
    month: m.month, from: m.first, to: localDateOf(cal, new Date(localTime(cal, `${m.next} 00:00`).getTime() - 1)), level,
    time_zone: cal.time_zone,
    total: {
      received: sum('received'), closed, closed_on_time: onTime, on_time_rate: round(onTimeRate(closed, onTime), 4),
      avg_handling_hours: round(weighted('avg_working_hours')), avg_handling_natural_hours: round(weighted('avg_natural_hours')), handled: sum('handled'),
    },
    items,
  };
}

/** The photos of `cases` the public may see, by case id. */
async function publicPhotos(db: Queryable, cases: readonly { id: string; district_code: string }[]) {
  const photos = await tr.casePhotos(db, cases);
  const withhold = new Map<string, boolean>();
  const approved = new Map<string, Set<string>>();
  const out = new Map<string, typeof photos>();
  for (const c of cases) {
    if (!withhold.has(c.district_code)) withhold.set(c.district_code, await withholdPhotos(db, c.district_code));
    if (withhold.get(c.district_code)) approved.set(c.id, new Set(await approvedPhotoIds(db, c)));
  }
  const byId = new Map(cases.map((c) => [c.id, c]));
  for (const p of photos) {
    const c = byId.get(p.case_id)!;
    const ok = photoIsPublic({ cited: true, withhold: withhold.get(c.district_code)!, approved: approved.get(c.id)?.has(p.photo_id) ?? false });
    if (ok) out.set(p.case_id, [...(out.get(p.case_id) ?? []), p]);
  }
  return out;
}

/** GET /api/public/recent-closed: the latest closed cases with their public photos (links to the public photo route). */
export async function recentClosed(deps: TransparencyDeps, q: { limit?: number }) {
  const rows = await tr.recentClosed(deps.db, q.limit ?? 12);
  const photos = await publicPhotos(deps.db, rows);
  return {
    items: rows.map((r) => {
      const ps = photos.get(r.id) ?? [];
      const view = (kind: 'before' | 'after') => ps.filter((p) => p.kind === kind).map((p) => ({
        url: `/api/public/transparency/photos/${encodeURIComponent(r.case_no)}/${p.photo_id}`, width: p.width, height: p.height,
      }));
      return {
        case_no: r.case_no, class_code: r.class_code, class_name_zh: r.class_name_zh, class_name_en: r.class_name_en,
        street_code: r.street_code, street_name: r.street_name, community_code: r.community_code, community_name: r.community_name,
        department_name: r.department_name, reported_at: r.reported_at, closed_at: r.closed_at, on_time: r.on_time,
        before_photos: view('before'), after_photos: view('after'),
      };
    }),
  };
}

/**
 * GET /api/public/transparency/photos/{case_no}/{photo_id}: a public photo of a closed case, its metadata (EXIF, GPS)
 * stripped. Anything else (not closed, not its photo, withheld and not approved, unknown) is 404 alike.
 */
export async function publicPhoto(deps: TransparencyDeps, case_no: string, photo_id: string): Promise<{ mime: string; bytes: Uint8Array; etag: string }> {
  const refused = () => new DomainError('not_found', `No public photo ${photo_id} of case ${case_no}`);
  const c = await tr.closedCaseByNo(deps.db, case_no);
  if (!c) throw refused();
  const ps = (await publicPhotos(deps.db, [c])).get(c.id) ?? [];
  if (!ps.some((p) => p.photo_id === photo_id)) throw refused();
  const row = await photosDb.get(deps.db, photo_id);
  if (!row) throw refused();
  let raw: Buffer;
  try {
    raw = await readFile(photoPath(deps.photo_dir, photo_id, row.mime));
  } catch {
    throw refused();
  }
  return { mime: row.mime, bytes: stripMetadata(new Uint8Array(raw)), etag: `"${photo_id}-public"` };
}
