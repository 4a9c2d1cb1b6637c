// Wire shapes of the endpoints the map page reads (snake_case, as on the wire: style.md §2.3).
import type { Geometry } from 'geojson';
import type { CaseAction, CaseStatus, PendingApplication } from '../../../server/domain/workflow.js';
import type { Light } from '../../../server/domain/lights.js';

export type BBox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

export type DistrictRef = { code: string; name: string; bbox: BBox };

/** GET /api/config */
/** The demo's simulated history while the server loads it in the background (GET /api/config). */
export type HistoryLoad = { state: 'none' | 'loading' | 'done'; days: number; loaded_days: number; cases: number; loaded_until: string | null };

export type ClientConfig = { basemap_url: string | null; district: DistrictRef | null; history?: HistoryLoad };

export type RegionLevel = 'district' | 'street' | 'community';

/** One row of GET /api/regions */
export type Region = { code: string; level: RegionLevel; name: string; parent_code: string | null; bbox: BBox };

/** Component status (domain.md §3): 完好 / 破损 / 丢失 / 废弃 / 移除. */
export type ComponentStatus = 'intact' | 'damaged' | 'missing' | 'abandoned' | 'removed';

/** Component major class (domain.md §2). */
export type MajorCode = '01' | '02' | '03' | '04' | '05';

/** GET /api/components/{id} */
export type ComponentDetail = {
  id: string;
  class_code: string;
  class_name_zh: string;
  class_name_en: string;
  major_code: string;
  status: ComponentStatus | string;
  survey_date: string | null;
  change_date: string | null;
  data_source: string | null;
  note: string | null;
  grid_code: string | null;
  community_code: string | null;
  community_name: string | null;
  street_code: string | null;
  street_name: string | null;
  supervising_department: string | null;
  owner_department: string | null;
  maintainer_department: string | null;
  attrs: Record<string, unknown> | null;
  geometry: Geometry | null;
};

/** GET /api/grids/{code} */
export type GridDetail = {
  code: string;
  community_code: string;
  community_name: string | null;
  street_code: string;
  street_name: string | null;
  district_code: string;
  area_m2: number | null;
  land_use: string | null;
  management_level: string | null;
  responsible_body: string | null;
  valid_from: string | null;
  valid_to: string | null;
  component_count: number | null;
  geometry: Geometry | null;
};

/** GET /api/grids/locate */
export type GridLocation = { grid: { code: string; community_code: string; street_code: string; district_code: string } };

// ---- Sessions, cases, live events (workflow.md; api.md) -------------------------------------------------------

export type { CaseStatus, CaseAction, ClosingType, PendingApplication } from '../../../server/domain/workflow.js';
export type { Light };

/** A post (岗位) of workflow.md, or admin. */
export type Role = 'inspector' | 'operator' | 'shift_leader' | 'dispatcher' | 'department' | 'leader' | 'admin';

/** POST /api/auth/login → user; GET /api/auth/me adds display_name. */
export type SessionUser = { id: number; username: string; roles: Role[]; department_id: number | null; display_name?: string };

export type LoginResult = { token: string; user: SessionUser };

export type MeResult = { user: SessionUser & { display_name: string }; session: { ends_at: string; expires_at: string; idle_minutes: number } };

/**
 * A case as the lists and the map know it: the fields of GET /api/cases items. A case first heard of through
 * /api/live carries only the event's fields, so everything else is optional.
 */
export type CaseSummary = {
  id: string;
  /** live, or a past case imported from another system, or the demo's simulated history. */
  origin?: 'live' | 'imported' | 'simulated';
  case_no: string;
  status: CaseStatus;
  class_code: string;
  lon: number;
  lat: number;
  version: number;
  grid_code: string;
  department_id: number | null;
  step: string | null;
  yellow_at: string | null;
  red_at: string | null;
  updated_at: string;
  /** The light when the server answered; the client recomputes it from yellow_at / red_at and the clock. */
  light: Light | null;
  source?: string;
  kind?: 'component_anomaly' | 'event';
  condition?: string | null;
  description?: string | null;
  address?: string | null;
  community_code?: string;
  street_code?: string;
  suggested_department_id?: number | null;
  suggestion_taken?: boolean | null;
  step_started_at?: string | null;
  step_deadline_at?: string | null;
  urged?: boolean;
  urgent?: boolean;
  return_count?: number;
  rework_count?: number;
  pending_application?: PendingApplication | null;
  pending_extension_hours?: number | null;
  reporter_id?: number | null;
  reporter_name?: string | null;
  reporter_phone?: string | null;
  component_id?: string | null;
  created_at?: string;
};

/** One entry of a case's trail (append-only, hash-chained). */
export type TrailEntry = {
  seq: number;
  at: string;
  actor: string | null;
  role: string | null;
  action: string;
  from_status: CaseStatus | null;
  to_status: CaseStatus;
  note: string | null;
  photo_ids: string[] | null;
  deadline_at: string | null;
  data: Record<string, unknown> | null;
  prev_hash: string;
  hash: string;
  /** Display name of the actor, when the server sends it. */
  actor_name?: string | null;
};

/** GET /api/cases/{id} */
export type CaseDetail = CaseSummary & { available_actions: CaseAction[]; trail: TrailEntry[] };

/** GET /api/cases */
export type CaseList = { items: CaseSummary[]; total: number };

/** The data of an `event: case` frame of GET /api/live. */
export type LiveCaseEvent = Pick<CaseSummary,
  'id' | 'case_no' | 'status' | 'light' | 'lon' | 'lat' | 'version' | 'class_code' | 'grid_code' | 'department_id' | 'step'
  | 'red_at' | 'yellow_at' | 'updated_at'> & { reporter_id?: number | null };

/** POST /api/cases body */
export type ReportBody = {
  kind: 'component_anomaly' | 'event';
  class_code: string;
  lon: number;
  lat: number;
  description?: string;
  component_id?: string;
  photo_ids?: string[];
};

/** POST /api/cases → 201 */
export type ReportResult = CaseSummary & { possible_duplicates: { id: string; case_no: string; status: string; distance_m: number }[] };

/** GET /api/classes?kind=matter row */
export type MatterClass = {
  code: string;
  kind: 'matter' | 'component';
  major_code: string;
  major_name_zh: string;
  major_name_en: string;
  name_zh: string;
  name_en: string;
  matter_kind: 'component_anomaly' | 'event' | null;
  typical_department: string | null;
};

/** GET /api/departments row */
export type Department = { id: number; name: string; level?: number; parent_id?: number | null };

/** POST /api/photos → 200/201 */
export type PhotoRef = { id: string; url: string; width?: number; height?: number };
