// COPY text-format encoding of one value (PostgreSQL docs, COPY "Text Format"), and identifier quoting for COPY's
// table and column names, shared by both engines.

/** A double-quoted SQL identifier. */
export function quoteIdent(s: string): string {
  return '"' + s.replace(/"/g, '""') + '"';
}

export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (v instanceof Date) return v.toISOString();
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function copyLine(values: readonly unknown[]): string {
  return values.map(copyValue).join('\t') + '\n';
}
