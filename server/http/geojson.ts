// GeoJSON text assembly: geometry arrives from PostGIS as GeoJSON text and is spliced in, never parsed and re-encoded.
export type FeatureRow = { geometry: string } & Record<string, unknown>;

/** One Feature; `id` becomes the feature id, the other columns (but `geometry`) its properties. */
export function featureText(row: FeatureRow, idKey: string): string {
  const { geometry, ...props } = row;
  return `{"type":"Feature","id":${JSON.stringify(row[idKey])},"geometry":${geometry},"properties":${JSON.stringify(props)}}`;
}

export function featureCollectionText(rows: FeatureRow[], idKey: string, extra: Record<string, unknown> = {}): string {
  const head = Object.entries(extra).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)},`).join('');
  return `{"type":"FeatureCollection",${head}"features":[${rows.map((r) => featureText(r, idKey)).join(',')}]}`;
}
