// The wall's case markers as "spots" (issue 10): cases at the same or nearby places (one cell of a pixel grid at the
// map's whole zoom level) make one spot with their count, drawn in the worst light among them, so a red case is never
// hidden under another colour. A spot of one case is that case at its own place.
//
// Built for 100,000 cases: every case keeps a fixed slot and every spot a fixed index for one zoom level, so a change
// to one case restyles its one spot in place. `update` answers which spot rows changed; the spot layers
// (map/layers/cases.ts SpotLayerSet) recompute those rows of their attributes and nothing else.
// Pure: no map, no deck.gl.
import type { CaseSummary, Light } from '../api/types.js';

/** Size of a tile in maplibre's world pixels (a world is 512 · 2^zoom pixels wide). */
const TILE_PX = 512;
const MAX_LAT = 85.0511287798;

/** Worst first: red, yellow, green, no light. */
export const LIGHT_RANK: Readonly<Record<Light | 'none', number>> = { red: 3, yellow: 2, green: 1, none: 0 };

const rankOf = (l: Light | null | undefined): number => (l ? LIGHT_RANK[l] : 0);

/** The worse of two lights (null: no light, better than green for the wall: nothing is running late). */
export function worseLight(a: Light | null, b: Light | null): Light | null {
  return rankOf(b) > rankOf(a) ? b : a;
}

/** lon/lat → world pixels at `zoom` (Web Mercator, as maplibre draws). */
export function toWorld(lon: number, lat: number, zoom: number): [number, number] {
  const size = TILE_PX * 2 ** zoom;
  const phi = (Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180;
  return [((lon + 180) / 360) * size, ((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * size];
}

/** World pixels at `zoom` → lon/lat. */
export function fromWorld(x: number, y: number, zoom: number): [number, number] {
  const size = TILE_PX * 2 ** zoom;
  const lon = (x / size) * 360 - 180;
  const n = Math.PI * (1 - (2 * y) / size);
  return [lon, (Math.atan(Math.sinh(n)) * 180) / Math.PI];
}

export type Spot = {
  /** Where the spot is drawn: the case's own place for one case, the cell's centre for several. */
  lon: number;
  lat: number;
  /** Slots of every case in the cell, visible or not. */
  members: number[];
  /** Visible members (0: the spot draws nothing). */
  count: number;
  /** The worst light among the visible members. */
  worst: Light | null;
  /** The visible member a click on a one-case spot opens, and the worst of a cluster (the first worst in slot order). */
  top: CaseSummary | null;
  urged: boolean;
  /** Index in `spots` (stable for the zoom level). */
  index: number;
  cellLon: number;
  cellLat: number;
  /** Visible members by light (LIGHT_RANK: none, green, yellow, red) and urged ones, and the slot of `top` (-1: none;
   * -2: to be found by a scan): a one-case change updates these and restyles the spot without a scan of its members
   * (a cluster holds hundreds of cases at zoom 14). */
  tally: [number, number, number, number, number];
  topSlot: number;
};

export type SpotOptions = {
  /** The map's zoom (its whole part picks the grid). */
  zoom: number;
  /** Cell size in screen pixels: markers closer than this share a spot. */
  cellPx: number;
  /** Which cases the wall shows now (filters); hidden ones count for nothing. */
  visible: (c: CaseSummary) => boolean;
};

export class CaseSpots {
  /** Every case held, each in a fixed slot (null: removed, the slot is free to be forgotten at the next rebuild). */
  readonly slots: (CaseSummary | null)[] = [];
  private readonly slotOf = new Map<string, number>();
  private spotOfSlot: number[] = [];
  private cellIndex = new Map<string, number>();
  spots: Spot[] = [];
  private opts: SpotOptions = { zoom: 0, cellPx: 48, visible: () => true };
  /** Bumped by every change. */
  rev = 0;
  /** Bumped when a spot's count changes (the count labels are rebuilt then, not on a change of light). */
  countRev = 0;
  /** Spots drawn red (a visible member red): the wall pulses while there is one. */
  redCount = 0;

  get level(): number { return Math.floor(this.opts.zoom); }
  get cellPx(): number { return this.opts.cellPx; }

  /** Places every case anew (a new list, a new zoom level, a new filter): every spot is new. */
  rebuild(cases: Iterable<CaseSummary>, opts: SpotOptions): Spot[] {
    this.opts = opts;
    this.slots.length = 0;
    this.slotOf.clear();
    for (const c of cases) { this.slotOf.set(c.id, this.slots.length); this.slots.push(c); }
    this.cellIndex = new Map();
    this.spots = [];
    this.redCount = 0;
    this.spotOfSlot = new Array<number>(this.slots.length);
    // Cells first (members in slot order), then the spots ordered by their worst light so that red ones are drawn
    // last, on top of any neighbour they touch.
    const cells = new Map<string, number[]>();
    for (let s = 0; s < this.slots.length; s++) {
      const key = this.cellKey(this.slots[s]!);
      const list = cells.get(key);
      if (list) list.push(s); else cells.set(key, [s]);
    }
    const built: Spot[] = [];
    for (const [key, members] of cells) {
      const [cx, cy] = key.split(':').map(Number);
      const [cellLon, cellLat] = fromWorld((cx + 0.5) * opts.cellPx, (cy + 0.5) * opts.cellPx, this.level);
      const spot: Spot = { lon: cellLon, lat: cellLat, members, count: 0, worst: null, top: null, urged: false, index: 0, cellLon, cellLat, tally: [0, 0, 0, 0, 0], topSlot: -2 };
      this.restyle(spot);
      built.push(spot);
    }
    built.sort((a, b) => rankOf(a.worst) - rankOf(b.worst) || a.count - b.count);
    built.forEach((spot, i) => {
      spot.index = i;
      this.cellIndex.set(this.cellKey(this.slots[spot.members[0]]!), i);
      for (const m of spot.members) this.spotOfSlot[m] = i;
    });
    this.spots = built;
    this.rev++;
    return built;
  }

  /**
   * One case changed, arrived or left (`c` null with its id). Restyles its spot in place and answers the changed
   * spot rows (indexes in `spots`, ascending; none when nothing drawn changed), or null when the spots must be rebuilt
   * (a case moved to another cell or arrived in an empty one).
   */
  update(id: string, c: CaseSummary | null): number[] | null {
    return this.updateMany([[id, c]]);
  }

  /** Several cases changed (a burst of live events, the clock turning lights): restyles their spots only. */
  updateMany(changes: Iterable<[string, CaseSummary | null]>): number[] | null {
    const touched = new Set<number>();
    for (const [id, c] of changes) {
      const spot = this.place(id, c);
      if (spot === null) return null;
      if (spot >= 0) touched.add(spot);
    }
    for (const i of touched) this.restyle(this.spots[i]);
    if (touched.size) this.rev++;
    return [...touched].sort((a, b) => a - b);
  }

  /** Puts a case in its slot: the index of its spot, -1 when there is nothing to do, null when only a rebuild will do. */
  private place(id: string, c: CaseSummary | null): number | null {
    const slot = this.slotOf.get(id);
    if (slot === undefined) {
      if (!c) return -1; // never held: nothing to do
      const cell = this.cellIndex.get(this.cellKey(c));
      if (cell === undefined) return null; // a new place: a new spot
      const s = this.slots.length;
      this.slots.push(c);
      this.slotOf.set(id, s);
      this.spotOfSlot[s] = cell;
      this.spots[cell].members.push(s);
      this.retally(this.spots[cell], s, null, c);
      return cell;
    }
    const before = this.slots[slot];
    if (c && before && (before.lon !== c.lon || before.lat !== c.lat) && this.cellKey(before) !== this.cellKey(c)) return null;
    this.slots[slot] = c;
    const spot = this.spotOfSlot[slot];
    this.retally(this.spots[spot], slot, before, c);
    return spot;
  }

  /** A member of `spot` in `slot` changed from `before` to `after` (null: none): its tally and top follow. */
  private retally(spot: Spot, slot: number, before: CaseSummary | null, after: CaseSummary | null): void {
    const t = spot.tally;
    const b = before && this.opts.visible(before) ? before : null;
    const a = after && this.opts.visible(after) ? after : null;
    if (b) { t[rankOf(b.light)]--; if (b.urged) t[4]--; }
    if (a) { t[rankOf(a.light)]++; if (a.urged) t[4]++; }
    if (spot.topSlot === -2) return; // a scan is due anyway
    const top = spot.top;
    if (slot === spot.topSlot) {
      // The top itself: still the first worst if it is no better than before; else another member may be.
      if (a && b && rankOf(a.light) >= rankOf(b.light)) spot.top = a;
      else spot.topSlot = -2;
    } else if (a && (!top || rankOf(a.light) > rankOf(top.light) || (rankOf(a.light) === rankOf(top.light) && slot < spot.topSlot))) {
      spot.top = a;
      spot.topSlot = slot;
    }
  }

  /** The case in a slot (the store's current object). */
  caseAt(slot: number): CaseSummary | null { return this.slots[slot] ?? null; }

  /** The visible cases of a spot, worst first. */
  casesOf(spot: Spot): CaseSummary[] {
    const out: CaseSummary[] = [];
    for (const m of spot.members) { const c = this.slots[m]; if (c && this.opts.visible(c)) out.push(c); }
    return out.sort((a, b) => rankOf(b.light) - rankOf(a.light));
  }

  private cellKey(c: Pick<CaseSummary, 'lon' | 'lat'>): string {
    const [x, y] = toWorld(c.lon, c.lat, this.level);
    return `${Math.floor(x / this.opts.cellPx)}:${Math.floor(y / this.opts.cellPx)}`;
  }

  /** A spot's count, worst light, top case and place from its tally (from its members when its top is to be found:
   * a new spot, or its top case got better or left). */
  private restyle(spot: Spot): void {
    const before = spot.count;
    const t = spot.tally;
    if (spot.topSlot === -2) {
      t.fill(0);
      spot.top = null;
      spot.topSlot = -1;
      for (const m of spot.members) {
        const c = this.slots[m];
        if (!c || !this.opts.visible(c)) continue;
        t[rankOf(c.light)]++;
        if (c.urged) t[4]++;
        if (!spot.top || rankOf(c.light) > rankOf(spot.top.light)) { spot.top = c; spot.topSlot = m; }
      }
    }
    const count = t[0] + t[1] + t[2] + t[3];
    const urged = t[4] > 0;
    const top = spot.top;
    if (count !== before) this.countRev++;
    const wasRed = spot.count > 0 && spot.worst === 'red';
    const isRed = count > 0 && top?.light === 'red';
    if (wasRed !== isRed) this.redCount += isRed ? 1 : -1;
    spot.count = count;
    spot.top = top;
    spot.worst = top?.light ?? null;
    spot.urged = urged;
    if (count === 1 && top) { spot.lon = top.lon; spot.lat = top.lat; } else { spot.lon = spot.cellLon; spot.lat = spot.cellLat; }
  }
}
