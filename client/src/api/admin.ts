// The admin console's endpoints (issue 10): users, departments, class defaults, inspectors' responsibility grids,
// import jobs and the audit log. One function per endpoint; types from the server's response schemas.
import type { Static } from '@fastify/type-provider-typebox';
import type {
  AuditEntrySchema, ClassDefaultSchema, DepartmentWithUseSchema, ImportJobSchema, InspectorGridsSchema, ResponsibilityGridSchema,
  AdminDepartmentSchema,
} from '../../../server/http/schemas/admin.js';
import type { UserRole } from '../../../server/domain/auth.js';
import { getJson, sendBytes, sendJson, withQuery } from './http.js';
import { fetchDownload } from './leader.js';

export type AdminDepartment = Static<typeof DepartmentWithUseSchema>;
export type DepartmentRow = Static<typeof AdminDepartmentSchema>;
export type ClassDefault = Static<typeof ClassDefaultSchema>;
export type ResponsibilityGrid = Static<typeof ResponsibilityGridSchema>;
export type InspectorGrids = Static<typeof InspectorGridsSchema>;
export type ImportJob = Static<typeof ImportJobSchema>;
export type AuditEntry = Static<typeof AuditEntrySchema>;

export type AdminUser = {
  id: number; username: string; display_name: string; phone: string | null; roles: UserRole[]; department_id: number | null;
  /** The district, street or community the user works in; null = every district. */
  region_code: string | null;
  disabled: boolean; created_at: string; open_sessions: number;
};
export type NewUser = {
  username: string; password: string; roles: UserRole[]; display_name?: string; phone?: string | null; department_id?: number | null;
  region_code?: string | null;
};
export type UserPatch = Partial<Pick<NewUser, 'display_name' | 'phone' | 'roles' | 'department_id' | 'region_code'>> & { disabled?: boolean };

// ---- Users ----
export const listUsers = (signal?: AbortSignal) => getJson<{ items: AdminUser[]; total: number }>('/api/users?limit=1000', { signal });
export const createUser = (u: NewUser) => sendJson<AdminUser>('POST', '/api/users', u);
export const updateUser = (id: number, p: UserPatch) => sendJson<AdminUser>('PATCH', `/api/users/${id}`, p);
export const revokeSessions = (id: number) => sendJson<{ revoked: number }>('POST', `/api/users/${id}/sessions/revoke`);
/** Without a password the server generates one and answers it once. */
export const resetPassword = (id: number, password?: string) =>
  sendJson<{ password: string | null; sessions_ended: number }>('POST', `/api/users/${id}/password`, password ? { password } : {});

// ---- Departments and class defaults ----
export const listDepartments = (signal?: AbortSignal) => getJson<{ items: AdminDepartment[] }>('/api/admin/departments', { signal });
export const createDepartment = (d: { name: string; credit_code?: string | null; level?: number; parent_id?: number | null }) =>
  sendJson<DepartmentRow>('POST', '/api/departments', d);
export const updateDepartment = (id: number, d: Partial<{ name: string; credit_code: string | null; level: number; parent_id: number | null; active: boolean }>) =>
  sendJson<DepartmentRow>('PATCH', `/api/departments/${id}`, d);
export const listClassDefaults = (kind: 'component' | 'matter', signal?: AbortSignal) =>
  getJson<{ items: ClassDefault[] }>(withQuery('/api/admin/class-defaults', { kind }), { signal });
export const setClassDefault = (kind: 'component' | 'matter', code: string, department_id: number | null) =>
  sendJson<ClassDefault>('PUT', `/api/admin/class-defaults/${kind}/${code}`, { department_id });

// ---- Responsibility grids ----
export const listResponsibilityGrids = (signal?: AbortSignal) => getJson<{ items: ResponsibilityGrid[] }>('/api/admin/responsibility-grids', { signal });
export type OutlineCollection = { type: 'FeatureCollection'; features: { type: 'Feature'; id: string; geometry: GeoJSON.Geometry | null; properties: ResponsibilityGrid }[] };
export const responsibilityOutlines = (signal?: AbortSignal) => getJson<OutlineCollection>('/api/admin/responsibility-grids/outlines', { signal });
export const setInspectorGrids = (id: number, codes: string[]) => sendJson<InspectorGrids>('PUT', `/api/users/${id}/grids`, { codes });
export const addInspectorGrids = (id: number, codes: string[]) => sendJson<InspectorGrids>('POST', `/api/users/${id}/grids`, { codes });
export const removeInspectorGrid = (id: number, code: string) => sendJson<InspectorGrids>('DELETE', `/api/users/${id}/grids/${code}`);

// ---- Imports ----
export type ImportKind = 'components' | 'cases';
/** Starts an import job; `key` (Idempotency-Key) makes a retried upload return the first job. */
export function startImport(kind: ImportKind, file: Blob, contentType: string, query: Record<string, string | undefined>, key: string) {
  return sendBytes<ImportJob>(withQuery(`/api/admin/imports/${kind}`, query), file, contentType, { headers: { 'idempotency-key': key } });
}
export const listImports = (signal?: AbortSignal) => getJson<{ items: ImportJob[] }>('/api/admin/imports', { signal });
export const getImport = (id: string, signal?: AbortSignal) => getJson<ImportJob>(`/api/admin/imports/${id}`, { signal });
/** The rejected rows as CSV, the reasons in `lang` (the UI's language). */
export const rejectedCsvUrl = (id: string, lang: 'zh' | 'en') => `/api/admin/imports/${id}/rejected.csv?lang=${lang}`;
export const downloadRejected = (id: string, token: string | null, lang: 'zh' | 'en') => fetchDownload(rejectedCsvUrl(id, lang), token);

// ---- Audit log ----
export type AuditFilter = { action_prefix?: string; username?: string; since?: string; before_id?: number; limit?: number };
export const listAudit = (f: AuditFilter, signal?: AbortSignal) =>
  getJson<{ items: AuditEntry[] }>(withQuery('/api/admin/audit', { ...f, limit: f.limit ?? 100 }), { signal });
