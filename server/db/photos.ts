// The only module that reads and writes `photos` (migrations/0013_photos.sql). The bytes themselves live on disk
// (services/photos.ts); a row is the checked facts about one stored file.
import type { Queryable } from './types.js';
import type { ImageMime } from '../domain/images.js';

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
