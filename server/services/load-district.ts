// Bulk loader for a generated district (server/demo/dongcheng.ts): regions, unit grids and components by COPY,
// in one transaction (docs/domain.md §1–3).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import type { Queryable } from '../db/types.js';
import * as demoDb from '../db/demo.js';
import { DomainError } from '../domain/errors.js';
import { generateDistrict, type GeneratedDistrict, type GeneratedRegion, type MultiPolygonCoords } from '../demo/dongcheng.js';

/** Fixed start date of the demo grids and survey date of its components, so two loads are identical. */
export const DEMO_VALID_FROM = '2005-01-01';
const GRID_CHUNK = 20_000;
const COMPONENT_CHUNK = 100_000;
/** While a COPY is in flight, give the event loop a turn this often (rows) so its data keeps streaming. */
const YIELD_EVERY = 5_000;

export type LoadDistrictOptions = {
  /** Called after each chunk with rows (grids + components) written so far and the total. */
  onProgress?(done: number, total: number): void;
  /** valid_from of the grids and survey_date of the components (YYYY-MM-DD); DEMO_VALID_FROM by default. */
  validFrom?: string;
};

export type LoadDistrictSummary = { regions: number; grids: number; components: number; classes: number };

/** EWKT of MultiPolygon coordinates, as COPY text input for a geometry(MultiPolygon, 4326) column. */
export function multiPolygonEwkt(coords: MultiPolygonCoords): string {
  const polys = coords.map((poly) => '(' + poly.map((ring) => '(' + ring.map(([x, y]) => `${x} ${y}`).join(',') + ')').join(',') + ')');
  return `SRID=4326;MULTIPOLYGON(${polys.join(',')})`;
}

/**
 * Writes a generated district in one transaction: the district, street and community regions, the unit grids,
 * the components (COPY in chunks of 100,000, ids `district + class + seq`), then each class's last sequence.
 * The component classes must already be in `classes` (loadClasses). Fails if any grid code already exists.
 */
export async function loadDistrict(db: Queryable, d: GeneratedDistrict, opts: LoadDistrictOptions = {}): Promise<LoadDistrictSummary> {
  const validFrom = opts.validFrom ?? DEMO_VALID_FROM;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(validFrom)) throw new DomainError('bad_request', `validFrom must be a date YYYY-MM-DD; got "${validFrom}"`);
  const districtCode = d.district.code;
  const total = d.grids.length + d.component_total;
  let done = 0;

  return db.transaction(async (tx) => {
    // Regions are few: upsert them, parents first, so regions loaded earlier without geometry get one.
    const levels = [
      [regionRow('district', d.district)],
      d.streets.map((r) => regionRow('street', r)),
      d.communities.map((r) => regionRow('community', r)),
    ];
    for (const rows of levels) await demoDb.upsertRegions(tx, rows);

    // Road centre-lines become places, for the basemap and for naming a case's location.
    await demoDb.insertRoads(tx, d.roads.map((r) => ({ name: r.name, geom: JSON.stringify({ type: 'LineString', coordinates: r.geom }) })));

    for (let i = 0; i < d.grids.length; i += GRID_CHUNK) {
      let text = '';
      for (const g of d.grids.slice(i, i + GRID_CHUNK)) { // demoDb.GRID_COPY_COLUMNS, in order
        text += `${g.code}\t${g.community_code}\t${g.code.slice(0, 9)}\t${g.code.slice(0, 6)}\t${multiPolygonEwkt(g.geom)}\t${g.area_m2}\t${validFrom}\n`;
      }
      await demoDb.copyGrids(tx, text);
      done += Math.min(GRID_CHUNK, d.grids.length - i);
      opts.onProgress?.(done, total);
    }

    // Codes, dates and coordinates are ASCII digits, so rows are written straight into a reused byte buffer (no COPY
    // escaping needed, and far less garbage than growing a string). The next chunk is built while the previous one
    // is being copied, yielding to the event loop now and then so its data keeps streaming.
    const lastSeq = new Map<string, number>();
    const buf = Buffer.allocUnsafe(COMPONENT_CHUNK * 256);
    const it = d.components();
    let finished = false;
    let inFlight: { copy: Promise<void>; rows: number } | null = null;
    while (!finished || inFlight) {
      let bytes = 0;
      let rows = 0;
      while (!finished && rows < COMPONENT_CHUNK && bytes < buf.length - 512) {
        const next = it.next();
        if (next.done) {
          finished = true;
          break;
        }
        const c = next.value;
        const id = districtCode + c.class_code + String(c.seq).padStart(6, '0');
        bytes += buf.write( // demoDb.COMPONENT_COPY_COLUMNS, in order
          `${id}\t${c.class_code}\t${districtCode}\tintact\t${validFrom}\tother\t${c.grid_code}\t${c.community_code}\t${c.street_code}\tSRID=4326;POINT(${c.lon} ${c.lat})\n`,
          bytes,
          'latin1',
        );
        lastSeq.set(c.class_code, c.seq);
        if (++rows % YIELD_EVERY === 0 && inFlight) await setImmediate();
      }
      if (inFlight) {
        await inFlight.copy;
        done += inFlight.rows;
        opts.onProgress?.(done, total);
        inFlight = null;
      }
      if (rows) {
        const copy = demoDb.copyComponents(tx, buf.toString('latin1', 0, bytes));
        copy.catch(() => {}); // awaited on the next round; this only keeps an early failure from counting as unhandled
        inFlight = { copy, rows };
      }
    }

    await demoDb.raiseSequences(tx, districtCode, [...lastSeq].map(([class_code, last_seq]) => ({ class_code, last_seq })));
    return { regions: 1 + d.streets.length + d.communities.length, grids: d.grids.length, components: done - d.grids.length, classes: lastSeq.size };
  });
}

function regionRow(level: 'district' | 'street' | 'community', r: GeneratedRegion): demoDb.RegionRow {
  return { code: r.code, level, name: r.name, parent_code: r.parent_code, geom: multiPolygonEwkt(r.geom), area_m2: r.area_m2 };
}

export type DemoDongchengOptions = LoadDistrictOptions & { seed: number; grids: number; components: number; dataDir?: string };

/** Generates the synthetic Dongcheng from the real street and community codes in `dataDir` (data/dongcheng). */
export function demoDongcheng(opts: { seed: number; grids: number; components: number; dataDir?: string }): GeneratedDistrict {
  const dir = opts.dataDir ?? 'data/dongcheng';
  // The two files have no quoted fields, so a plain split is enough.
  const rows = (file: string) => {
    const [header, ...lines] = readFileSync(join(dir, file), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
    const cols = header.split(',');
    return lines.map((l) => {
      const f = l.split(',');
      return Object.fromEntries(cols.map((c, i) => [c, (f[i] ?? '').trim()])) as Record<string, string>;
    });
  };
  const streetRows = rows('dongcheng_streets.csv');
  const streets = streetRows.map((r) => ({ code: r.code, name: r.name }));
  const communities = rows('dongcheng_communities.csv').map((r) => ({ code: r.code, name: r.name, street_code: r.street_code }));
  const district = { code: streetRows[0]?.district_code || '110101', name: '东城区' };
  return generateDistrict({ seed: opts.seed, grids: opts.grids, components: opts.components, streets, communities, district });
}

/** Generates the synthetic Dongcheng (demoDongcheng) and loads it (loadDistrict). */
export async function loadDemoDongcheng(db: Queryable, opts: DemoDongchengOptions): Promise<LoadDistrictSummary> {
  return loadDistrict(db, demoDongcheng(opts), { onProgress: opts.onProgress, validFrom: opts.validFrom });
}
