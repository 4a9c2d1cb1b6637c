// GET /api/config: basemap setting and the district to show.
import { getJson } from './http.js';
import type { ClientConfig } from './types.js';

export function fetchConfig(signal?: AbortSignal): Promise<ClientConfig> {
  return getJson<ClientConfig>('/api/config', { signal });
}
