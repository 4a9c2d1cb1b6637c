// Response schemas of the case endpoints (GET/POST /api/cases…, the evaluation drill-downs, the live events): what
// services/cases.ts caseView sends, every column of a case but the trail head, the reporter masked unless the role needs it.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { CASE_ACTIONS, CASE_STATUSES, CLOSING_TYPES, PENDING_APPLICATIONS } from '../../domain/workflow.js';
import { LIGHTS } from '../../domain/lights.js';
import { DateTime, Exact, Nullable, StringEnum } from './shapes.js';
import { PhotoLinkSchema } from './photos.js';

const Id = Type.Integer({ minimum: 1 });
const Instant = (description?: string) => Nullable(DateTime(description));

export const CaseStatusSchema = StringEnum(CASE_STATUSES, 'workflow.md status');
export const LightSchema = Nullable(StringEnum(LIGHTS), { description: 'light of the current step when the server answered; null when the step has no limit or the case is closed, void or suspended' });
export const OriginSchema = StringEnum(['live', 'imported', 'simulated'] as const, 'live, imported from another system, or the demo\'s simulated history');

export const CaseViewSchema = Exact({
  id: Type.String({ format: 'uuid' }),
  case_no: Type.String(),
  status: CaseStatusSchema,
  source: Type.String({ description: 'report channel: inspector, public, hotline, media, video, leader (other for imported cases)' }),
  kind: StringEnum(['component_anomaly', 'event'] as const),
  class_code: Type.String(),
  condition: Nullable(Type.String()),
  component_id: Nullable(Type.String()),
  description: Nullable(Type.String()),
  address: Nullable(Type.String()),
  lon: Type.Number(),
  lat: Type.Number(),
  district_code: Type.String(),
  street_code: Type.String(),
  community_code: Type.String(),
  grid_code: Type.String(),
  responsibility_code: Nullable(Type.String()),
  reporter_id: Nullable(Id),
  reporter_name: Nullable(Type.String({ description: 'masked unless the caller is an operator or shift leader' })),
  reporter_phone: Nullable(Type.String({ description: 'masked unless the caller is an operator or shift leader' })),
  self_handled: Type.Boolean(),
  urgent: Type.Boolean(),
  department_id: Nullable(Id),
  suggested_department_id: Nullable(Id),
  suggestion_taken: Nullable(Type.Boolean()),
  pending_application: Nullable(StringEnum(PENDING_APPLICATIONS)),
  pending_extension_hours: Nullable(Type.Number()),
  verify_found: Nullable(Type.Boolean()),
  handled_late: Type.Boolean(),
  urged: Type.Boolean(),
  return_count: Type.Integer(),
  rework_count: Type.Integer(),
  urge_count: Type.Integer(),
  extension_count: Type.Integer(),
  extension_hours: Type.Number(),
  suspension_count: Type.Integer(),
  suspended_at: Instant(),
  closing_type: Nullable(StringEnum(CLOSING_TYPES)),
  void_reason: Nullable(Type.String()),
  step: Nullable(Type.String({ description: 'the timed step under way' })),
  step_started_at: Instant(),
  step_deadline_at: Instant(),
  yellow_at: Instant('when the light turns yellow'),
  red_at: Instant('when the light turns red'),
  handling_started_at: Instant(),
  handling_deadline_at: Instant(),
  overdue_after: Instant(),
  filed_at: Instant(),
  dispatched_at: Instant(),
  closed_at: Instant(),
  merged_into: Nullable(Type.String({ format: 'uuid' })),
  version: Type.Integer({ minimum: 1 }),
  created_at: DateTime(),
  updated_at: DateTime(),
  origin: OriginSchema,
  source_system: Nullable(Type.String()),
  source_id: Nullable(Type.String()),
  source_type: Nullable(Type.String()),
  light: LightSchema,
}, { description: 'a case as the caller may see it' });
export type CaseView = Static<typeof CaseViewSchema>;

export const TrailEntrySchema = Exact({
  case_id: Type.String({ format: 'uuid' }),
  seq: Type.Integer({ minimum: 1 }),
  at: DateTime(),
  actor: Nullable(Type.String({ description: 'user id of who acted, as written in the trail; null for the public or the system' })),
  role: Nullable(Type.String()),
  actor_name: Nullable(Type.String({ description: 'the actor\'s display name (else username) now; not covered by the hash; null for the public or the system' })),
  action: Type.String({ description: 'a workflow action, or report, merge, merged_from, import' }),
  from_status: Nullable(Type.String()),
  to_status: Type.String(),
  note: Nullable(Type.String()),
  photo_ids: Nullable(Type.Array(Type.String())),
  deadline_at: Instant('the deadline in force after the action'),
  data: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'the action\'s fields and effects' })),
  prev_hash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  hash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
}, { description: 'one entry of the append-only, hash-chained trail' });
export type TrailEntry = Static<typeof TrailEntrySchema>;

export const CaseDetailSchema = Exact({
  ...CaseViewSchema.properties,
  available_actions: Type.Array(StringEnum(CASE_ACTIONS), { description: 'what the caller may do now' }),
  trail: Type.Array(TrailEntrySchema),
  photos: Type.Array(PhotoLinkSchema, { description: 'the stored photos the trail cites, each with a signed link for the caller (GET /api/photos/{id})' }),
});
export type CaseDetail = Static<typeof CaseDetailSchema>;

export const CaseListSchema = Exact({ items: Type.Array(CaseViewSchema), total: Type.Integer({ description: 'every match, not only this page' }) });
export type CaseList = Static<typeof CaseListSchema>;

export const DuplicateSchema = Exact({
  id: Type.String({ format: 'uuid' }), case_no: Type.String(), status: CaseStatusSchema, distance_m: Type.Integer(),
});

export const DuplicateCandidatesSchema = Exact({
  meters: Type.Integer({ description: 'the search radius used, m' }),
  items: Type.Array(Exact({
    ...CaseViewSchema.properties,
    distance_m: Type.Integer({ description: 'geodesic distance from the point, m' }),
  }), { description: 'open cases of the class within `meters` that the caller may see, nearest first (at most 10)' }),
});
export type DuplicateCandidates = Static<typeof DuplicateCandidatesSchema>;

export const ReportResultSchema = Exact({
  ...CaseViewSchema.properties,
  possible_duplicates: Type.Array(DuplicateSchema, { description: 'open cases of the same class nearby that the caller may see, nearest first' }),
}, { description: 'the case, with possible duplicates' });
export type ReportResult = Static<typeof ReportResultSchema>;

/** The data of an `event: case` frame of GET /api/live (services/cases.ts eventPayload). */
export const LiveCaseEventSchema = Exact({
  id: Type.String({ format: 'uuid' }), case_no: Type.String(), status: CaseStatusSchema, light: LightSchema,
  lon: Type.Number(), lat: Type.Number(), version: Type.Integer(), class_code: Type.String(), grid_code: Type.String(),
  department_id: Nullable(Id), reporter_id: Nullable(Id), responsibility_code: Nullable(Type.String()), step: Nullable(Type.String()),
  red_at: Instant(), yellow_at: Instant(), updated_at: DateTime(),
  urged: Type.Boolean(), urgent: Type.Boolean(), pending_application: Nullable(StringEnum(PENDING_APPLICATIONS)),
  rework_count: Type.Integer(), address: Nullable(Type.String()), origin: OriginSchema,
  district_code: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', description: 'the case\'s district (events written before 2026-12-04 have none): a stream kept to one district hears only its cases' })),
});
export type LiveCaseEvent = Static<typeof LiveCaseEventSchema>;
