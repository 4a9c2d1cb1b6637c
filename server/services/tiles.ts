// Vector tiles for the tile routes: routes call services, and only db/ holds SQL (docs/style.md, the rings).
import type { Queryable } from '../db/types.js';
import * as tilesDb from '../db/tiles.js';
import type { CaseTileFilter, Encoder, TileSet } from '../db/tiles.js';

export type { CaseTileFilter, Encoder, TileSet };

/** The tile sets served under /api/tiles/{set}/{z}/{x}/{y}.mvt. */
export const TILE_SETS = tilesDb.TILE_SETS;

/**
 * One tile of a set as MVT bytes; `encoder` is the engine's default unless given (tests hold both to the same
 * expectations); `cases` (the cases set only): the instant of the lights, the period and the filters.
 */
export function renderTile(
  db: Queryable, set: TileSet, z: number, x: number, y: number, encoder?: Encoder, cases?: CaseTileFilter,
): Promise<Buffer> {
  return tilesDb.renderTile(db, set, z, x, y, encoder, cases);
}
