// Photo uploads for action forms (feedback's after-photos): POST /api/photos one by one. The report form has its own
// (state/report-store.ts addPhotos), which also keeps the photos in the draft.
import { photoUrl as apiPhotoUrl, uploadPhoto } from '../api/photos.js';
import type { PhotoRef } from '../api/types.js';

export type UploadOutcome = { photos: PhotoRef[]; errors: string[] };

export async function uploadFiles(files: readonly Blob[], upload: (f: Blob) => Promise<PhotoRef> = (f) => uploadPhoto(f)): Promise<UploadOutcome> {
  const out: UploadOutcome = { photos: [], errors: [] };
  for (const f of files) {
    try { out.photos.push(await upload(f)); } catch (e) { out.errors.push((e as Error).message); }
  }
  return out;
}

/** Where a stored photo is shown from (GET /api/photos/{id}, no token needed). */
export const photoUrl = apiPhotoUrl;
