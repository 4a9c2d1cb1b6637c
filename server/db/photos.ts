// The only module that reads and writes `photos` (migrations/0013_photos.sql). The bytes themselves live on disk
// (services/photos.ts); a row is the checked facts about one stored file.
import type { Queryable } from './types.js';
import type { ImageMime } from '../domain/images.js';
import type { Viewer } from '../domain/visibility.js';
import { districtOf, districtWhere, visibleWhere } from './visibility.js';

export type PhotoRow = {
  id: string; mime: ImageMime; bytes: number; width: number; height: number;
  exif_taken_at: Date | null; exif_lon: number | null; exif_lat: number | null;
  uploaded_by: number | null; uploaded_at: Date;
};

// uploaded_by is bigint: cast so both engines hand back a JS number (ids stay far below 2^53).
const COLUMNS = 'id, mime, bytes, width, height, exif_taken_at, exif_lon, exif_lat, uploaded_by::float8 as uploaded_by, uploaded_at';

/** Inserts the row unless a photo with this id exists; null means it did (the caller reads the stored one). */
export async function insert(db: Queryable, p: PhotoRow): Promise<PhotoRow | null> {
  const { rows } = await db.query<PhotoRow>(
    `insert into photos (id, mime, bytes, width, height, exif_taken_at, exif_lon, exif_lat, uploaded_by, uploaded_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     on conflict (id) do nothing
     returning ${COLUMNS}`,
    [p.id, p.mime, p.bytes, p.width, p.height, p.exif_taken_at, p.exif_lon, p.exif_lat, p.uploaded_by, p.uploaded_at],
  );
  return rows[0] ?? null;
}

export async function get(db: Queryable, id: string): Promise<PhotoRow | null> {
  const { rows } = await db.query<PhotoRow>(`select ${COLUMNS} from photos where id = $1`, [id]);
  return rows[0] ?? null;
}

/** The rows among `ids` that exist, in no particular order. */
export async function getMany(db: Queryable, ids: readonly string[]): Promise<PhotoRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<PhotoRow>(`select ${COLUMNS} from photos where id = any($1::text[])`, [ids]);
  return rows;
}

/** Records that `user_id` uploaded the photo's bytes (once per user; migrations/0025_photo_access.sql). */
export async function recordUpload(db: Queryable, p: { photo_id: string; user_id: number; at: Date }): Promise<void> {
  await db.query(
    `insert into photo_uploads (photo_id, user_id, uploaded_at) values ($1, $2, $3) on conflict (photo_id, user_id) do nothing`,
    [p.photo_id, p.user_id, p.at],
  );
}

/**
 * The ids among `ids` that `viewer` may read: those it uploaded itself, and those a case it may read cites in its
 * trail (the rule of domain/visibility.ts, written out by db/visibility.ts; for a user kept to a district (issue 12),
 * a case of that district). None for the anonymous public, who reads no case and whose uploads are not recorded.
 * Three statements, each on one kind of table, not one query with both in correlated subqueries of photos: on
 * Citus, photos and photo_uploads stay on the coordinator (a reference and a Citus local table) while case_trail and
 * cases are distributed, and Citus refuses a query joining a distributed table with a local one, or a correlated
 * subquery on a distributed table under a reference table (docs/citus.md). The trail is read by the photo ids'
 * overlap (its GIN index), on the district's shard alone for a user kept to a district.
 */
async function readableIds(db: Queryable, ids: readonly string[], viewer: Viewer): Promise<Set<string>> {
  const readable = new Set<string>();
  if (!viewer || ids.length === 0) return readable;
  const { rows: own } = await db.query<{ photo_id: string }>(
    'select photo_id from photo_uploads where user_id = $1 and photo_id = any($2::text[])', [viewer.id, ids]);
  for (const r of own) readable.add(r.photo_id);
  const rest = ids.filter((id) => !readable.has(id));
  if (rest.length === 0) return readable;
  const params: unknown[] = [rest];
  const p = (v: unknown) => { params.push(v); return `$${params.length}`; };
  const visible = visibleWhere(viewer, p, 'c');
  if (visible === 'false') return readable;
  const inDistrict = districtWhere(await districtOf(db, viewer), p, 'c');
  const { rows: cited } = await db.query<{ photo_ids: string[] }>(
    `select t.photo_ids from case_trail t join cases c on c.id = t.case_id and c.district_code = t.district_code
      where t.photo_ids && $1::text[]${[visible, inDistrict].filter(Boolean).map((w) => ` and ${w}`).join('')}`, params);
  const wanted = new Set(rest);
  for (const r of cited) for (const id of r.photo_ids) if (wanted.has(id)) readable.add(id);
  return readable;
}

/** The photo, if `viewer` may see it; null otherwise, whether or not it exists: the caller answers both alike. */
export async function getVisible(db: Queryable, id: string, viewer: Viewer): Promise<PhotoRow | null> {
  if (!(await readableIds(db, [id], viewer)).has(id)) return null;
  return get(db, id);
}

/** The ids among `ids` of photos `viewer` may see, in no particular order. */
export async function visibleIds(db: Queryable, ids: readonly string[], viewer: Viewer): Promise<string[]> {
  const readable = [...await readableIds(db, [...new Set(ids)], viewer)];
  if (readable.length === 0) return [];
  const { rows } = await db.query<{ id: string }>('select id from photos where id = any($1::text[])', [readable]);
  return rows.map((r) => r.id);
}
