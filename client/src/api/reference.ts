// Reference lists: GET /api/classes?kind=matter (the report form's class picker), GET /api/departments (dispatch).
import { getJson, withQuery } from './http.js';
import type { Department, MatterClass } from './types.js';

export function fetchMatterClasses(signal?: AbortSignal): Promise<MatterClass[]> {
  return getJson<MatterClass[]>(withQuery('/api/classes', { kind: 'matter' }), { signal });
}

export function fetchDepartments(signal?: AbortSignal): Promise<Department[]> {
  return getJson<Department[]>('/api/departments', { signal });
}
