// Performance evaluation (绩效评价): docs/evaluation.md's formulas, bands, composites and grades. Pure: counts come in,
// scores come out. The counts themselves (which cases are in a numerator or a denominator) are defined once in
// db/evaluation.ts, so a figure and the list of cases behind it always agree.
import { DomainError } from './errors.js';

export const OBJECTS = ['regions', 'departments', 'posts'] as const;
export type EvalObject = (typeof OBJECTS)[number];

export const POSTS = ['inspector', 'operator', 'shift_leader', 'dispatcher'] as const;
export type Post = (typeof POSTS)[number];

export const REGION_LEVELS = ['district', 'street', 'community', 'grid'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

/** rate: score = rate × 100; bad_rate: score = (1 − rate) × 100; count_band: score from the bands of `band`. */
export type IndicatorKind = 'rate' | 'bad_rate' | 'count_band';

/** A band: counts from `min` to `max` (inclusive; null = no upper end) score `score`. */
export type Band = { min: number; max: number | null; score: number };

export type BandSet = 'post_count' | 'department_count' | 'region_class_1' | 'region_class_2';

export type IndicatorSpec = {
  key: string;
  kind: IndicatorKind;
  label_zh: string;
  label_en: string;
  /** For count_band: which bands score it. */
  band?: BandSet;
};

/**
 * Satisfaction (回访, issue 11): satisfied ratings ÷ ratings given in the period (the rated case's region or the
 * department that handled it); average score and count beside it (services/evaluation.ts). The standard gives it no
 * weight: 0 in the composite by default (shown alongside), configurable like every weight; a settings document that
 * leaves it out gives it 0.
 */
const SATISFACTION: IndicatorSpec = { key: 'satisfaction_rate', kind: 'rate', label_zh: '满意率（回访）', label_en: 'Satisfaction (call-backs)' };
/** Indicators a settings document may leave out (weight 0): added after the standard's. */
export const OPTIONAL_WEIGHTS: readonly string[] = ['satisfaction_rate'];

/** The indicators of each group (docs/evaluation.md), in display order. Weights are in the settings. */
export const INDICATORS: Record<'regions' | 'departments' | Post, readonly IndicatorSpec[]> = {
  regions: [
    { key: 'public_report_rate', kind: 'bad_rate', label_zh: '公众举报率', label_en: 'Public-report rate' },
    { key: 'filed_count', kind: 'count_band', band: 'region_class_1', label_zh: '立案数（每网格）', label_en: 'Filed per unit grid' },
    { key: 'closing_rate', kind: 'rate', label_zh: '结案率', label_en: 'Closing rate' },
    { key: 'on_time_closing_rate', kind: 'rate', label_zh: '按期结案率', label_en: 'On-time closing rate' },
    SATISFACTION,
  ],
  departments: [
    { key: 'filed_count', kind: 'count_band', band: 'department_count', label_zh: '立案数', label_en: 'Filed cases' },
    { key: 'closing_rate', kind: 'rate', label_zh: '结案率', label_en: 'Closing rate' },
    { key: 'on_time_handling_rate', kind: 'rate', label_zh: '按期处置率', label_en: 'On-time handling rate' },
    { key: 'rework_rate', kind: 'bad_rate', label_zh: '返工率', label_en: 'Rework rate' },
    SATISFACTION,
  ],
  inspector: [
    { key: 'valid_report_rate', kind: 'rate', label_zh: '有效上报率', label_en: 'Valid-report rate' },
    { key: 'missed_report_rate', kind: 'bad_rate', label_zh: '漏报率', label_en: 'Missed-report rate' },
    { key: 'on_time_verify_rate', kind: 'rate', label_zh: '按时核实率', label_en: 'On-time verify rate' },
    { key: 'on_time_check_rate', kind: 'rate', label_zh: '按时核查率', label_en: 'On-time check rate' },
  ],
  operator: [
    { key: 'accepted_count', kind: 'count_band', band: 'post_count', label_zh: '受理数', label_en: 'Accepted reports' },
    { key: 'on_time_verify_dispatch_rate', kind: 'rate', label_zh: '核实派发及时率', label_en: 'On-time verify dispatch' },
    { key: 'on_time_check_dispatch_rate', kind: 'rate', label_zh: '核查派发及时率', label_en: 'On-time check dispatch' },
  ],
  shift_leader: [
    { key: 'on_time_filing_rate', kind: 'rate', label_zh: '按时立案率', label_en: 'On-time filing rate' },
    { key: 'accurate_filing_rate', kind: 'rate', label_zh: '立案准确率', label_en: 'Accurate filing rate' },
    { key: 'on_time_closing_rate', kind: 'rate', label_zh: '按时结案率', label_en: 'On-time closing rate' },
  ],
  dispatcher: [
    { key: 'dispatch_count', kind: 'count_band', band: 'post_count', label_zh: '派遣数', label_en: 'Dispatches' },
    { key: 'on_time_dispatch_rate', kind: 'rate', label_zh: '按时派遣率', label_en: 'On-time dispatch rate' },
    { key: 'accurate_dispatch_rate', kind: 'rate', label_zh: '派遣准确率', label_en: 'Accurate dispatch rate' },
  ],
};

export type Grade = 'A' | 'B' | 'C' | 'D' | 'E';

export type EvaluationSettings = {
  /** Weights per group, indicator key → weight; each group's weights sum to 1. */
  weights: Record<'regions' | 'departments' | Post, Record<string, number>>;
  bands: Record<BandSet, Band[]>;
  /** Grade thresholds, best first: a composite ≥ min gets the grade. */
  grades: { grade: Grade; min: number }[];
  /** Region class (1 or 2) of region codes; regions not listed are class 1 (docs/evaluation.md §Regions). */
  region_classes: Record<string, 1 | 2>;
};

/** docs/evaluation.md's defaults. */
export const DEFAULT_SETTINGS: EvaluationSettings = {
  weights: {
    regions: { public_report_rate: 0.1, filed_count: 0.2, closing_rate: 0.3, on_time_closing_rate: 0.4, satisfaction_rate: 0 },
    departments: { filed_count: 0.1, closing_rate: 0.3, on_time_handling_rate: 0.3, rework_rate: 0.3, satisfaction_rate: 0 },
    inspector: { valid_report_rate: 0.4, missed_report_rate: 0.2, on_time_verify_rate: 0.2, on_time_check_rate: 0.2 },
    operator: { accepted_count: 0.25, on_time_verify_dispatch_rate: 0.4, on_time_check_dispatch_rate: 0.35 },
    shift_leader: { on_time_filing_rate: 0.25, accurate_filing_rate: 0.4, on_time_closing_rate: 0.35 },
    dispatcher: { dispatch_count: 0.2, on_time_dispatch_rate: 0.4, accurate_dispatch_rate: 0.4 },
  },
  bands: {
    post_count: [
      { min: 2001, max: null, score: 100 }, { min: 1201, max: 2000, score: 90 }, { min: 501, max: 1200, score: 75 },
      { min: 301, max: 500, score: 60 }, { min: 101, max: 300, score: 40 }, { min: 0, max: 100, score: 0 },
    ],
    department_count: [
      { min: 0, max: 50, score: 100 }, { min: 51, max: 100, score: 90 }, { min: 101, max: 200, score: 75 },
      { min: 201, max: 500, score: 60 }, { min: 501, max: 1000, score: 40 }, { min: 1001, max: null, score: 0 },
    ],
    region_class_1: [
      { min: 0, max: 0, score: 100 }, { min: 1, max: 2, score: 90 }, { min: 3, max: 4, score: 75 },
      { min: 5, max: 6, score: 60 }, { min: 7, max: 8, score: 40 }, { min: 9, max: null, score: 0 },
    ],
    region_class_2: [
      { min: 0, max: 0, score: 100 }, { min: 1, max: 3, score: 90 }, { min: 4, max: 5, score: 75 },
      { min: 6, max: 7, score: 60 }, { min: 8, max: 9, score: 40 }, { min: 10, max: null, score: 0 },
    ],
  },
  grades: [{ grade: 'A', min: 90 }, { grade: 'B', min: 75 }, { grade: 'C', min: 60 }, { grade: 'D', min: 40 }, { grade: 'E', min: 0 }],
  region_classes: {},
};

/**
 * The score of a count by bands. Counts between two bands' integer ranges (a per-grid average such as 2.5 with bands
 * 1–2 and 3–4) take the band whose `min` is the largest one not above the count.
 */
export function bandScore(count: number, bands: readonly Band[]): number {
  const sorted = [...bands].sort((a, b) => b.min - a.min);
  const band = sorted.find((b) => count >= b.min) ?? sorted[sorted.length - 1];
  return band.score;
}

export type Figure = {
  numerator: number;
  /** null for count_band indicators without a denominator. */
  denominator: number | null;
  /** numerator ÷ denominator; null = no data (zero denominator). For regions' filed_count: per unit grid. */
  rate: number | null;
  score: number | null;
  weight: number;
  /** The weight after renormalising over the indicators with data (0 for no data). */
  used_weight: number;
};

/** Score of a rate (docs/evaluation.md §Rules); null when there is no data. */
export function rateScore(kind: 'rate' | 'bad_rate', numerator: number, denominator: number): { rate: number | null; score: number | null } {
  if (!(denominator > 0)) return { rate: null, score: null };
  const rate = numerator / denominator;
  return { rate, score: kind === 'rate' ? rate * 100 : (1 - rate) * 100 };
}

export type Counts = Record<string, { numerator: number; denominator: number | null }>;

/**
 * The figures, composite and grade of one row from its counts. count_band indicators: `numerator` is the count and
 * `denominator` the number it is averaged over (unit grids of a region), or null.
 */
export function scoreRow(
  specs: readonly IndicatorSpec[], counts: Counts, weights: Record<string, number>, settings: EvaluationSettings,
  bandsFor: (spec: IndicatorSpec) => readonly Band[] = (s) => settings.bands[s.band!],
): { indicators: Record<string, Figure>; composite: number | null; grade: Grade | null } {
  const indicators: Record<string, Figure> = {};
  for (const spec of specs) {
    const c = counts[spec.key] ?? { numerator: 0, denominator: spec.kind === 'count_band' ? null : 0 };
    const weight = weights[spec.key] ?? 0;
    if (spec.kind === 'count_band') {
      const per = c.denominator === null ? c.numerator : c.denominator > 0 ? c.numerator / c.denominator : null;
      indicators[spec.key] = { numerator: c.numerator, denominator: c.denominator, rate: per, score: per === null ? null : bandScore(per, bandsFor(spec)), weight, used_weight: 0 };
    } else {
      const { rate, score } = rateScore(spec.kind, c.numerator, c.denominator ?? 0);
      indicators[spec.key] = { numerator: c.numerator, denominator: c.denominator ?? 0, rate, score, weight, used_weight: 0 };
    }
  }
  const { composite, used } = compositeOf(Object.entries(indicators).map(([k, f]) => ({ key: k, score: f.score, weight: f.weight })));
  for (const [k, w] of Object.entries(used)) indicators[k].used_weight = w;
  return { indicators, composite, grade: composite === null ? null : gradeOf(composite, settings.grades) };
}

/** Weighted sum of the scores with data, weights renormalised over them; null when none has data. */
export function compositeOf(items: readonly { key: string; score: number | null; weight: number }[]): { composite: number | null; used: Record<string, number> } {
  const withData = items.filter((i) => i.score !== null && i.weight > 0);
  const total = withData.reduce((s, i) => s + i.weight, 0);
  const used: Record<string, number> = Object.fromEntries(items.map((i) => [i.key, 0]));
  if (!(total > 0)) return { composite: null, used };
  let sum = 0;
  for (const i of withData) {
    used[i.key] = i.weight / total;
    sum += (i.score as number) * used[i.key];
  }
  return { composite: sum, used };
}

/** A ≥ 90 · B 75–90 · C 60–75 · D 40–60 · E < 40 (with the default thresholds). */
export function gradeOf(score: number, grades: EvaluationSettings['grades'] = DEFAULT_SETTINGS.grades): Grade {
  const sorted = [...grades].sort((a, b) => b.min - a.min);
  return (sorted.find((g) => score >= g.min) ?? sorted[sorted.length - 1]).grade;
}

/**
 * Checks settings an admin sends; every problem at once, keyed by path.
 * @throws DomainError bad_request
 */
export function validateSettings(input: unknown): EvaluationSettings {
  const problems: Record<string, string> = {};
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!obj(input)) throw new DomainError('bad_request', 'The settings must be an object with weights, bands, grades and region_classes');
  const s = input as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!['weights', 'bands', 'grades', 'region_classes'].includes(k)) problems[k] = 'is not a setting';
  const weights = obj(s.weights) ? s.weights : (problems.weights = 'must be an object of groups', {});
  for (const [group, specs] of Object.entries(INDICATORS)) {
    const w = (weights as Record<string, unknown>)[group];
    if (!obj(w)) { problems[`weights.${group}`] = 'is required: an object of indicator → weight'; continue; }
    let sum = 0;
    for (const spec of specs) {
      const v = w[spec.key];
      if (v === undefined && OPTIONAL_WEIGHTS.includes(spec.key)) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) problems[`weights.${group}.${spec.key}`] = 'must be a number from 0 to 1';
      else sum += v;
    }
    for (const k of Object.keys(w)) if (!specs.some((sp) => sp.key === k)) problems[`weights.${group}.${k}`] = `is not an indicator of ${group}`;
    if (Math.abs(sum - 1) > 1e-6 && !Object.keys(problems).some((p) => p.startsWith(`weights.${group}.`))) {
      problems[`weights.${group}`] = `weights must add up to 1 (they add up to ${Math.round(sum * 1e6) / 1e6})`;
    }
  }
  const bands = obj(s.bands) ? s.bands : (problems.bands = 'must be an object of band sets', {});
  for (const set of Object.keys(DEFAULT_SETTINGS.bands) as BandSet[]) {
    const list = (bands as Record<string, unknown>)[set];
    if (!Array.isArray(list) || list.length === 0 || list.length > 20) { problems[`bands.${set}`] = 'must be a list of 1 to 20 bands { min, max, score }'; continue; }
    list.forEach((b, i) => {
      const ok = obj(b) && typeof b.min === 'number' && b.min >= 0 && Number.isFinite(b.min)
        && (b.max === null || (typeof b.max === 'number' && b.max >= b.min))
        && typeof b.score === 'number' && b.score >= 0 && b.score <= 100;
      if (!ok) problems[`bands.${set}[${i}]`] = 'must be { min ≥ 0, max ≥ min or null, score 0–100 }';
    });
    if (!problems[`bands.${set}`] && !list.some((b) => obj(b) && b.min === 0)) problems[`bands.${set}`] = 'must have a band starting at 0';
  }
  const grades = s.grades;
  const GRADES: Grade[] = ['A', 'B', 'C', 'D', 'E'];
  if (!Array.isArray(grades) || grades.length !== 5 || !grades.every((g, i) => obj(g) && g.grade === GRADES[i] && typeof g.min === 'number' && g.min >= 0 && g.min <= 100)
    || !grades.every((g, i) => i === 0 || (g as { min: number }).min < (grades[i - 1] as { min: number }).min) || (grades[4] as { min: number }).min !== 0) {
    problems.grades = 'must be five grades A–E with decreasing min scores, E at 0';
  }
  const rc = s.region_classes ?? {};
  if (!obj(rc)) problems.region_classes = 'must be an object of region code → 1 or 2';
  else for (const [code, v] of Object.entries(rc)) {
    if (!/^[0-9]{6,15}$/.test(code) || (v !== 1 && v !== 2)) problems[`region_classes.${code}`] = 'must map a region code to 1 or 2';
  }
  const keys = Object.keys(problems);
  if (keys.length) throw new DomainError('bad_request', `Invalid evaluation settings: ${keys.slice(0, 5).map((k) => `${k} ${problems[k]}`).join('; ')}`, problems);
  return { weights: s.weights, bands: s.bands, grades: s.grades, region_classes: rc } as EvaluationSettings;
}

/** The headline indicators the seeds report for Dongcheng (docs/evaluation.md §Headline). */
export const DONGCHENG_REFERENCE = { discovery_rate: 0.9, dispatch_accuracy: 0.98, avg_handling_hours: 13.5, closing_rate: 0.95 } as const;

/** A period of local dates: both inclusive, at most five years. @throws DomainError bad_request naming the field */
export function parsePeriod(from: unknown, to: unknown): { from: string; to: string; days: number } {
  const re = /^\d{4}-\d{2}-\d{2}$/;
  const valid = (v: unknown) => typeof v === 'string' && re.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;
  if (!valid(from)) throw new DomainError('bad_request', `from must be a date YYYY-MM-DD, got "${String(from ?? '')}"`, { from: 'must be a date YYYY-MM-DD' });
  if (!valid(to)) throw new DomainError('bad_request', `to must be a date YYYY-MM-DD, got "${String(to ?? '')}"`, { to: 'must be a date YYYY-MM-DD' });
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days < 1) throw new DomainError('bad_request', `from (${from}) is after to (${to})`, { from: 'must not be after to' });
  if (days > 5 * 366) throw new DomainError('bad_request', `The period ${from} … ${to} is longer than five years; choose a shorter one`, { to: 'at most five years after from' });
  return { from: from as string, to: to as string, days };
}
