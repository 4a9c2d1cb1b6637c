// Sessions: POST /api/auth/login, GET /api/auth/me, POST /api/auth/logout.
import { getJson, sendJson } from './http.js';
import type { LoginResult, MeResult } from './types.js';

export function login(username: string, password: string): Promise<LoginResult> {
  return sendJson<LoginResult>('POST', '/api/auth/login', { username, password });
}

export function fetchMe(signal?: AbortSignal): Promise<MeResult> {
  return getJson<MeResult>('/api/auth/me', { signal });
}

export function logout(): Promise<void> {
  return sendJson<void>('POST', '/api/auth/logout');
}
