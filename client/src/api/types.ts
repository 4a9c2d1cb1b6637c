// Wire shapes of the API as the client reads them (snake_case, as on the wire: docs/style.md §2.3). Every response
// type comes from the server's own response schemas (server/http/schemas/*.ts, TypeBox `Static`), the schemas that
// Fastify serialises with and the OpenAPI document lists: type-only imports, so nothing of the server reaches the bundle.
import type { CaseDetail as CaseDetailWire, CaseList as CaseListWire, CaseView } from '../../../server/http/schemas/cases.js';
import type { Photo } from '../../../server/http/schemas/photos.js';
import type { LoginResult, MeResult } from '../../../server/http/schemas/auth.js';

export type { CaseStatus, CaseAction, ClosingType, PendingApplication } from '../../../server/domain/workflow.js';
export type { Light } from '../../../server/domain/lights.js';

export type BBox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

// ---- Configuration, regions, grids, components, classes -------------------------------------------------------

/** GET /api/config, its district and the demo history's background load. */
export type { ClientConfig, DistrictRef, HistoryLoad } from '../../../server/http/schemas/meta.js';

/** One row of GET /api/regions. */
export type { Region, RegionLevel } from '../../../server/http/schemas/regions.js';

/** GET /api/components/{id}; a component's status (docs/domain.md §3): 完好 / 破损 / 丢失 / 废弃 / 移除. */
export type { ComponentDetail } from '../../../server/http/schemas/components.js';
export type { ComponentStatus } from '../../../server/domain/import/vocabulary.js';

/** Component major class (docs/domain.md §2). */
export type MajorCode = '01' | '02' | '03' | '04' | '05';

/** GET /api/grids/{code}, GET /api/grids/locate. */
export type { GridDetail, GridLocation } from '../../../server/http/schemas/grids.js';

/** GET /api/classes row (MatterClass: with kind=matter), GET /api/departments row. */
export type { ClassView as MatterClass, Department } from '../../../server/http/schemas/classes.js';

// ---- Sessions, cases, live events (docs/workflow.md; docs/api.md) ---------------------------------------------

/** A post (岗位) of docs/workflow.md, or admin. */
export type { UserRole as Role } from '../../../server/domain/auth.js';

/** POST /api/auth/login → { token, user }; GET /api/auth/me → { user (with display_name), session }. */
export type { LoginResult, MeResult } from '../../../server/http/schemas/auth.js';

/** The user of the session: what login answers, and the display name once GET /api/auth/me has answered. */
export type SessionUser = Omit<LoginResult['user'], 'region_code' | 'district_code'> & Partial<Pick<MeResult['user'], 'display_name'>>
  /** Absent in a session stored before issue 12 (until /api/auth/me refreshes it): read as null, every district. */
  & Partial<Pick<LoginResult['user'], 'region_code' | 'district_code'>>;

/** POST /api/cases → 201, a trail entry, the data of an `event: case` frame of GET /api/live. */
export type { ReportResult, TrailEntry, LiveCaseEvent } from '../../../server/http/schemas/cases.js';

/** A photo on a case's trail with a signed link for the caller (GET /api/cases/{id} `photos`). */
export type { PhotoLink } from '../../../server/http/schemas/photos.js';

/** The fields every case on the client has: a live event (GET /api/live) carries these and a few more. */
type CaseCore = 'id' | 'case_no' | 'status' | 'class_code' | 'lon' | 'lat' | 'version' | 'grid_code' | 'department_id' | 'step'
  | 'yellow_at' | 'red_at' | 'updated_at' | 'light';

/**
 * A case as the lists and the map know it: a case of GET /api/cases, or one first heard of through /api/live, which
 * carries only the event's fields; so everything beyond the core is optional.
 */
export type CaseSummary = Pick<CaseView, CaseCore> & Partial<Omit<CaseView, CaseCore>>;

/** GET /api/cases: the server sends whole cases; the client keeps them as summaries beside those live events made. */
export type CaseList = Omit<CaseListWire, 'items'> & { items: CaseSummary[] };

/** GET /api/cases/{id}: the case (merged with live events as they come), what the caller may do, the trail, the photos. */
export type CaseDetail = CaseSummary & Pick<CaseDetailWire, 'available_actions' | 'trail' | 'photos'>;

/** POST /api/cases body (the route's request schema is the authority: server/http/routes/cases.ts ReportBody). */
export type ReportBody = {
  kind: 'component_anomaly' | 'event';
  class_code: string;
  lon: number;
  lat: number;
  description?: string;
  component_id?: string;
  photo_ids?: string[];
};

/** POST /api/photos → 201: the client keeps the id and the signed link (and the size when known). */
export type PhotoRef = Pick<Photo, 'id' | 'url'> & Partial<Pick<Photo, 'width' | 'height'>>;
