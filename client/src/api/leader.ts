// The leader screen's endpoints (docs/leader-api.md): evaluation, headline indicators, statistics, their drill-downs,
// and the export downloads. Typed fetchers only: no React, no store.
import type { FeatureCollection, Geometry } from 'geojson';
import { ApiError, getJson, withQuery } from './http.js';
import type { CaseSummary } from './types.js';

/** Every case is live (this system), imported (another system's past case) or simulated (the demo's history). */
export type CaseOrigin = 'live' | 'imported' | 'simulated';

/** A case as the drill-down lists know it: the search's summary plus where it came from. */
export type LeaderCase = CaseSummary & {
  origin?: CaseOrigin;
  source_system?: string | null;
  source_id?: string | null;
  closed_at?: string | null;
};

/** `{ items, total }` of every case list; `events` when the figure counts some case twice (two dispatches). */
export type LeaderCaseList = { items: LeaderCase[]; total: number; events?: number };

export type EvaluationObject = 'regions' | 'departments' | 'posts';
export type RegionLevel = 'district' | 'street' | 'community' | 'grid';
export type PostType = 'inspector' | 'operator' | 'shift_leader' | 'dispatcher';
export type Part = 'numerator' | 'denominator';
export type Grade = 'A' | 'B' | 'C' | 'D' | 'E';

export type IndicatorMeta = {
  key: string;
  label_zh: string;
  label_en: string;
  kind: 'rate' | 'bad_rate' | 'count_band';
  weight: number;
};

/** One indicator of one row: rate and score null when the denominator is 0 ("no data"). */
export type IndicatorCell = {
  numerator: number;
  denominator: number | null;
  rate: number | null;
  score: number | null;
  weight: number;
  used_weight: number;
};

export type EvaluationRow = {
  key: string;
  name: string;
  level: string | null;
  indicators: Record<string, IndicatorCell>;
  composite: number | null;
  grade: Grade | null;
  extra?: Record<string, number | null>;
  /** Regions and departments: the satisfaction call-backs (回访) of the period; null figures: no ratings (issue 11). */
  satisfaction?: { count: number; average_score: number | null; satisfied_rate: number | null };
};

export type EvaluationSettings = {
  version: number;
  weights: Record<string, unknown>;
  bands: Record<string, unknown>;
  /** Lowest composite of each grade, best first; the contract's `[["A", 90], …]` and the server's `[{ grade, min }]`. */
  grades: ([Grade, number] | { grade: Grade; min: number })[];
};

/** The grade bands of the settings as `[grade, min]` pairs, whichever shape they came in. */
export function gradeBands(s: Pick<EvaluationSettings, 'grades'>): [Grade, number][] {
  return (s.grades ?? []).map((g) => (Array.isArray(g) ? g : [g.grade, g.min]));
}

export type EvaluationResult = {
  object: EvaluationObject;
  from: string;
  to: string;
  settings: EvaluationSettings;
  indicators: IndicatorMeta[];
  rows: EvaluationRow[];
};

export type Ratio = { numerator: number; denominator: number; rate: number | null };

export type Headline = {
  from: string;
  to: string;
  region: string | null;
  discovery_rate: Ratio;
  dispatch_accuracy: Ratio;
  suggestion_accuracy: Ratio;
  closing_rate: Ratio;
  on_time_closing_rate: Ratio;
  avg_handling_hours: { working: number | null; natural: number | null; count: number };
  reference: { discovery_rate: number; dispatch_accuracy: number; avg_handling_hours: number; closing_rate: number };
};

export type HeadlineIndicator = 'discovery_rate' | 'dispatch_accuracy' | 'suggestion_accuracy' | 'closing_rate'
  | 'on_time_closing_rate' | 'avg_handling_hours';

export type Hotspot = 'hot_99' | 'hot_95' | 'hot_90' | 'none' | 'cold_90' | 'cold_95' | 'cold_99';
export type StatsLevel = 'grid' | 'community' | 'street';
export type Channel = 'inspector' | 'public' | 'hotline' | 'other';

export type ChoroplethProps = {
  code: string;
  name: string | null;
  level: StatsLevel;
  count: number;
  area_m2: number | null;
  per_10k_m2: number | null;
  prev_count: number;
  change: number;
  change_rate: number | null;
  gi_z: number | null;
  hotspot: Hotspot;
};

/** How the hot spots were computed: a sentence, or the server's description (statistic, neighbours, thresholds, note). */
export type HotspotMethod = string | { statistic?: string; neighbours?: string; thresholds?: Record<string, number>; note?: string; variable?: string };

export type Choropleth = FeatureCollection<Geometry, ChoroplethProps> & { method?: HotspotMethod; total?: number; prev_from?: string; prev_to?: string };

export type TrendBucket = 'day' | 'week' | 'month';
export type TrendPoint = { start: string; reported: number; filed: number; closed: number };
export type Trend = { bucket: TrendBucket; points: TrendPoint[] };

export type TopClass = { class_code: string; name_zh: string; name_en: string; major_code: string; count: number };

export type GridCard = {
  code: string;
  community: string | { code: string; name: string } | null;
  street: string | { code: string; name: string } | null;
  area_m2: number | null;
  count: number;
  by_class: { class_code: string; name_zh?: string; name_en?: string; count: number }[];
  by_status: { status: string; count: number }[] | Record<string, number>;
  components: { class_code: string; name_zh?: string; name_en?: string; count: number }[];
  recent_cases: LeaderCase[];
};

/** The period every leader query carries (inclusive local dates of the district). */
export type Period = { from: string; to: string };

/** Filters of the statistics (class, major class, channel) and the scope (a region code). */
export type StatsFilter = { class?: string; major?: string; channel?: Channel; region?: string };

type Query = Record<string, string | number | undefined>;

export function fetchEvaluation(object: EvaluationObject, q: Period & { level?: RegionLevel; parent?: string; post?: PostType }, signal?: AbortSignal): Promise<EvaluationResult> {
  return getJson<EvaluationResult>(withQuery(`/api/evaluation/${object}`, { ...q }), { signal });
}

export type EvaluationDrill = Period & { level?: RegionLevel; parent?: string; post?: PostType; key: string; indicator: string; part: Part; limit?: number; offset?: number };

export function fetchEvaluationCases(object: EvaluationObject, q: EvaluationDrill, signal?: AbortSignal): Promise<LeaderCaseList> {
  return getJson<LeaderCaseList>(withQuery(`/api/evaluation/${object}/cases`, { ...q }), { signal });
}

export function fetchHeadline(q: Period & { region?: string }, signal?: AbortSignal): Promise<Headline> {
  return getJson<Headline>(withQuery('/api/evaluation/headline', { ...q }), { signal });
}

export type HeadlineDrill = Period & { region?: string; indicator: HeadlineIndicator; part: Part; limit?: number; offset?: number };

export function fetchHeadlineCases(q: HeadlineDrill, signal?: AbortSignal): Promise<LeaderCaseList> {
  return getJson<LeaderCaseList>(withQuery('/api/evaluation/headline/cases', { ...q }), { signal });
}

export function fetchChoropleth(q: Period & StatsFilter & { level: StatsLevel }, signal?: AbortSignal): Promise<Choropleth> {
  return getJson<Choropleth>(withQuery('/api/stats/choropleth', { ...q }), { signal });
}

export function fetchTrend(q: Period & StatsFilter & { bucket: TrendBucket }, signal?: AbortSignal): Promise<Trend> {
  return getJson<Trend>(withQuery('/api/stats/trend', { ...q }), { signal });
}

export function fetchTopClasses(q: Period & StatsFilter & { limit?: number }, signal?: AbortSignal): Promise<TopClass[]> {
  return getJson<TopClass[]>(withQuery('/api/stats/top-classes', { ...q }), { signal });
}

export function fetchGridCard(code: string, q: Period, signal?: AbortSignal): Promise<GridCard> {
  return getJson<GridCard>(withQuery(`/api/stats/grids/${encodeURIComponent(code)}`, { ...q }), { signal });
}

/** Cases of a search (GET /api/cases with the search's filters): here only to count the simulated or imported ones. */
export function countCases(q: Query, signal?: AbortSignal): Promise<number> {
  return getJson<LeaderCaseList>(withQuery('/api/cases', { ...q, limit: 1 }), { signal }).then((r) => r.total);
}

// ---- Export downloads -------------------------------------------------------------------------------------------

export function evaluationExportUrl(object: EvaluationObject, format: 'csv' | 'xlsx', q: Query): string {
  return withQuery(`/api/exports/evaluation/${object}.${format}`, q);
}

export function choroplethExportUrl(q: Query): string {
  return withQuery('/api/exports/choropleth.geojson', q);
}

export function casesExportUrl(format: 'csv' | 'xlsx' | 'geojson', q: Query): string {
  return withQuery(`/api/exports/cases.${format}`, q);
}

export function monthlyReportUrl(month: string, region?: string): string {
  return withQuery('/api/reports/monthly.pdf', { month, region });
}

/** The file name a download answer proposes (Content-Disposition, RFC 6266 incl. `filename*`), or null. */
export function dispositionName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try { return decodeURIComponent(star[1].trim().replace(/^"|"$/g, '')); } catch { /* fall through to filename= */ }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(header);
  return plain ? (plain[2] ?? plain[1]).trim() : null;
}

/**
 * Fetches a download with the session's bearer token (a plain link would carry none) and returns its bytes and the
 * name the server proposes. Throws ApiError with the server's message on a 4xx/5xx.
 */
export async function fetchDownload(url: string, token: string | null, signal?: AbortSignal): Promise<{ blob: Blob; name: string | null }> {
  let res: Response;
  try {
    res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError('network', `Could not reach the server (${url}): ${(e as Error).message}`, 0, url);
  }
  if (!res.ok) {
    type ErrorBody = { error?: { code?: string; message?: string; details?: unknown } };
    const body: ErrorBody | null = await res.json().then((b: unknown) => b as ErrorBody, () => null);
    throw new ApiError(body?.error?.code ?? `http_${res.status}`, body?.error?.message ?? `${res.status} ${res.statusText} for ${url}`, res.status, url, body?.error?.details);
  }
  return { blob: await res.blob(), name: dispositionName(res.headers.get('content-disposition')) };
}
