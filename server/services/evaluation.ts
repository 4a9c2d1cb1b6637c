// Evaluation (绩效评价) use cases: the ranked rows of regions, departments and posts, the headline indicators, and the
// cases behind any figure. Counts come from db/evaluation.ts (one definition per indicator), scores from
// domain/evaluation.ts; the settings in force are the newest stored version, or docs/evaluation.md's defaults.
import type { Queryable } from '../db/types.js';
import * as ev from '../db/evaluation.js';
import * as ratings from '../db/ratings.js';
import { satisfactionOf } from '../domain/satisfaction.js';
import { DomainError } from '../domain/errors.js';
import {
  DEFAULT_SETTINGS, DONGCHENG_REFERENCE, INDICATORS, POSTS, REGION_LEVELS, parsePeriod, rateScore, scoreRow, validateSettings,
  type EvalObject, type EvaluationSettings, type IndicatorSpec, type Post, type RegionLevel,
} from '../domain/evaluation.js';
import { localTime } from '../domain/calendar.js';
import { caseView, type CaseUser } from './cases.js';
import { workOf, type WorkRules } from './work-rules.js';
import { userDistrict, type ScopedUser } from './visibility.js';
import { keptRegion } from '../domain/exports.js';

export type EvalDeps = { db: Queryable; clock: { now(): Date }; work: WorkRules };

export type EvalQuery = {
  from?: string; to?: string; level?: string; parent?: string; post?: string; region?: string;
  /** Departments and posts: count only this district's cases (a user kept to a district, issue 12; services/exports.ts). */
  district?: string | null;
};

/**
 * The query of an evaluation by `user` (issue 12): for a user kept to a district, regions within it (`parent`, else
 * the district itself), departments and posts counted over its cases only (`district`), a drill's row (`key`) a
 * region of it; a user of every district gets what it asked for.
 * @throws DomainError forbidden (403) for a parent or row key of another district, naming both
 */
export async function keptEvalQuery<Q extends EvalQuery & { key?: string }>(db: Queryable, user: ScopedUser, object: EvalObject, q: Q): Promise<Q> {
  const district = await userDistrict(db, user);
  if (!district) return q;
  if (object !== 'regions') return { ...q, district };
  const kept = { ...q, parent: keptRegion(district, q.parent, 'parent') };
  return q.key ? { ...kept, key: keptRegion(district, q.key, 'key') } : kept;
}

export type SettingsInForce = EvaluationSettings & { version: number; source: 'default' | 'stored' };

export async function settingsInForce(db: Queryable): Promise<SettingsInForce> {
  const row = await ev.latestSettings(db);
  if (!row) return { ...DEFAULT_SETTINGS, version: 0, source: 'default' };
  return { ...(row.settings as EvaluationSettings), version: row.version, source: 'stored' };
}

/** Stores new weights and bands (admin); answers the version now in force. */
export async function saveSettings(deps: EvalDeps, userId: number, input: unknown): Promise<SettingsInForce> {
  const settings = validateSettings(input);
  const version = await deps.db.transaction((tx) => ev.saveSettings(tx, settings, userId));
  return { ...settings, version, source: 'stored' };
}

/**
 * The period's instants in the calendar's zone: [from 00:00, the day after to 00:00). The calendar of the district
 * evaluated (q.district, else that of q.region or q.parent; issue 12), else the first district's.
 */
export function periodOf(deps: EvalDeps, q: EvalQuery): { from: string; to: string; days: number; period: ev.Period } {
  const p = parsePeriod(q.from, q.to);
  const next = new Date(Date.parse(`${p.to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const cal = workOf(deps.work, (q.district || q.region || q.parent)?.slice(0, 6)).calendar;
  return {
    ...p,
    period: { start: localTime(cal, `${p.from} 00:00`), end: localTime(cal, `${next} 00:00`), now: deps.clock.now() },
  };
}

function levelOf(v: string | undefined, fallback: RegionLevel): RegionLevel {
  if (v === undefined) return fallback;
  if (!(REGION_LEVELS as readonly string[]).includes(v)) {
    throw new DomainError('bad_request', `level must be one of ${REGION_LEVELS.join(', ')}, got "${v}"`, { level: `must be one of ${REGION_LEVELS.join(', ')}` });
  }
  return v as RegionLevel;
}

function postOf(v: string | undefined): Post {
  if (v === undefined) return 'inspector';
  if (!(POSTS as readonly string[]).includes(v)) {
    throw new DomainError('bad_request', `post must be one of ${POSTS.join(', ')}, got "${v}"`, { post: `must be one of ${POSTS.join(', ')}` });
  }
  return v as Post;
}

async function regionScope(db: Queryable, code: string | undefined, field: string): Promise<{ column: string; code: string } | undefined> {
  if (code === undefined || code === '') return undefined;
  const level = ({ 6: 'district', 9: 'street', 12: 'community', 15: 'grid' } as Record<number, RegionLevel>)[code.length];
  if (!/^[0-9]+$/.test(code) || !level || !(await ev.regionExists(db, code))) {
    throw new DomainError('bad_request', `${field} "${code}" is not the code of a district, street, community or unit grid of this system`, { [field]: 'unknown region code' });
  }
  return { column: ev.REGION_KEY[level], code };
}

type Group = { specs: readonly IndicatorSpec[]; defs: Record<string, ev.IndicatorSql>; weights: Record<string, number>; group: 'regions' | 'departments' | Post };

function groupOf(object: EvalObject, q: EvalQuery, settings: EvaluationSettings): Group & { level: RegionLevel | null; post: Post | null } {
  if (object === 'regions') {
    const level = levelOf(q.level, 'street');
    return { specs: INDICATORS.regions, defs: ev.regionIndicators(level), weights: settings.weights.regions, group: 'regions', level, post: null };
  }
  if (object === 'departments') {
    return { specs: INDICATORS.departments, defs: ev.DEPARTMENT_INDICATORS, weights: settings.weights.departments, group: 'departments', level: null, post: null };
  }
  const post = postOf(q.post);
  return { specs: INDICATORS[post], defs: ev.POST_INDICATORS[post], weights: settings.weights[post], group: post, level: null, post };
}

/** The region class (1 or 2) of a region: its own setting, else its nearest parent's, else 1. */
function regionClass(settings: EvaluationSettings, code: string): 1 | 2 {
  for (const len of [15, 12, 9, 6]) {
    const c = settings.region_classes[code.slice(0, len)];
    if (code.length >= len && c) return c;
  }
  return 1;
}

/** GET /api/evaluation/{object}: every object's figures, composite and grade, best first. */
export async function evaluate(deps: EvalDeps, object: EvalObject, q: EvalQuery) {
  const { from, to, period } = periodOf(deps, q);
  const settings = await settingsInForce(deps.db);
  const g = groupOf(object, q, settings);
  const parent = object === 'regions' ? await regionScope(deps.db, q.parent, 'parent')
    : q.district ? { column: ev.REGION_KEY.district, code: q.district } : undefined;
  const objects: { key: string; name: string; grids?: number }[] = object === 'regions' ? await ev.regionsOf(deps.db, g.level!, parent?.code ?? null)
    : object === 'departments' ? await ev.departmentsAll(deps.db) : await ev.postHolders(deps.db, g.post!, q.district ?? null);
  const extras = object === 'departments' ? new Map<string, Record<string, number | null>>() : null;
  const byIndicator = await ev.countsMany(deps.db, g.defs, period, parent, extras ? { with: 'filed_count', columns: ev.DEPARTMENT_EXTRAS, into: extras } : undefined);
  // Satisfaction (回访): count and average score beside the satisfied rate (the indicator satisfaction_rate).
  const sat = object === 'posts' ? null : await ratings.satisfactionBy(deps.db, object === 'departments' ? 'department' : g.level!, period, parent);

  const rows = objects.map((o) => {
    const counts: Record<string, { numerator: number; denominator: number | null }> = {};
    for (const spec of g.specs) {
      const c = byIndicator.get(spec.key)!.get(o.key) ?? { numerator: 0, denominator: 0 };
      counts[spec.key] = spec.kind === 'count_band'
        ? { numerator: c.denominator, denominator: object === 'regions' ? (o.grids ?? 0) : null }
        : c;
    }
    const scored = scoreRow(g.specs, counts, g.weights, settings, (spec) =>
      object === 'regions' && spec.band === 'region_class_1' ? settings.bands[regionClass(settings, o.key) === 2 ? 'region_class_2' : 'region_class_1'] : settings.bands[spec.band!]);
    return {
      key: o.key, name: o.name, level: g.level, post: g.post,
      ...(object === 'regions' ? { grids: (o.grids ?? 0), region_class: regionClass(settings, o.key) } : {}),
      ...scored,
      ...(sat ? { satisfaction: satisfactionOf(sat.get(o.key) ?? { count: 0, score_sum: 0, satisfied: 0 }) } : {}),
      extra: extras ? (extras.get(o.key) ?? Object.fromEntries(Object.keys(ev.DEPARTMENT_EXTRAS).map((k) => [k, k.startsWith('avg') ? null : 0]))) : null,
    };
  });
  rows.sort((a, b) => (b.composite ?? -1) - (a.composite ?? -1) || a.key.localeCompare(b.key));
  return {
    object, from, to, level: g.level, post: g.post, parent: parent?.code ?? null,
    settings: { version: settings.version, source: settings.source, weights: g.weights, bands: settings.bands, grades: settings.grades },
    indicators: g.specs.map((s) => ({ ...s, weight: g.weights[s.key] ?? 0 })),
    rows,
  };
}

function indicatorOf<T>(defs: Record<string, T>, key: string | undefined): T {
  if (!key || !Object.hasOwn(defs, key)) {
    throw new DomainError('bad_request', `indicator must be one of ${Object.keys(defs).join(', ')}, got "${key ?? ''}"`, { indicator: `must be one of ${Object.keys(defs).join(', ')}` });
  }
  return defs[key];
}

function partOf(v: string | undefined): 'numerator' | 'denominator' {
  if (v === undefined || v === 'numerator' || v === 'denominator') return v ?? 'denominator';
  throw new DomainError('bad_request', `part must be numerator or denominator, got "${v}"`, { part: 'must be numerator or denominator' });
}

export type DrillQuery = EvalQuery & { key?: string; indicator?: string; part?: string; limit?: number; offset?: number };

/** GET /api/evaluation/{object}/cases: exactly the cases behind one figure of one row. */
export async function drillDown(deps: EvalDeps, user: CaseUser, object: EvalObject, q: DrillQuery) {
  const { period } = periodOf(deps, q);
  const settings = await settingsInForce(deps.db);
  const g = groupOf(object, q, settings);
  const def = indicatorOf(g.defs, q.indicator);
  if (!q.key) throw new DomainError('bad_request', 'key is required: the row (region code, department id or user id) whose figure to open', { key: 'is required' });
  if (!(object === 'regions' ? /^[0-9]{6,15}$/ : /^[1-9][0-9]{0,17}$/).test(q.key)) {
    throw new DomainError('bad_request', `key "${q.key}" is not ${object === 'regions' ? 'a region code' : object === 'departments' ? 'a department id' : 'a user id'}`, { key: 'malformed' });
  }
  const parent = object === 'regions' ? await regionScope(deps.db, q.parent, 'parent')
    : q.district ? { column: ev.REGION_KEY.district, code: q.district } : undefined;
  const r = await ev.drill(deps.db, def, period, { key: q.key, part: partOf(q.part), limit: q.limit ?? 50, offset: q.offset ?? 0, scope: parent });
  return { items: r.items.map((c) => caseView(c, user)), total: r.total, events: r.events };
}

const HEADLINE_KEYS = ['discovery_rate', 'dispatch_accuracy', 'suggestion_accuracy', 'closing_rate', 'on_time_closing_rate'] as const;

/** GET /api/evaluation/headline: the four figures the seeds report, for the district or one region. */
export async function headline(deps: EvalDeps, q: EvalQuery) {
  const { from, to, period } = periodOf(deps, q);
  const scope = await regionScope(deps.db, q.region, 'region');
  const defs = ev.headlineIndicators('district');
  const out = {} as Record<(typeof HEADLINE_KEYS)[number], { numerator: number; denominator: number; rate: number | null }>;
  const all = await ev.countsMany(deps.db, Object.fromEntries(HEADLINE_KEYS.map((k) => [k, { ...defs[k], key: `'all'` }])), period, scope);
  for (const k of HEADLINE_KEYS) {
    const c = all.get(k)!.get('all') ?? { numerator: 0, denominator: 0 };
    out[k] = { ...c, rate: rateScore('rate', c.numerator, c.denominator).rate };
  }
  const hours = await ev.handlingHours(deps.db, period, scope);
  return {
    from, to, region: scope?.code ?? null, ...out,
    avg_handling_hours: hours,
    reference: DONGCHENG_REFERENCE,
  };
}

/** GET /api/evaluation/headline/cases: the cases behind a headline figure. */
export async function headlineCases(deps: EvalDeps, user: CaseUser, q: DrillQuery) {
  const { period } = periodOf(deps, q);
  const scope = await regionScope(deps.db, q.region, 'region');
  const def = indicatorOf(ev.headlineIndicators('district'), q.indicator);
  const r = await ev.drill(deps.db, { ...def, key: `'all'` }, period, { key: null, part: partOf(q.part), limit: q.limit ?? 50, offset: q.offset ?? 0, scope });
  return { items: r.items.map((c) => caseView(c, user)), total: r.total, events: r.events };
}
