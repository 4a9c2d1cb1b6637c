// Photos: POST /api/photos (the raw image as the body). The answer's `url` is a signed link for the uploader, the one
// to show it from (an <img> sends no token); a case's photos come with their own links (CaseDetail.photos).
import { ApiError, sendBytes } from './http.js';
import type { PhotoRef } from './types.js';

export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

export function uploadPhoto(file: Blob, signal?: AbortSignal): Promise<PhotoRef> {
  const type = (PHOTO_TYPES as readonly string[]).includes(file.type) ? file.type : 'application/octet-stream';
  if (file.size === 0) return Promise.reject(new ApiError('unprocessable', 'The photo file is empty', 0, '/api/photos'));
  return sendBytes<PhotoRef>('/api/photos', file, type, { signal });
}
