// Photo use cases: upload (check, store by content hash, record), read a stored file, and the lookups the case
// engine uses for photo_ids. Files live under photo_dir as <ab>/<cd>/<sha256>.<ext>, written to a temporary file and
// renamed into place, so a crash never leaves a half-written photo under its final name.
//
// Who may read a photo (issue 8, defect 3): those who may read a case whose trail cites it, and whoever uploaded its
// bytes. Browsers read photos through signed links (domain/photo-links.ts) minted here: by the upload for its
// uploader (anonymous too), and by the case detail for its reader. A request without a link is checked against the
// database (db/photos.ts getVisible) for the logged-in caller. Every refusal is the same 404 as an unknown id.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Queryable } from '../db/types.js';
import * as photos from '../db/photos.js';
import * as secrets from '../db/secrets.js';
import type { PhotoRow } from '../db/photos.js';
import { DomainError } from '../domain/errors.js';
import { exifTakenAt, inspectImage, type ImageMime } from '../domain/images.js';
import { linkExpiry, linkPolicy, signedPhotoUrl, verifyPhotoLink, type PhotoLinkParams } from '../domain/photo-links.js';
import type { Viewer } from '../domain/visibility.js';

export type { PhotoRow };

export type PhotoDeps = {
  db: Queryable;
  photo_dir: string;
  max_pixels: number;
  clock?: { now(): Date };
  /** The UTC offset a camera's zone-less DateTimeOriginal is read in when EXIF has no offset and no GPS time. */
  local_offset?: string | null;
} & PhotoLinkDeps;

/** What signing photo links needs: config.secret (null: the database's key) and config.photo_link_minutes. */
export type PhotoLinkDeps = { db: Queryable; secret: string | null; link_minutes: number; clock?: { now(): Date } };

/** What the API answers for a photo (POST /api/photos); `url` is a signed link for the caller. */
export type PhotoView = {
  id: string; mime: ImageMime; bytes: number; width: number; height: number;
  exif: { taken_at: string | null; lon: number | null; lat: number | null } | null;
  url: string;
};

/** A photo a case shows, with a signed link for the case's reader (GET /api/cases/{id} `photos`). */
export type PhotoLink = { id: string; mime: ImageMime; width: number; height: number; url: string };

/** Asia/Shanghai, the default zone of the working calendar (no DST since 1991). */
const DEFAULT_LOCAL_OFFSET = '+08:00';

const EXT: Record<ImageMime, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

export const photoPath = (dir: string, id: string, mime: ImageMime) =>
  join(dir, id.slice(0, 2), id.slice(2, 4), `${id}.${EXT[mime]}`);

export function photoView(r: PhotoRow, url: string): PhotoView {
  const taken_at = r.exif_taken_at ? new Date(r.exif_taken_at).toISOString() : null;
  const hasExif = taken_at !== null || r.exif_lon !== null;
  return {
    id: r.id, mime: r.mime, bytes: r.bytes, width: r.width, height: r.height,
    exif: hasExif ? { taken_at, lon: r.exif_lon, lat: r.exif_lat } : null,
    url,
  };
}

/** The key of one database, read once (a test's transaction is its own database wrapper: read once per test). */
const dbSecrets = new WeakMap<object, Promise<string>>();

async function linkSecret(deps: PhotoLinkDeps): Promise<string> {
  if (deps.secret) return deps.secret;
  let s = dbSecrets.get(deps.db);
  if (!s) {
    s = secrets.get(deps.db, 'photo_links').then((v) => {
      if (!v) throw new Error('server_secrets has no photo_links key: run the migrations (migrations/0025_photo_access.sql) or set GRIDLINE_SECRET');
      return v;
    });
    s.catch(() => dbSecrets.delete(deps.db));
    dbSecrets.set(deps.db, s);
  }
  return s;
}

/** Signed links to photos `viewer` has been found to may see (0 stands for the anonymous uploader). */
async function signer(deps: PhotoLinkDeps, viewer: Viewer): Promise<(id: string) => string> {
  const secret = await linkSecret(deps);
  const exp = linkExpiry(deps.clock?.now() ?? new Date(), linkPolicy(deps.link_minutes));
  const u = viewer ? viewer.id : 0;
  return (id) => signedPhotoUrl(secret, id, u, exp);
}

/**
 * Checks an upload by its bytes, stores the file once per content and records it, with its uploader. The answer is
 * the same whether or not these bytes were stored before (the stored row is derived from the same bytes), so an upload
 * tells nobody that a photo exists; its `url` is a signed link for the uploader, the way to preview it before a case
 * cites it (for an anonymous uploader, the only way).
 * @throws DomainError bad_request (empty), unsupported_media_type (not JPEG/PNG/WebP), unprocessable (damaged or too many pixels)
 */
export async function uploadPhoto(
  deps: PhotoDeps,
  input: { bytes: Uint8Array | null | undefined; uploader: Viewer },
): Promise<PhotoView> {
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

  const now = deps.clock?.now() ?? new Date();
  const uploader = input.uploader;
  const row = await deps.db.transaction(async (tx) => {
    const inserted = await photos.insert(tx, {
      id, mime: info.mime, bytes: bytes.length, width: info.width, height: info.height,
      exif_taken_at: takenAt && !Number.isNaN(takenAt.getTime()) ? takenAt : null, exif_lon: lon, exif_lat: lat,
      uploaded_by: uploader?.id ?? null, uploaded_at: now,
    });
    const stored = inserted ?? (await photos.get(tx, id));
    if (!stored) throw new Error(`photo ${id} neither inserted nor found`); // cannot happen: on conflict means it exists
    if (uploader) await photos.recordUpload(tx, { photo_id: id, user_id: uploader.id, at: now });
    return stored;
  });
  return photoView(row, (await signer(deps, uploader))(id));
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

/** How a read is allowed: a signed link (`link`), else the logged-in `viewer` (null: anonymous, who reads nothing). */
export type PhotoAccess = { link: PhotoLinkParams | null; viewer: Viewer };

/**
 * A stored photo the caller may read, ready to stream: its row, a strong ETag (the content hash), a function opening
 * the file and, for a signed link, when the link expires.
 * @throws DomainError not_found when there is no such photo or the caller may not read it (one answer for both, so
 *   existence does not leak), or its file is missing from photo_dir
 */
export async function openPhoto(
  deps: Pick<PhotoDeps, 'db' | 'photo_dir' | 'secret' | 'link_minutes' | 'clock'>,
  id: string,
  access: PhotoAccess,
): Promise<{ photo: PhotoRow; etag: string; open: () => Readable; expires_at: Date | null }> {
  const refused = () => new DomainError('not_found',
    `No photo ${id} that you may see. Photos are shown to those who may read a case that shows them, and to their uploader; `
    + `a photo link lasts about ${deps.link_minutes} minutes: reload the case (or upload the photo again) for a fresh one`);
  let photo: PhotoRow | null;
  let expires_at: Date | null = null;
  if (access.link) {
    const ok = verifyPhotoLink(await linkSecret(deps), id, access.link, deps.clock?.now() ?? new Date());
    if (!ok) throw refused();
    photo = await photos.get(deps.db, id);
    expires_at = new Date(access.link.exp * 1000);
  } else {
    photo = await photos.getVisible(deps.db, id, access.viewer);
  }
  if (!photo) throw refused();
  const path = photoPath(deps.photo_dir, id, photo.mime);
  try {
    await stat(path);
  } catch {
    throw new DomainError('not_found', `The file of photo ${id} is missing from storage; upload it again`);
  }
  return { photo, etag: `"${id}"`, open: () => createReadStream(path), expires_at };
}

/**
 * For the case detail (GET /api/cases/{id}): the stored photos among `ids`, in the order given, each with a signed
 * link for `viewer`. Call it only with the photo ids of a case `viewer` has just been allowed to read: that permission
 * is what the links grant. Ids of no stored photo (the simulated history's) are left out.
 */
export async function casePhotoLinks(deps: PhotoLinkDeps, viewer: Viewer, ids: readonly string[]): Promise<PhotoLink[]> {
  const rows = await getPhotos(deps.db, ids);
  if (!rows.length) return [];
  const sign = await signer(deps, viewer);
  return rows.map((r) => ({ id: r.id, mime: r.mime, width: r.width, height: r.height, url: sign(r.id) }));
}

/** For the case engine: the rows of the known ids among `ids`, in the order asked (duplicates once). */
export async function getPhotos(db: Queryable, ids: readonly string[]): Promise<PhotoRow[]> {
  const unique = [...new Set(ids)];
  const rows = await photos.getMany(db, unique);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return unique.flatMap((id) => byId.get(id) ?? []);
}

/**
 * For the case engine, before a report or an action cites photo_ids. With `viewer`, only the photos it may see count
 * (it uploaded them, or a case it may read shows them): citing a photo makes it readable by the case's readers, so
 * nobody may pass on a photo they cannot see; such an id is refused exactly like one never uploaded.
 * @throws DomainError unprocessable listing the ids that were never uploaded (or not by/for the viewer) (details.unknown_photo_ids)
 */
export async function assertPhotosExist(db: Queryable, ids: readonly string[], viewer?: Viewer): Promise<void> {
  const unique = [...new Set(ids)];
  const known = new Set(viewer === undefined ? (await photos.getMany(db, unique)).map((r) => r.id) : await photos.visibleIds(db, unique, viewer));
  const unknown = unique.filter((id) => !known.has(id));
  if (unknown.length) {
    throw new DomainError('unprocessable',
      `Unknown photo id${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; upload each photo with POST /api/photos first and cite the id it returns`,
      { unknown_photo_ids: unknown });
  }
}

/**
 * A case detail (services/cases.ts readCase, which has checked that `viewer` may read the case) with `photos`: the
 * stored photos its trail cites, each with a signed link for `viewer`.
 */
export async function withPhotoLinks<T extends { trail: readonly { photo_ids: readonly string[] | null }[] }>(
  deps: PhotoLinkDeps, viewer: Viewer, detail: T,
): Promise<T & { photos: PhotoLink[] }> {
  return { ...detail, photos: await casePhotoLinks(deps, viewer, detail.trail.flatMap((e) => e.photo_ids ?? [])) };
}
