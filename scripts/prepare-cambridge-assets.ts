// Copies the Cambridge asset inventories the demo imports into data/cambridge/, keeping the properties the import
// maps and rounding coordinates to 7 decimals (~1 cm). Source: ../shared/data/cambridge-ma (City of Cambridge GIS, PDDL).
//   npx tsx scripts/prepare-cambridge-assets.ts [SOURCE_DIR]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const src = process.argv[2] ?? '../shared/data/cambridge-ma';
const FILES: [string, string, string[]][] = [
  ['INFRA_Hydrants.geojson', 'hydrants.geojson', ['GlobalID', 'HYDRANT_ID', 'LIFECYCLESTATUS', 'HYDRANT_MANF', 'HYDRANT_GPM', 'INSTALLDATE', 'ContractAuthority']],
  ['INFRA_StreetLights.geojson', 'streetlights.geojson', ['PoleID', 'StreetName', 'StreetSuffix', 'Description', 'NumLamps', 'Owner', 'LEDchk']],
  ['DPW_LitterBarrels.geojson', 'litter-barrels.geojson', ['GlobalID', 'OWNER', 'TYPE', 'LOCATION']],
];
const round = (v: number) => Math.round(v * 1e7) / 1e7;
for (const [from, to, keep] of FILES) {
  const fc = JSON.parse(readFileSync(join(src, from), 'utf8'));
  const features = fc.features.map((f: { properties: Record<string, unknown>; geometry: { type: string; coordinates: number[] } | null }) => ({
    type: 'Feature',
    properties: Object.fromEntries(keep.filter((k) => f.properties[k] != null).map((k) => [k, f.properties[k]])),
    geometry: f.geometry && { type: f.geometry.type, coordinates: f.geometry.coordinates.map(round) },
  }));
  writeFileSync(join('data/cambridge', to), JSON.stringify({ type: 'FeatureCollection', features }) + '\n');
  console.log(`${to}: ${features.length} features`);
}
