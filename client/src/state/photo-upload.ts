// Photo uploads for action forms (feedback's after-photos): POST /api/photos one by one. The report form has its own
// (state/report-store.ts addPhotos), which also keeps the photos in the draft.
import { uploadPhoto } from '../api/photos.js';
import { ApiError } from '../api/http.js';
import type { PhotoRef } from '../api/types.js';

/** `offline`: the files whose upload found no network (kept by a form that can wait, such as an inspector's check). */
export type UploadOutcome = { photos: PhotoRef[]; errors: string[]; offline: Blob[] };

export async function uploadFiles(files: readonly Blob[], upload: (f: Blob) => Promise<PhotoRef> = (f) => uploadPhoto(f)): Promise<UploadOutcome> {
  const out: UploadOutcome = { photos: [], errors: [], offline: [] };
  for (const f of files) {
    try {
      out.photos.push(await upload(f));
    } catch (e) {
      if (e instanceof ApiError && e.isNetwork) out.offline.push(f);
      else out.errors.push((e as Error).message);
    }
  }
  return out;
}

// A stored photo is shown from the signed link the server hands out (`url` of the upload's answer for its uploader,
// `photos[].url` of GET /api/cases/{id} for the case's reader): an <img> sends no token, and GET /api/photos/{id}
// without a link or a token is 404.
