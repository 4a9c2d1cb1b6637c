// Wire shapes of the endpoints the map page reads (snake_case, as on the wire: style.md §2.3).
import type { Geometry } from 'geojson';

export type BBox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

export type DistrictRef = { code: string; name: string; bbox: BBox };

/** GET /api/config */
export type ClientConfig = { basemap_url: string | null; district: DistrictRef | null };

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
