// Response schemas of the standard classes (GB/T 47678.5-2026, domain.md §2) and the departments.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { Exact, Nullable, StringEnum } from './shapes.js';

export const ClassKindSchema = StringEnum(['component', 'matter'] as const);

export const ClassViewSchema = Exact({
  code: Type.String(), kind: ClassKindSchema, major_code: Type.String(), major_name_zh: Type.String(), major_name_en: Type.String(),
  name_zh: Type.String(), name_en: Type.String(),
  matter_kind: Nullable(StringEnum(['component_anomaly', 'event'] as const)),
  typical_department: Nullable(Type.String()),
});
export type ClassView = Static<typeof ClassViewSchema>;

/** GET /api/departments row. */
export const DepartmentSchema = Exact({
  id: Type.Integer(), name: Type.String(), credit_code: Nullable(Type.String()),
  level: Type.Integer(), parent_id: Nullable(Type.Integer()),
  active: Type.Boolean({ description: 'false: deactivated by the admin; keep showing its name on old cases, do not offer it for dispatch' }),
});
export type Department = Static<typeof DepartmentSchema>;
