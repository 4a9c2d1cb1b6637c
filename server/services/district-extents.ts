// Each district's extent, for sending a read of grids only to the districts it can concern (issue 12: on Citus, grids
// are distributed by district, so a statement naming its districts runs on their shards alone instead of all 32).
// One instance per server (app.ts), shared by the tile route (a grids tile: the districts it meets) and the locates
// without a district (services/grids.ts locate: the districts whose extent holds the point), so one read of the
// extents per generation of the grids set serves both.
import type { Queryable } from '../db/types.js';
import * as tilesDb from '../db/tiles.js';
import type { DistrictBox } from '../db/tiles.js';
import type { TileGenerations } from './tile-generations.js';

export type { DistrictBox };

/**
 * How far past an extent a point or a tile's envelope may lie and still count as in it: db/tiles.ts districtBoxes
 * gives PostGIS's bounding boxes (single-precision, rounded outward, ~1e-5° at 116°E), and a tile's envelope is
 * computed by PostGIS itself; 1e-4° (~10 m) more can only add a district, never drop one that has something there
 * (a point on a grid's edge included).
 */
export const DISTRICT_SLACK_DEG = 1e-4;

/** The districts whose extent (with DISTRICT_SLACK_DEG) holds a WGS84 point, in code order (boxes come sorted). */
export function districtsCovering(boxes: readonly DistrictBox[], lon: number, lat: number): string[] {
  const d = DISTRICT_SLACK_DEG;
  return boxes.filter(({ box: b }) => b[0] - d <= lon && lon <= b[2] + d && b[1] - d <= lat && lat <= b[3] + d).map((b) => b.district_code);
}

/**
 * The districts' extents (db/tiles.ts districtBoxes), read once per generation of the grids set, which every writer of
 * grids and regions moves (db/tile-bumps.ts). A write that moves no generation (psql) leaves them stale: a grids tile
 * may then be drawn without a district (as a cached tile stays stale), and a locate falls back to every district when
 * the districts the extents name hold no grid at the point (services/grids.ts locate).
 * The extents are read with the caller's connection (in a report's transaction, that transaction: no second
 * connection taken from the pool while it holds one); no caller reads them in a transaction that wrote grids.
 */
export class DistrictExtents {
  private held: { gen: string; boxes: Promise<DistrictBox[]> } | null = null;
  private reads = 0;

  /** `gens`: where the grids set's generation is heard (services/tile-generations.ts); without it, read on each call of current(). */
  constructor(private readonly gens?: TileGenerations) {}

  /** The extents at `gen` (the grids set's generation): from memory, or read once for every caller at that generation. */
  boxes(db: Queryable, gen: string): Promise<DistrictBox[]> {
    if (this.held?.gen === gen) return this.held.boxes;
    const boxes = tilesDb.districtBoxes(db);
    this.reads++;
    const held = { gen, boxes };
    this.held = held;
    boxes.catch(() => { if (this.held === held) this.held = null; });
    return boxes;
  }

  /**
   * The extents at the grids set's committed generation: as heard, without a query, while TileGenerations trusts
   * what it heard (TileGenerations.current), else read with `db` (one primary-key read; with the caller's own
   * connection, as above, rather than TileGenerations.generation's pool).
   */
  async current(db: Queryable): Promise<DistrictBox[]> {
    return this.boxes(db, this.gens?.current('grids') ?? await tilesDb.tileGeneration(db, 'grids'));
  }

  /** How many times the extents were read (tests: once per generation). */
  stats(): { reads: number } {
    return { reads: this.reads };
  }
}
