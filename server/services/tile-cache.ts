// The tile cache in front of the tile SQL (issue 10, "Tiles"): bounded in bytes, least recently used out first,
// one per server process. What makes a cached tile right to serve (services/tiles.ts serveTile checks all three):
//  1. The generation of its tile set (db/tiles.ts tileGeneration, migrations/0028) is the one it was drawn at. The
//     counter moves in the very transaction of every write to a table the set is drawn from, and is read on every
//     request (one primary-key row), so no process serves a tile drawn before a change once the change has
//     committed, whichever process made it. When a request sees a set's generation move forward, the set's
//     entries are dropped, except, where the database says exactly where each step changed something
//     (tile_changes: every case write, as the extent of the changed cases' communities), those entries whose tile
//     lies clear of every changed extent: they are as true at the new generation and move to it.
//  2. Time: a cases tile shows lights at `now`; it is served only while now is in [drawn at, changes_at), where
//     changes_at is the first yellow_at/red_at after the drawing instant among its cases (db/tiles.ts
//     CASE_NEXT_CHANGE). A light therefore never goes stale, and a tile with no light due is kept until a write.
//  3. The key: set/z/x/y, and for cases the filters and the caller's visibility scope (services/tiles.ts tileKey).
import type { TileSet } from '../db/tiles.js';

/** [min_lon, min_lat, max_lon, max_lat] */
export type LonLatBox = readonly [number, number, number, number];

export type CachedTile = {
  set: TileSet;
  /** What the tile shows lies within this (its envelope with the drawing buffer), for precise invalidation. */
  bounds: LonLatBox;
  /** The tile set's generation when drawn. */
  gen: string;
  mvt: Buffer;
  /** Strong ETag ("…", a hash of the bytes); null for an empty tile (204). */
  etag: string | null;
  /** Epoch ms: the instant the tile was drawn for, and the one from which it would be drawn differently (null: never). */
  drawn_at: number;
  changes_at: number | null;
};

export type TileCacheStats = { entries: number; bytes: number; max_bytes: number; hits: number; misses: number; evictions: number };

/** Bytes an entry is charged: its MVT plus the key and bookkeeping (a rough, fixed overhead per entry). */
const ENTRY_OVERHEAD = 200;

export class TileCache {
  // A Map iterates in insertion order; a hit re-inserts, so the first key is the least recently used.
  private readonly entries = new Map<string, CachedTile & { bytes: number }>();
  private readonly gens = new Map<TileSet, string>();
  private readonly drawing = new Map<string, Promise<CachedTile>>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  /** `max_bytes`: the bound (config tile_cache_mb); 0 keeps nothing (every request draws its tile). */
  constructor(readonly max_bytes: number) {}

  /**
   * The tile under `key` if it may be served at generation `gen` and instant `now` (epoch ms), else null. Counts a
   * hit or a miss.
   */
  get(key: string, gen: string, now: number): CachedTile | null {
    const e = this.entries.get(key);
    if (e && fresh(e, gen, now)) {
      this.entries.delete(key);
      this.entries.set(key, e);
      this.hits++;
      return e;
    }
    if (e && e.gen !== gen) this.remove(key);
    this.misses++;
    return null;
  }

  /**
   * Like get, for the fast path that answers a request before its route's handler (http/routes/tiles.ts): the tile
   * if it may be served, else null without counting a miss or dropping anything (the request then goes on to
   * serveTile, which does both).
   */
  peek(key: string, gen: string, now: number): CachedTile | null {
    const e = this.entries.get(key);
    if (!e || !fresh(e, gen, now)) return null;
    this.entries.delete(key);
    this.entries.set(key, e);
    this.hits++;
    return e;
  }

  /** Keeps a drawn tile, evicting the least recently used until the bound holds; one larger than the bound is not kept. */
  put(key: string, tile: CachedTile): void {
    if (this.gens.get(tile.set) !== undefined && this.gens.get(tile.set) !== tile.gen) return; // drawn before a change seen since
    const bytes = tile.mvt.length + key.length * 2 + ENTRY_OVERHEAD;
    this.remove(key);
    if (bytes > this.max_bytes) return;
    this.entries.set(key, { ...tile, bytes });
    this.bytes += bytes;
    for (const [k] of this.entries) {
      if (this.bytes <= this.max_bytes) break;
      this.remove(k);
      this.evictions++;
    }
  }

  /** The generation of `set` this cache holds tiles of (undefined: none seen yet). */
  generation(set: TileSet): string | undefined {
    return this.gens.get(set);
  }

  /**
   * Moves `set` from generation `from` (what generation() said) to `to`. `changed`: the extents changed by each
   * step from → to, when known for every step; entries clear of all of them move to `to`, the others are dropped.
   * null: everything of the set is dropped. Any other move than one step forward from the generation held (a
   * restored database, a request that read an older generation than another) drops everything too: old tiles
   * never become valid by accident.
   */
  advance(set: TileSet, from: string | undefined, to: string, changed: readonly LonLatBox[] | null): void {
    const known = this.gens.get(set);
    if (known === to) return;
    this.gens.set(set, to);
    const keep = known !== undefined && known === from && changed !== null;
    for (const [k, e] of this.entries) {
      if (e.set !== set) continue;
      if (keep && e.gen === known && !changed.some((b) => overlaps(b, e.bounds))) e.gen = to;
      else this.remove(k);
    }
  }

  /**
   * Draws a tile once for concurrent requests of the same key and generation: a second caller awaits the first
   * drawing instead of running the same SQL again (a map opening sends the same tiles from many screens).
   */
  async once(key: string, gen: string, draw: () => Promise<CachedTile>): Promise<CachedTile> {
    const k = `${gen}\u0000${key}`;
    const running = this.drawing.get(k);
    if (running) return running;
    const p = draw().finally(() => this.drawing.delete(k));
    this.drawing.set(k, p);
    return p;
  }

  stats(): TileCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, max_bytes: this.max_bytes, hits: this.hits, misses: this.misses, evictions: this.evictions };
  }

  private remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.bytes;
  }
}

function overlaps(a: LonLatBox, b: LonLatBox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/** Whether `e` may be served at generation `gen` and instant `now` (see the header: 1 and 2). */
export function fresh(e: CachedTile, gen: string, now: number): boolean {
  return e.gen === gen && now >= e.drawn_at && (e.changes_at === null || now < e.changes_at);
}
