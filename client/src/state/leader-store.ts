// The leader screen's state: the period and scope every figure is computed for, the map's level, metric and filters,
// the evaluation table shown, each answer of the server (headline, evaluation, choropleth, trend, top classes), the
// drill-down list open and the card of the area clicked. An answer is applied only under the request it answers
// (a period changed meanwhile makes it stale), so fast clicking never shows figures of an older choice.
import { create } from 'zustand';
import {
  countCases, fetchChoropleth, fetchEvaluation, fetchEvaluationCases, fetchGridCard, fetchHeadline, fetchHeadlineCases, fetchTopClasses, fetchTrend,
  type Channel, type Choropleth, type ChoroplethProps, type EvaluationObject, type EvaluationResult, type GridCard, type Headline,
  type HeadlineIndicator, type LeaderCase, type LeaderCaseList, type Part, type Period, type PostType, type RegionLevel, type StatsLevel,
  type TopClass, type Trend, type TrendBucket,
} from '../api/leader.js';
import { autoBucket, presetPeriod, todayIn, type Preset } from '../screens/leader/period.js';
import type { MapMetric } from '../map/layers/choropleth.js';

export type Slot<T> = { status: 'idle' | 'loading' | 'ready' | 'error'; data: T | null; error: string | null; seq: number };
const idle = <T>(): Slot<T> => ({ status: 'idle', data: null, error: null, seq: 0 });

export type StatsFilters = { class?: string; major?: string; channel?: Channel };

/** What a drill-down list shows: the cases behind one figure. */
export type DrillSource =
  | { kind: 'evaluation'; object: EvaluationObject; level?: RegionLevel; parent?: string; post?: PostType; key: string; row_name: string; indicator: string; label: string; has_denominator: boolean }
  | { kind: 'headline'; region?: string; indicator: HeadlineIndicator; label: string; has_denominator: boolean };

export type Drill = { source: DrillSource; period: Period; part: Part };

/** The area whose card is open: a unit grid (its card is fetched) or a community / street (its map figures). */
export type AreaCard = { code: string; level: StatsLevel; props: ChoroplethProps; slot: Slot<GridCard> };

/** Rows of a drill-down page. */
export const DRILL_PAGE = 50;

type LeaderState = {
  preset: Preset;
  period: Period;
  /** Region scope: null is the whole district. */
  region: string | null;
  statsLevel: StatsLevel;
  metric: MapMetric;
  filters: StatsFilters;
  evalObject: EvaluationObject;
  regionLevel: RegionLevel;
  post: PostType;
  bucket: TrendBucket | 'auto';
  headline: Slot<Headline>;
  evaluation: Slot<EvaluationResult>;
  choropleth: Slot<Choropleth>;
  trend: Slot<Trend>;
  top: Slot<TopClass[]>;
  /** Simulated and imported cases reported in the period (the banner's "includes simulated history"). */
  history: Slot<{ simulated: number; imported: number }>;
  drill: Drill | null;
  card: AreaCard | null;
  setPeriod: (period: Period, preset: Preset) => void;
  setRegion: (code: string | null) => void;
  setStatsLevel: (l: StatsLevel) => void;
  setMetric: (m: MapMetric) => void;
  setFilters: (f: StatsFilters) => void;
  setEvalObject: (o: EvaluationObject) => void;
  setRegionLevel: (l: RegionLevel) => void;
  setPost: (p: PostType) => void;
  setBucket: (b: TrendBucket | 'auto') => void;
  closeDrill: () => void;
  closeCard: () => void;
};

const initialPeriod = (): Period => presetPeriod('last_12_months', todayIn(new Date()));

export const useLeader = create<LeaderState>()((set) => ({
  preset: 'last_12_months',
  period: initialPeriod(),
  region: null,
  statsLevel: 'grid',
  metric: 'count',
  filters: {},
  evalObject: 'regions',
  regionLevel: 'street',
  post: 'inspector',
  bucket: 'auto',
  headline: idle(),
  evaluation: idle(),
  choropleth: idle(),
  trend: idle(),
  top: idle(),
  history: idle(),
  drill: null,
  card: null,
  setPeriod: (period, preset) => set({ period, preset, card: null }),
  setRegion: (region) => set({ region, card: null }),
  setStatsLevel: (statsLevel) => set({ statsLevel, card: null }),
  setMetric: (metric) => set({ metric }),
  setFilters: (filters) => set({ filters, card: null }),
  setEvalObject: (evalObject) => set({ evalObject }),
  setRegionLevel: (regionLevel) => set({ regionLevel }),
  setPost: (post) => set({ post }),
  setBucket: (bucket) => set({ bucket }),
  closeDrill: () => set({ drill: null }),
  closeCard: () => set({ card: null }),
}));

export const selectPeriod = (s: LeaderState) => s.period;
export const selectPreset = (s: LeaderState) => s.preset;
export const selectRegion = (s: LeaderState) => s.region;
export const selectStatsLevel = (s: LeaderState) => s.statsLevel;
export const selectMetric = (s: LeaderState) => s.metric;
export const selectFilters = (s: LeaderState) => s.filters;
export const selectEvalObject = (s: LeaderState) => s.evalObject;
export const selectRegionLevel = (s: LeaderState) => s.regionLevel;
export const selectPost = (s: LeaderState) => s.post;
export const selectBucket = (s: LeaderState) => s.bucket;
export const selectHeadline = (s: LeaderState) => s.headline;
export const selectEvaluation = (s: LeaderState) => s.evaluation;
export const selectChoropleth = (s: LeaderState) => s.choropleth;
export const selectTrend = (s: LeaderState) => s.trend;
export const selectTop = (s: LeaderState) => s.top;
export const selectHistory = (s: LeaderState) => s.history;
export const selectDrill = (s: LeaderState) => s.drill;
export const selectCard = (s: LeaderState) => s.card;

/** The trend bucket in force: the chosen one, or the one that suits the period. */
export const effectiveBucket = (s: Pick<LeaderState, 'bucket' | 'period'>): TrendBucket => (s.bucket === 'auto' ? autoBucket(s.period) : s.bucket);

type SlotKey = 'headline' | 'evaluation' | 'choropleth' | 'trend' | 'top' | 'history';
type SlotData = { [K in SlotKey]: LeaderState[K] extends Slot<infer T> ? T : never };

let slotSeq = 0;
/**
 * Runs `fetch` for a slot: the slot shows loading (keeping its last data, so the screen does not blink), then the
 * answer, unless a newer request for the same slot was made meanwhile.
 */
export async function loadSlot<K extends SlotKey>(key: K, fetch: () => Promise<SlotData[K]>): Promise<void> {
  const seq = ++slotSeq;
  useLeader.setState((s) => ({ [key]: { ...(s[key] as Slot<SlotData[K]>), status: 'loading', error: null, seq } }) as Partial<LeaderState>);
  try {
    const data = await fetch();
    useLeader.setState((s) => ((s[key] as Slot<unknown>).seq === seq ? { [key]: { status: 'ready', data, error: null, seq } } as Partial<LeaderState> : s));
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') return;
    useLeader.setState((s) => ((s[key] as Slot<unknown>).seq === seq
      ? { [key]: { ...(s[key] as Slot<unknown>), status: 'error', error: (e as Error).message, seq } } as Partial<LeaderState> : s));
  }
}

const scope = (s: LeaderState) => ({ ...s.period, region: s.region ?? undefined });

export function loadHeadline(): Promise<void> {
  const s = useLeader.getState();
  return loadSlot('headline', () => fetchHeadline(scope(s)));
}

export function loadEvaluation(): Promise<void> {
  const s = useLeader.getState();
  return loadSlot('evaluation', () => fetchEvaluation(s.evalObject, { ...s.period, ...evaluationScope(s) }));
}

/** The evaluation query beyond the period: level and parent region for regions, the post for posts. */
export function evaluationScope(s: Pick<LeaderState, 'evalObject' | 'regionLevel' | 'region' | 'post'>): { level?: RegionLevel; parent?: string; post?: PostType } {
  if (s.evalObject === 'regions') return { level: s.regionLevel, parent: s.region && s.regionLevel !== 'district' ? s.region : undefined };
  if (s.evalObject === 'posts') return { post: s.post };
  return {};
}

export function loadChoropleth(): Promise<void> {
  const s = useLeader.getState();
  return loadSlot('choropleth', () => fetchChoropleth({ ...scope(s), ...s.filters, level: s.statsLevel }));
}

export function loadTrend(): Promise<void> {
  const s = useLeader.getState();
  return loadSlot('trend', () => fetchTrend({ ...scope(s), ...s.filters, bucket: effectiveBucket(s) }));
}

export function loadTop(): Promise<void> {
  const s = useLeader.getState();
  return loadSlot('top', () => fetchTopClasses({ ...scope(s), channel: s.filters.channel, limit: 10 }));
}

/** Counts the simulated and imported cases reported in the period (GET /api/cases?origin=…&from=&to=). */
export function loadHistory(): Promise<void> {
  const s = useLeader.getState();
  const q = { from: s.period.from, to: s.period.to };
  return loadSlot('history', async () => {
    const [simulated, imported] = await Promise.all([countCases({ ...q, origin: 'simulated' }), countCases({ ...q, origin: 'imported' })]);
    return { simulated, imported };
  });
}

/** Opens the list of cases behind a figure (its numerator unless said otherwise), for the current period. The list
 * itself (CaseList) fetches its pages through `drillPage`. */
export function openDrill(source: DrillSource, part: Part = 'numerator'): void {
  useLeader.setState({ drill: { source, period: useLeader.getState().period, part } });
}

/** Switches the open list between numerator and denominator. */
export function moveDrill(change: { part: Part }): void {
  const cur = useLeader.getState().drill;
  if (cur) useLeader.setState({ drill: { ...cur, part: change.part } });
}

/** One page of the cases behind the open figure. */
export function drillPage(d: Drill, page: { limit: number; offset: number }, signal?: AbortSignal): Promise<LeaderCaseList> {
  const src = d.source;
  const q = { ...d.period, part: d.part, limit: page.limit, offset: page.offset };
  return src.kind === 'evaluation'
    ? fetchEvaluationCases(src.object, { ...q, level: src.level, parent: src.parent, post: src.post, key: src.key, indicator: src.indicator }, signal)
    : fetchHeadlineCases({ ...q, region: src.region, indicator: src.indicator }, signal);
}

let cardSeq = 0;
/** Opens the card of an area clicked on the map: a unit grid's card comes from the server, a community's or street's
 * figures are the map's own. */
export async function openCard(props: ChoroplethProps): Promise<void> {
  const level = props.level ?? useLeader.getState().statsLevel;
  const seq = ++cardSeq;
  const grid = level === 'grid';
  useLeader.setState({ card: { code: props.code, level, props, slot: { status: grid ? 'loading' : 'idle', data: null, error: null, seq } } });
  if (!grid) return;
  try {
    const data = await fetchGridCard(props.code, useLeader.getState().period);
    useLeader.setState((s) => (s.card?.slot.seq === seq ? { card: { ...s.card, slot: { status: 'ready', data, error: null, seq } } } : s));
  } catch (e) {
    useLeader.setState((s) => (s.card?.slot.seq === seq ? { card: { ...s.card, slot: { status: 'error', data: null, error: (e as Error).message, seq } } } : s));
  }
}

/** The case summary shape of a grid card's recent cases, for the same list component as the drill-down. */
export type { LeaderCase };
