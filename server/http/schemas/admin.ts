// The admin console (issue 10): request and response schemas of departments, class defaults, inspectors'
// responsibility grids, import jobs and the audit log.
import { Type } from '@fastify/type-provider-typebox';
import { ClassCode, Id } from './common.js';
import { DateTime, Exact, Nullable, StringEnum } from './shapes.js';

const CreditCode = Type.String({ maxLength: 18, description: '18-character unified social credit code (统一社会信用代码); empty or null: none' });
const Level = Type.Integer({ minimum: 1, maximum: 3, description: 'department level 1–3' });

export const AdminDepartmentSchema = Exact({
  id: Type.Integer(), name: Type.String(), credit_code: Nullable(Type.String()), level: Type.Integer(), parent_id: Nullable(Type.Integer()),
  active: Type.Boolean({ description: 'false: deactivated (停用), kept for what refers to it' }),
});
export const DepartmentWithUseSchema = Exact({
  ...AdminDepartmentSchema.properties,
  users: Type.Integer({ description: 'users of the department' }),
  open_cases: Type.Integer({ description: 'cases with it that are not closed or void' }),
  class_defaults: Type.Integer({ description: 'classes that go to it by default' }),
});
export const DepartmentCreateBody = Exact({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  credit_code: Type.Optional(Nullable(CreditCode)),
  level: Type.Optional(Level),
  parent_id: Type.Optional(Nullable(Id('parent department'))),
});
export const DepartmentPatchBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  credit_code: Type.Optional(Nullable(CreditCode)),
  level: Type.Optional(Level),
  parent_id: Type.Optional(Nullable(Id('parent department'))),
  active: Type.Optional(Type.Boolean({ description: 'false deactivates, true reactivates' })),
}, { additionalProperties: false, minProperties: 1 });

export const ClassKind = StringEnum(['component', 'matter'] as const);
export const ClassDefaultSchema = Exact({
  kind: ClassKind, class_code: Type.String(), major_code: Type.String(), name_zh: Type.String(), name_en: Nullable(Type.String()),
  typical_department: Nullable(Type.String({ description: 'the standard\'s suggestion' })),
  department_id: Nullable(Type.Integer({ description: 'the default department; null: none' })),
});
export const ClassDefaultParams = Type.Object({ kind: ClassKind, class_code: ClassCode });
export const ClassDefaultBody = Exact({ department_id: Nullable(Id('department')) });

const ResponsibilityCode = Type.String({ pattern: '^[0-9]{12}R[0-9]{2}$', description: 'responsibility-grid code: community (12 digits) + R + 2 digits' });
export const ResponsibilityGridSchema = Exact({
  code: Type.String(), name: Type.String(), community_code: Type.String(),
  inspector_id: Nullable(Type.Integer()), inspector_username: Nullable(Type.String()), unit_grids: Type.Integer(),
});
export const GridCodesBody = Exact({ codes: Type.Array(ResponsibilityCode, { maxItems: 2000 }) });
export const GridCodeParams = Type.Object({ id: Id('inspector (user id)'), code: ResponsibilityCode });
export const InspectorGridsSchema = Exact({
  inspector_id: Type.Integer(),
  grids: Type.Array(ResponsibilityGridSchema),
  added: Type.Array(Type.String()),
  removed: Type.Array(Type.String()),
  taken_from: Type.Array(Exact({ code: Type.String(), inspector_id: Type.Integer() }), { description: 'grids that moved here from another inspector' }),
});

const Rejected = Exact({
  row: Type.Integer(), code: Type.String(),
  reason: Type.String({ description: 'why, in English (kept for compatibility; say it in the UI\'s language from reason_code and params)' }),
  reason_code: Type.String({ description: 'the rejection code (same as code): malformed_row, duplicate_source_id, outside_grids, …' }),
  params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), { description: 'what the reason names: value, field, first_row, grid, …' }),
});
export const ImportJobSchema = Exact({
  id: Type.String({ format: 'uuid' }),
  kind: StringEnum(['components', 'cases'] as const),
  status: StringEnum(['running', 'done', 'failed'] as const),
  file_name: Nullable(Type.String()),
  bytes: Type.Integer(),
  created_at: DateTime(),
  finished_at: Nullable(DateTime()),
  created_by: Nullable(Type.String()),
  options: Type.Record(Type.String(), Type.Unknown(), { description: 'the import options as given' }),
  progress: Nullable(Exact({
    rows: Type.Integer(), bytes: Type.Integer(), total_bytes: Nullable(Type.Integer()), imported: Type.Integer(),
    updated: Type.Integer(), rejected: Type.Integer(), elapsed_ms: Type.Number(),
  }), { description: 'while running: rows read, bytes read of total_bytes' }),
  result: Nullable(Exact({ rows: Type.Integer(), imported: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer(), rejected: Type.Integer() })),
  error: Nullable(Exact({ code: Type.String(), message: Type.String() })),
  rejected_preview: Type.Array(Rejected, { description: 'the first rejected rows; all of them: GET /api/admin/imports/{id}/rejected.csv' }),
});
export const ImportJobParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const FileName = Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'the uploaded file\'s name, for the job list' }));

export const AuditEntrySchema = Exact({
  id: Type.Integer(), at: DateTime(), user_id: Nullable(Type.Integer()), username: Nullable(Type.String()), action: Type.String(),
  target: Nullable(Type.String()), ip: Nullable(Type.String()),
  detail: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'what changed: before/after for admin changes' })),
});
export const AuditQuery = Type.Object({
  action: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_.]{0,63}$', description: 'exactly this action' })),
  action_prefix: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_.]{0,63}$', description: 'actions starting with this, e.g. department.' })),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'who did it' })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
  before_id: Type.Optional(Id('entries older than this id (the next page)')),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
}, { additionalProperties: false });
