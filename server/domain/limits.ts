// Time limits as data (时限标准): step limits of the centre steps, and handling limits per (class, filing
// condition) with their closing conditions: docs/workflow.md §Time. Pure: the caller reads data/limits/*.json.
import { DomainError } from './errors.js';
import { TIME_UNITS, type Limit } from './calendar.js';
import type { Step } from './workflow.js';

/** A step limit; `file` also has an urgent one (file + dispatch ≤ 10 min). */
export type StepLimit = Limit & { urgent?: Limit; note?: string };

/** The steps with a fixed limit: every step except handling, whose limit comes from the case's class. */
export type CentreStep = Exclude<Step, 'handling'>;
/** workflow.ts STEPS without `handling`, written out so that workflow.ts may import this module (tests/server/domain/transition.test.ts checks). */
export const CENTRE_STEPS: readonly CentreStep[] = ['send_verify', 'verify', 'accept', 'file', 'dispatch', 'send_check', 'check', 'close', 'review'];

/** One filing condition (立案条件) of a class, with its handling limit and closing condition (结案条件). */
export type HandlingCondition = Readonly<{
  class_code: string;
  condition: string;
  condition_zh: string;
  condition_en?: string;
  limit: Limit;
  /** Urgent cases use the urgent file+dispatch limit. */
  urgent: boolean;
  /** The condition used when filing names none; exactly one per class with several conditions. */
  default: boolean;
  closing_zh: string;
  /** `workflow.md` for the spec's examples, `default` for Gridline defaults. */
  basis?: string;
}>;

export type LimitsTable = Readonly<{
  source: string;
  steps: Readonly<Record<CentreStep, StepLimit>>;
  /** An apply_return later than this after dispatch counts as a late return. */
  late_return_after: Limit;
  /** Suspended longer than this = stockpiled (积存). */
  stockpile_after: Limit;
  /** Handling limit of a class with no conditions in the table. */
  fallback_handling: Limit;
  /** Conditions by class code, the default first. */
  handling: ReadonlyMap<string, readonly HandlingCondition[]>;
}>;

export type LoadLimitsOptions = {
  /** Known matter class codes (data/standard/matters.csv); unknown codes in the table are then errors. */
  classCodes?: Iterable<string>;
};

/**
 * Validates a parsed limits file (data/limits/default.json) into a table.
 * @throws DomainError `unprocessable` listing every problem
 */
export function loadLimits(json: unknown, options: LoadLimitsOptions = {}): LimitsTable {
  const problems: string[] = [];
  const o = json as Record<string, any> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new DomainError('unprocessable', 'A limits table must be a JSON object');
  const known = options.classCodes ? new Set(options.classCodes) : null;

  const limit = (v: unknown, where: string): Limit | null => {
    const l = v as Partial<Limit> | null;
    if (!l || typeof l !== 'object') { problems.push(`${where}: a limit is { value, unit }`); return null; }
    let ok = true;
    if (!(TIME_UNITS as readonly unknown[]).includes(l.unit)) { problems.push(`${where}: unit ${JSON.stringify(l.unit)} is not one of ${TIME_UNITS.join(', ')}`); ok = false; }
    if (typeof l.value !== 'number' || !Number.isFinite(l.value) || l.value <= 0) { problems.push(`${where}: value must be a positive number, got ${JSON.stringify(l.value)}`); ok = false; }
    return ok ? { value: l.value!, unit: l.unit! } : null;
  };

  if (typeof o.source !== 'string' || !o.source.trim()) problems.push('source must say where the limits come from');

  const steps: Partial<Record<CentreStep, StepLimit>> = {};
  if (!o.steps || typeof o.steps !== 'object') problems.push('steps must be an object with a limit per step');
  else {
    for (const step of CENTRE_STEPS) {
      if (!(step in o.steps)) { problems.push(`steps.${step} is missing`); continue; }
      const l = limit(o.steps[step], `steps.${step}`);
      const urgent = o.steps[step]?.urgent === undefined ? undefined : limit(o.steps[step].urgent, `steps.${step}.urgent`);
      if (l) steps[step] = { ...l, ...(urgent ? { urgent } : {}), ...(typeof o.steps[step].note === 'string' ? { note: o.steps[step].note } : {}) };
    }
    for (const key of Object.keys(o.steps)) if (!(CENTRE_STEPS as readonly string[]).includes(key)) problems.push(`steps.${key} is not a step (${CENTRE_STEPS.join(', ')})`);
  }
  const late_return_after = limit(o.late_return_after, 'late_return_after');
  const stockpile_after = limit(o.stockpile_after, 'stockpile_after');
  const fallback_handling = limit(o.fallback_handling, 'fallback_handling');

  const byClass = new Map<string, HandlingCondition[]>();
  if (!Array.isArray(o.handling)) problems.push('handling must be an array of conditions');
  else o.handling.forEach((row: Record<string, any>, i: number) => {
    const where = `handling[${i}]`;
    if (!row || typeof row !== 'object') { problems.push(`${where}: must be an object`); return; }
    let ok = true;
    if (typeof row.class_code !== 'string' || !/^[0-9]{5}$/.test(row.class_code)) { problems.push(`${where}: class_code must be 5 digits, got ${JSON.stringify(row.class_code)}`); ok = false; }
    else if (known && !known.has(row.class_code)) { problems.push(`${where}: class_code ${row.class_code} is not a standard matter class`); ok = false; }
    if (typeof row.condition !== 'string' || !/^[a-z0-9_]{1,64}$/.test(row.condition)) { problems.push(`${where}: condition must be an id like "main_road", got ${JSON.stringify(row.condition)}`); ok = false; }
    if (typeof row.condition_zh !== 'string' || !row.condition_zh) { problems.push(`${where}: condition_zh (立案条件) is required`); ok = false; }
    if (typeof row.closing_zh !== 'string' || !row.closing_zh) { problems.push(`${where}: closing_zh (结案条件) is required`); ok = false; }
    if (row.urgent !== undefined && typeof row.urgent !== 'boolean') { problems.push(`${where}: urgent must be true or false`); ok = false; }
    if (row.default !== undefined && typeof row.default !== 'boolean') { problems.push(`${where}: default must be true or false`); ok = false; }
    const l = limit(row.limit, `${where}.limit`);
    if (!ok || !l) return;
    const list = byClass.get(row.class_code) ?? [];
    if (list.some((c) => c.condition === row.condition)) { problems.push(`${where}: ${row.class_code}/${row.condition} is listed twice`); return; }
    list.push(Object.freeze({
      class_code: row.class_code, condition: row.condition, condition_zh: row.condition_zh,
      ...(typeof row.condition_en === 'string' ? { condition_en: row.condition_en } : {}),
      limit: l, urgent: row.urgent ?? false, default: row.default ?? false, closing_zh: row.closing_zh,
      ...(typeof row.basis === 'string' ? { basis: row.basis } : {}),
    }));
    byClass.set(row.class_code, list);
  });
  for (const [code, list] of byClass) {
    const defaults = list.filter((c) => c.default).length;
    if (list.length > 1 && defaults !== 1) problems.push(`class ${code} has ${list.length} conditions and ${defaults} marked default; mark exactly one`);
    if (list.length === 1 && defaults > 1) problems.push(`class ${code}: more than one default`);
  }

  if (problems.length) throw new DomainError('unprocessable', `Limits table is invalid: ${problems.join('; ')}`, { problems });
  const handling = new Map<string, readonly HandlingCondition[]>();
  for (const [code, list] of byClass) handling.set(code, Object.freeze([...list].sort((a, b) => Number(b.default) - Number(a.default))));
  return Object.freeze({
    source: o.source as string,
    steps: Object.freeze(steps as Record<CentreStep, StepLimit>),
    late_return_after: late_return_after!,
    stockpile_after: stockpile_after!,
    fallback_handling: fallback_handling!,
    handling,
  });
}

/** The filing conditions of a class, the default first ([] when the class has none in the table). */
export function conditionsOf(table: LimitsTable, classCode: string): readonly HandlingCondition[] {
  return table.handling.get(classCode) ?? [];
}

export type HandlingLimit = {
  limit: Limit;
  urgent: boolean;
  /** The condition applied, or null when the class has none and the fallback limit is used. */
  condition: HandlingCondition | null;
};

/**
 * The handling limit of a (class, filing condition) pair: the named condition, else the class's default, else the
 * table's fallback.
 * @throws DomainError `unprocessable` when the class has conditions and none of them is `condition`
 * @example handlingLimit(table, '06001', 'demolition').limit // { value: 20, unit: 'working_days' }
 */
export function handlingLimit(table: LimitsTable, classCode: string, condition?: string | null): HandlingLimit {
  const list = conditionsOf(table, classCode);
  if (list.length === 0) {
    if (condition) throw new DomainError('unprocessable', `Class ${classCode} has no filing conditions; file it without one`, { condition: 'unknown for this class' });
    return { limit: table.fallback_handling, urgent: false, condition: null };
  }
  const chosen = condition ? list.find((c) => c.condition === condition) : list[0];
  if (!chosen) {
    throw new DomainError('unprocessable', `Class ${classCode} has no filing condition "${condition}"; choose one of ${list.map((c) => c.condition).join(', ')}`, { condition: 'unknown for this class' });
  }
  return { limit: chosen.limit, urgent: chosen.urgent, condition: chosen };
}

/** The limit of a centre step; `file` takes the urgent limit for urgent cases. */
export function stepLimit(table: LimitsTable, step: CentreStep, options: { urgent?: boolean } = {}): Limit {
  const l = table.steps[step];
  const chosen = options.urgent && l.urgent ? l.urgent : l;
  return { value: chosen.value, unit: chosen.unit };
}
