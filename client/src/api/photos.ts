// Photos: POST /api/photos (the raw image as the body) and the URL to show one.
import { ApiError, sendBytes } from './http.js';
import type { PhotoRef } from './types.js';

export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

export function uploadPhoto(file: Blob, signal?: AbortSignal): Promise<PhotoRef> {
  const type = (PHOTO_TYPES as readonly string[]).includes(file.type) ? file.type : 'application/octet-stream';
  if (file.size === 0) return Promise.reject(new ApiError('unprocessable', 'The photo file is empty', 0, '/api/photos'));
  return sendBytes<PhotoRef>('/api/photos', file, type, { signal });
}

export function photoUrl(id: string): string {
  return `/api/photos/${encodeURIComponent(id)}`;
}
