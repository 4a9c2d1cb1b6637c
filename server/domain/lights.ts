// Traffic lights, docs/workflow.md §Time (vendor default, configurable per city): green while time used ≤ 80 % of the
// step limit, yellow up to 100 %, red beyond. Pure; the same thresholds are written out for SQL below.
export type Light = 'green' | 'yellow' | 'red';
export const LIGHTS: readonly Light[] = ['green', 'yellow', 'red'];

/** Share of the limit after which the light turns yellow (vendor default). */
export const YELLOW_AT = 0.8;

/**
 * Green up to `yellowAt` of the limit, yellow up to 100 %, red beyond; `used` and `limit` in the same unit (e.g.
 * working minutes of the step's clock, calendar.ts `elapsedMinutes` and `limitMinutes`).
 * Compares `used > limit * yellowAt` rather than `used / limit > yellowAt` so that SQL (below) computes the very
 * same floating-point products and the boundaries agree exactly (80 of 100 is green, 100 of 100 is yellow).
 * @example trafficLight(81, 100) // 'yellow'
 */
export function trafficLight(used: number, limit: number, yellowAt = YELLOW_AT): Light {
  assertThresholds(limit, yellowAt);
  return used > limit ? 'red' : used > limit * yellowAt ? 'yellow' : 'green';
}

/** Overtime multiple (超时倍数) = time used ÷ limit; above 1 means overdue. */
export function overtimeMultiple(used: number, limit: number): number {
  if (!(limit > 0)) throw new RangeError(`limit must be positive, got ${limit}`);
  return used / limit;
}

/**
 * The light as a SQL expression over two numeric expressions (used and limit in the same unit): the same
 * comparisons as `trafficLight`. Pass only column names or `$n` parameters, never user input.
 * @example lightSqlExpression('used_minutes', 'limit_minutes')
 *   // (case when (used_minutes) > (limit_minutes) then 'red' when (used_minutes) > (limit_minutes) * 0.8 then 'yellow' else 'green' end)
 */
export function lightSqlExpression(usedExpr: string, limitExpr: string, yellowAt = YELLOW_AT): string {
  assertThresholds(1, yellowAt);
  return `(case when (${usedExpr}) > (${limitExpr}) then 'red' when (${usedExpr}) > (${limitExpr}) * ${sqlNumber(yellowAt)} then 'yellow' else 'green' end)`;
}

/**
 * The light as a SQL expression over instants, for filtering lists and tiles without working-time arithmetic in SQL:
 * store `yellow_at` = calendar `deadline(…, { share: 0.8, edge: 'last' })` and `red_at` = `deadline(…, { edge: 'last' })`
 * when the step starts (and again on extension or resume); then `now > red_at` holds exactly when
 * `trafficLight(used, limit)` is red, and likewise for yellow.
 * @example lightAtSqlExpression('$1', 'yellow_at', 'red_at')
 */
export function lightAtSqlExpression(nowExpr: string, yellowAtExpr: string, redAtExpr: string): string {
  return `(case when (${nowExpr}) > (${redAtExpr}) then 'red' when (${nowExpr}) > (${yellowAtExpr}) then 'yellow' else 'green' end)`;
}

function assertThresholds(limit: number, yellowAt: number): void {
  if (!(limit > 0)) throw new RangeError(`limit must be positive, got ${limit}`);
  if (!(yellowAt > 0 && yellowAt <= 1)) throw new RangeError(`yellowAt must be in (0, 1], got ${yellowAt}`);
}

/** A finite number as a SQL literal (no exponent notation). */
function sqlNumber(n: number): string {
  const s = String(n);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(s)) throw new RangeError(`${n} cannot be written as a plain SQL number`);
  return s;
}
