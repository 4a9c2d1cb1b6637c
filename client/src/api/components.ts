// Components (管理部件): GET /api/components/{id}.
import { getJson } from './http.js';
import type { ComponentDetail } from './types.js';

export function fetchComponent(id: string, signal?: AbortSignal): Promise<ComponentDetail> {
  return getJson<ComponentDetail>(`/api/components/${encodeURIComponent(id)}`, { signal });
}
