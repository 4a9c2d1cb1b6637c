// Photo use cases: upload (check, store by content hash, record), read a stored file, and the lookups the case
// engine uses for photo_ids. Files live under photo_dir as <ab>/<cd>/<sha256>.<ext>, written to a temporary file and
// renamed into place, so a crash never leaves a half-written photo under its final name.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Queryable } from '../db/types.js';
import * as photos from '../db/photos.js';
import type { PhotoRow } from '../db/photos.js';
import { DomainError } from '../domain/errors.js';
import { exifTakenAt, inspectImage, type ImageMime } from '../domain/images.js';

export type { PhotoRow };

export type PhotoDeps = {
  db: Queryable;
  photo_dir: string;
  max_pixels: number;
  clock?: { now(): Date };
  /** The UTC offset a camera's zone-less DateTimeOriginal is read in when EXIF has no offset and no GPS time. */
  local_offset?: string | null;
};

/** What the API answers for a photo (POST /api/photos). */
export type PhotoView = {
  id: string; mime: ImageMime; bytes: number; width: number; height: number;
  exif: { taken_at: string | null; lon: number | null; lat: number | null } | null;
  url: string;
};

/** Asia/Shanghai, the default zone of the working calendar (no DST since 1991). */
const DEFAULT_LOCAL_OFFSET = '+08:00';

const EXT: Record<ImageMime, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

export const photoPath = (dir: string, id: string, mime: ImageMime) =>
  join(dir, id.slice(0, 2), id.slice(2, 4), `${id}.${EXT[mime]}`);

export function photoView(r: PhotoRow): PhotoView {
  const taken_at = r.exif_taken_at ? new Date(r.exif_taken_at).toISOString() : null;
  const hasExif = taken_at !== null || r.exif_lon !== null;
  return {
    id: r.id, mime: r.mime, bytes: r.bytes, width: r.width, height: r.height,
    exif: hasExif ? { taken_at, lon: r.exif_lon, lat: r.exif_lat } : null,
    url: `/api/photos/${r.id}`,
  };
}

/**
 * Checks an upload by its bytes, stores the file once per content and records it.
 * `created` is false when the same bytes were uploaded before (the stored row is returned).
 * @throws DomainError bad_request (empty), unsupported_media_type (not JPEG/PNG/WebP), unprocessable (damaged or too many pixels)
 */
export async function uploadPhoto(
  deps: PhotoDeps,
  input: { bytes: Uint8Array | null | undefined; uploaded_by: number | null },
): Promise<{ photo: PhotoView; created: boolean }> {
  const bytes = input.bytes;
  if (!bytes || bytes.length === 0) throw new DomainError('bad_request', 'The request body is empty; send the photo bytes as the body');
  const info = inspectImage(bytes, { maxPixels: deps.max_pixels }); // before anything is written anywhere
  const id = createHash('sha256').update(bytes).digest('hex');
  let taken: string | null = null;
  let lon: number | null = null;
  let lat: number | null = null;
  if (info.exif) {
    taken = exifTakenAt(info.exif, deps.local_offset === undefined ? DEFAULT_LOCAL_OFFSET : deps.local_offset);
    lon = info.exif.lon;
    lat = info.exif.lat;
  }
  const takenAt = taken ? new Date(taken) : null;

  // The file first: if the row insert fails the file is an orphan that the next upload of the same bytes reuses;
  // the other order could commit a row whose file was never written.
  await storeFile(photoPath(deps.photo_dir, id, info.mime), bytes);

  const inserted = await photos.insert(deps.db, {
    id, mime: info.mime, bytes: bytes.length, width: info.width, height: info.height,
    exif_taken_at: takenAt && !Number.isNaN(takenAt.getTime()) ? takenAt : null, exif_lon: lon, exif_lat: lat,
    uploaded_by: input.uploaded_by, uploaded_at: deps.clock?.now() ?? new Date(),
  });
  if (inserted) return { photo: photoView(inserted), created: true };
  const existing = await photos.get(deps.db, id);
  if (!existing) throw new Error(`photo ${id} neither inserted nor found`); // cannot happen: on conflict means it exists
  return { photo: photoView(existing), created: false };
}

/** Writes `bytes` to `path` unless a file of that size is already there (same name = same sha256 = same bytes). */
async function storeFile(path: string, bytes: Uint8Array): Promise<void> {
  try {
    if ((await stat(path)).size === bytes.length) return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
    await fh.close();
    await rename(tmp, path); // atomic on one file system; a concurrent twin renames identical bytes over it
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * A stored photo, ready to stream: its row, a strong ETag (the content hash) and a function opening the file.
 * @throws DomainError not_found when there is no such photo, or its file is missing from photo_dir
 */
export async function openPhoto(
  deps: Pick<PhotoDeps, 'db' | 'photo_dir'>,
  id: string,
): Promise<{ photo: PhotoRow; etag: string; open: () => Readable }> {
  const photo = await photos.get(deps.db, id);
  if (!photo) throw new DomainError('not_found', `No photo with id ${id}`);
  const path = photoPath(deps.photo_dir, id, photo.mime);
  try {
    await stat(path);
  } catch {
    throw new DomainError('not_found', `The file of photo ${id} is missing from storage; upload it again`);
  }
  return { photo, etag: `"${id}"`, open: () => createReadStream(path) };
}

/** For the case engine: the rows of the known ids among `ids`, in the order asked (duplicates once). */
export async function getPhotos(db: Queryable, ids: readonly string[]): Promise<PhotoRow[]> {
  const unique = [...new Set(ids)];
  const rows = await photos.getMany(db, unique);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return unique.flatMap((id) => byId.get(id) ?? []);
}

/**
 * For the case engine, before a report or an action cites photo_ids.
 * @throws DomainError unprocessable listing the ids that were never uploaded (details.unknown_photo_ids)
 */
export async function assertPhotosExist(db: Queryable, ids: readonly string[]): Promise<void> {
  const unique = [...new Set(ids)];
  const known = new Set((await photos.getMany(db, unique)).map((r) => r.id));
  const unknown = unique.filter((id) => !known.has(id));
  if (unknown.length) {
    throw new DomainError('unprocessable',
      `Unknown photo id${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; upload each photo with POST /api/photos first and cite the id it returns`,
      { unknown_photo_ids: unknown });
  }
}
