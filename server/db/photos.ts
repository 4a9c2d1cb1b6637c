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
 * The condition "viewer may see photo p": a case the viewer may read cites it in its trail (the rule of
 * domain/visibility.ts, written out by db/visibility.ts; for a user kept to a district (issue 12), a case of that
 * district), or the viewer uploaded these bytes. null: nothing (the public).
 */
function mayReadPhoto(viewer: Viewer, district: string | null, p: (v: unknown) => string): string | null {
  const visible = visibleWhere(viewer, p, 'c');
  const inDistrict = districtWhere(district, p, 'c');
  const shown = visible === 'false' ? null // the anonymous public reads no case
    : `exists (select 1 from case_trail t join cases c on c.id = t.case_id and c.district_code = t.district_code
               where t.photo_ids @> array[p.id]${[visible, inDistrict].filter(Boolean).map((w) => ` and ${w}`).join('')})`;
  const own = viewer ? `exists (select 1 from photo_uploads u where u.photo_id = p.id and u.user_id = ${p(viewer.id)})` : null;
  const may = [shown, own].filter((x) => x !== null);
  return may.length ? `(${may.join(' or ')})` : null;
}

/** The photo, if `viewer` may see it; null otherwise, whether or not it exists: the caller answers both alike. */
export async function getVisible(db: Queryable, id: string, viewer: Viewer): Promise<PhotoRow | null> {
  const params: unknown[] = [id];
  const may = mayReadPhoto(viewer, await districtOf(db, viewer), (v) => { params.push(v); return `$${params.length}`; });
  if (!may) return null;
  const { rows } = await db.query<PhotoRow>(`select ${COLUMNS} from photos p where p.id = $1 and ${may}`, params);
  return rows[0] ?? null;
}

/** The ids among `ids` of photos `viewer` may see, in no particular order. */
export async function visibleIds(db: Queryable, ids: readonly string[], viewer: Viewer): Promise<string[]> {
  if (ids.length === 0) return [];
  const params: unknown[] = [ids];
  const may = mayReadPhoto(viewer, await districtOf(db, viewer), (v) => { params.push(v); return `$${params.length}`; });
  if (!may) return [];
  const { rows } = await db.query<{ id: string }>(`select p.id from photos p where p.id = any($1::text[]) and ${may}`, params);
  return rows.map((r) => r.id);
}
