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

/**
 * The fields `names` of each row of COPY text in `columns`, read back by a writer that sent it (what it changed:
 * the per-grid counts, the tiles). Rows short of `columns` (the text's trailing empty line) are skipped; the fields
 * stay as COPY writes them (`\N` for null; codes, numbers, timestamps and EWKT need no unescaping).
 * @throws when `columns` lacks one of `names`, saying that a COPY into `table` without it cannot do `purpose`
 */
export function copyFields(columns: readonly string[], text: string, names: readonly string[], table: string, purpose: string): string[][] {
  const at = names.map((c) => {
    const i = columns.indexOf(c);
    if (i < 0) throw new Error(`a COPY into ${table} without ${c} cannot ${purpose}`);
    return i;
  });
  const out: string[][] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const f = text.slice(start, end).split('\t');
    start = end + 1;
    if (f.length >= columns.length) out.push(at.map((i) => f[i]));
  }
  return out;
}
