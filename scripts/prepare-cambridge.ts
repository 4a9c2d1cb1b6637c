// Copies the Cambridge, MA files the grid drawing needs from the shared data set into data/cambridge/, keeping only
// the properties used and rounding coordinates to 7 decimals (about 1 cm), so the repository stays small.
//   npx tsx scripts/prepare-cambridge.ts [--source ../shared/data/cambridge-ma] [--out data/cambridge]
// Source: City of Cambridge GIS (cambridgegis/cambridgegis_data, PDDL 1.0); see data/cambridge/README.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

type Geometry = { type: string; coordinates: unknown };
type Feature = { type: 'Feature'; properties: Record<string, unknown> | null; geometry: Geometry | null };

const FILES: { from: string; to: string; keep: (p: Record<string, unknown>) => Record<string, unknown> }[] = [
  { from: 'BOUNDARY_CityBoundary.geojson', to: 'city.geojson', keep: () => ({}) },
  {
    from: 'BOUNDARY_CDDNeighborhoods.geojson', to: 'neighborhoods.geojson',
    keep: (p) => ({ N_HOOD: Number(p.N_HOOD), NAME: p.NAME }),
  },
  {
    from: 'ELECTIONS_WardsPrecincts.geojson', to: 'precincts.geojson',
    keep: (p) => ({ WardPrecinct: p.WardPrecinct, Ward: Number(p.Ward), Precinct: Number(p.Precinct), TOTALPOP: p.TOTALPOP }),
  },
  { from: 'ADDRESS_MasterAddressBlocks.geojson', to: 'blocks.geojson', keep: (p) => ({ UNQ_ID2: p.UNQ_ID2 }) },
  {
    from: 'TRANS_Centerlines.geojson', to: 'centerlines.geojson',
    keep: (p) => ({ ID: p.ID, Street: p.Street ?? p.Label ?? null, MajorRoad: p.MajorRoad ?? null }),
  },
];

/** Rounds every position to 7 decimals and drops a position equal to the one before it. */
function round(coords: unknown): unknown {
  const list = coords as unknown[];
  if (typeof list[0] === 'number') {
    const [x, y] = list as number[];
    return [Math.round(x * 1e7) / 1e7, Math.round(y * 1e7) / 1e7];
  }
  const out = list.map(round);
  if (Array.isArray(out[0]) && typeof out[0][0] === 'number') {
    const pts = out as number[][];
    return pts.filter((p, i) => i === 0 || p[0] !== pts[i - 1][0] || p[1] !== pts[i - 1][1]);
  }
  return out;
}

function main() {
  const { values } = parseArgs({ options: { source: { type: 'string' }, out: { type: 'string' } } });
  const source = values.source ?? '../shared/data/cambridge-ma';
  const out = values.out ?? 'data/cambridge';
  mkdirSync(out, { recursive: true });
  for (const f of FILES) {
    const fc = JSON.parse(readFileSync(join(source, f.from), 'utf8')) as { features: Feature[] };
    const features = fc.features
      .filter((x) => x.geometry)
      .map((x) => ({ type: 'Feature', properties: f.keep(x.properties ?? {}), geometry: { type: x.geometry!.type, coordinates: round(x.geometry!.coordinates) } }));
    // One feature a line: diffs stay readable and the file stays small.
    const text = '{"type":"FeatureCollection","features":[\n' + features.map((x) => JSON.stringify(x)).join(',\n') + '\n]}\n';
    writeFileSync(join(out, f.to), text);
    console.log(`prepare-cambridge: ${f.to}: ${features.length} features, ${(text.length / 1024).toFixed(0)} KiB`);
  }
}

main();
