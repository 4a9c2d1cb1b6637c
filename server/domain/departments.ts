// Default department names from the standard tables' `typical_department` column (a suggestion, not standard text).

/**
 * The department a class defaults to: the first alternative of `typical_department`, e.g.
 * "water utility 供水企业 / 水务局" → "water utility 供水企业"; "roads / traffic police" → "roads".
 * @example defaultDepartmentName('traffic police 交警 / roads') // 'traffic police 交警'
 */
export function defaultDepartmentName(typical: string | null): string | null {
  if (!typical) return null;
  const first = typical.split(/[\/;]/)[0].trim();
  return first || null;
}
