// Values as they go on the wire: instants as ISO 8601 strings (docs/style.md: dates in JSON are ISO strings). Services
// hand out database rows with Date objects; a route passes them through `wire` so that what it returns has the type
// of its declared response schema (the type provider checks it) and the text fast-json-stringify writes.

/** T with every Date (at any depth) as its ISO string. */
export type Wire<T> = T extends Date ? string
  : T extends readonly (infer U)[] ? Wire<U>[]
    : T extends object ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** A copy of `v` with every Date replaced by its toISOString(); other values unchanged. */
export function wire<T>(v: T): Wire<T> {
  return convert(v) as Wire<T>;
}

function convert(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(convert);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = convert(x);
    return out;
  }
  return v;
}
