// Decoding MVT bytes for assertions, and the tile of a lon/lat.
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';

export type DecodedFeature = { type: number; properties: Record<string, unknown>; bbox: [number, number, number, number] };

export function decodeTile(buf: Buffer): Record<string, DecodedFeature[]> {
  const tile = new VectorTile(new PbfReader(buf) as never);
  const out: Record<string, DecodedFeature[]> = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    out[name] = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      const pts = f.loadGeometry().flat();
      const xs = pts.map((p) => p.x);
      const ys = pts.map((p) => p.y);
      out[name].push({
        type: f.type, properties: f.properties as Record<string, unknown>,
        bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
      });
    }
  }
  return out;
}

/**
 * The tile's content, its order left out: per layer, each feature (type, properties, every vertex) as text, sorted.
 * Two tiles with equal contents draw the same map; a tile drawn from several Citus shards gets its features in the
 * order the shards answered, so its bytes may differ from one drawn on one node while its content does not.
 */
export function tileContent(buf: Buffer): Record<string, string[]> {
  const tile = new VectorTile(new PbfReader(buf) as never);
  const out: Record<string, string[]> = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    const features: string[] = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      const props = Object.fromEntries(Object.entries(f.properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      features.push(JSON.stringify([f.type, props, f.loadGeometry().map((ring) => ring.map((p) => [p.x, p.y]))]));
    }
    out[name] = features.sort();
  }
  return out;
}

export function tileOf(lon: number, lat: number, z: number): { z: number; x: number; y: number } {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return { z, x, y };
}
