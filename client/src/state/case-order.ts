// The wall list's order kept incrementally (issue 10): the cases in the list's order (state/case-lights.ts
// compareCases: red → yellow → green → no light, new reports, urged, nearest deadline, latest change, case number),
// in a balanced search tree with subtree sizes (a treap), so a case that arrives, changes light or closes costs
// O(log n), and the k-th row of the list is found in O(log n): the list draws only its visible rows of 100,000.
// Counts per light are kept as they go. `WallOrder` follows the cases store's change log. No React.
import type { CaseSummary, Light } from '../api/types.js';
import { changedSince, type Change } from './cases-store.js';

/** The list's light order as a rank: red 0, yellow 1, green 2, no light 3. */
export const LIGHT_RANKS: readonly (Light | null)[] = ['red', 'yellow', 'green', null];
const rankOf = (l: Light | null | undefined): number => (l === 'red' ? 0 : l === 'yellow' ? 1 : l === 'green' ? 2 : 3);

const ms = (iso: string | null | undefined, none: number): number => {
  if (!iso) return none;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : none;
};

/** A case with its sort key worked out once (compareCases parses dates on every comparison). */
type Entry = { c: CaseSummary; light: number; fresh: number; urged: number; red: number; updated: number };

function entryOf(c: CaseSummary, fresh: boolean): Entry {
  return { c, light: rankOf(c.light), fresh: fresh ? 0 : 1, urged: c.urged ? 0 : 1, red: ms(c.red_at, Infinity), updated: ms(c.updated_at, 0) };
}

/** The same order as compareCases, then the id (so two entries are equal only when they are the same case). */
function compare(a: Entry, b: Entry): number {
  return a.light - b.light || a.fresh - b.fresh || a.urged - b.urged
    || (a.red === b.red ? 0 : a.red < b.red ? -1 : 1)
    || b.updated - a.updated
    || a.c.case_no.localeCompare(b.c.case_no)
    || (a.c.id < b.c.id ? -1 : a.c.id > b.c.id ? 1 : 0);
}

type Node = { e: Entry; pri: number; size: number; left: Node | null; right: Node | null };

const sizeOf = (n: Node | null) => (n ? n.size : 0);
const fix = (n: Node) => { n.size = 1 + sizeOf(n.left) + sizeOf(n.right); return n; };

/** Splits into (< e, ≥ e). */
function split(n: Node | null, e: Entry): [Node | null, Node | null] {
  if (!n) return [null, null];
  if (compare(n.e, e) < 0) {
    const [l, r] = split(n.right, e);
    n.right = l;
    return [fix(n), r];
  }
  const [l, r] = split(n.left, e);
  n.left = r;
  return [l, fix(n)];
}

/** Joins two trees, every entry of `a` before every entry of `b`. */
function merge(a: Node | null, b: Node | null): Node | null {
  if (!a) return b;
  if (!b) return a;
  if (a.pri > b.pri) { a.right = merge(a.right, b); return fix(a); }
  b.left = merge(a, b.left);
  return fix(b);
}

export class OrderedCases {
  private root: Node | null = null;
  private readonly entries = new Map<string, Entry>();
  private readonly lights = [0, 0, 0, 0];
  /** Bumped by every change (a render key). */
  rev = 0;

  get size(): number { return this.entries.size; }

  has(id: string): boolean { return this.entries.has(id); }

  /** How many cases of each light (red, yellow, green, none) and in all. */
  counts(): Record<Light | 'none', number> & { total: number } {
    const [red, yellow, green, none] = this.lights;
    return { red, yellow, green, none, total: this.entries.size };
  }

  /** Puts `c` in its place (moving it when held already): O(log n). `fresh`: a new report (first within its light). */
  set(c: CaseSummary, fresh = false): void {
    this.delete(c.id);
    const e = entryOf(c, fresh);
    const [l, r] = split(this.root, e);
    this.root = merge(merge(l, { e, pri: Math.random(), size: 1, left: null, right: null }), r);
    this.entries.set(c.id, e);
    this.lights[e.light]++;
    this.rev++;
  }

  /** Takes a case out (closed, or no longer shown): O(log n). */
  delete(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    const [l, rest] = split(this.root, e);
    // `rest` starts with e itself: drop its first node.
    this.root = merge(l, dropFirst(rest));
    this.entries.delete(id);
    this.lights[e.light]--;
    this.rev++;
    return true;
  }

  /** Every case anew (a new list, another status filter): O(n log n). */
  reset(cases: Iterable<CaseSummary>, fresh: (id: string) => boolean = () => false): void {
    const all: Entry[] = [];
    for (const c of cases) all.push(entryOf(c, fresh(c.id)));
    all.sort(compare);
    this.entries.clear();
    this.lights.fill(0);
    for (const e of all) { this.entries.set(e.c.id, e); this.lights[e.light]++; }
    this.root = build(all);
    this.rev++;
  }

  /** The case at position `k` of the order (0: the most pressing), or null past the end: O(log n). */
  at(k: number): CaseSummary | null {
    let n = this.root;
    while (n) {
      const left = sizeOf(n.left);
      if (k < left) n = n.left;
      else if (k === left) return n.e.c;
      else { k -= left + 1; n = n.right; }
    }
    return null;
  }

  /** The position of a held case in the order, or -1: O(log n). */
  indexOf(id: string): number {
    const e = this.entries.get(id);
    if (!e) return -1;
    let n = this.root;
    let before = 0;
    while (n) {
      const d = compare(e, n.e);
      if (d === 0) return before + sizeOf(n.left);
      if (d < 0) n = n.left;
      else { before += sizeOf(n.left) + 1; n = n.right; }
    }
    return -1;
  }

  /** Rows `from` … `to` (exclusive) of the order: O((to − from) · log n). */
  slice(from: number, to: number): CaseSummary[] {
    const out: CaseSummary[] = [];
    for (let k = Math.max(0, from); k < Math.min(to, this.size); k++) out.push(this.at(k)!);
    return out;
  }

  /**
   * The rows of the list that shows only the lights in `shown` (the order puts each light in one run, so that list
   * is the runs of the shown lights one after the other): its length, and its rows `from` … `to`.
   */
  shownRows(shown: Readonly<Record<Light, boolean>>, from: number, to: number): { length: number; rows: CaseSummary[] } {
    const on = LIGHT_RANKS.map((l) => l === null || shown[l]);
    const length = this.lights.reduce((a, n, i) => a + (on[i] ? n : 0), 0);
    const rows: CaseSummary[] = [];
    let start = 0; // where the light's run starts in the whole order
    let shownBefore = 0; // rows of shown lights before it
    for (let i = 0; i < 4 && shownBefore < to; i++) {
      const n = this.lights[i];
      if (on[i]) {
        const a = Math.max(from, shownBefore), b = Math.min(to, shownBefore + n);
        for (let k = a; k < b; k++) rows.push(this.at(start + (k - shownBefore))!);
        shownBefore += n;
      }
      start += n;
    }
    return { length, rows };
  }

  /** Every case in order (tests, small lists). */
  toArray(): CaseSummary[] {
    const out: CaseSummary[] = [];
    const walk = (n: Node | null) => { if (!n) return; walk(n.left); out.push(n.e.c); walk(n.right); };
    walk(this.root);
    return out;
  }
}

function dropFirst(n: Node | null): Node | null {
  if (!n) return null;
  if (!n.left) return n.right;
  n.left = dropFirst(n.left);
  return fix(n);
}

/** The treap of sorted entries with random priorities, built in O(n) (a Cartesian tree along the right spine). */
function build(sorted: Entry[]): Node | null {
  const spine: Node[] = [];
  for (const e of sorted) {
    const n: Node = { e, pri: Math.random(), size: 1, left: null, right: null };
    let last: Node | null = null;
    while (spine.length && spine[spine.length - 1].pri < n.pri) last = fix(spine.pop()!);
    n.left = last;
    if (spine.length) spine[spine.length - 1].right = n;
    spine.push(n);
  }
  for (let i = spine.length - 1; i >= 0; i--) fix(spine[i]);
  return spine[0] ?? null;
}

/** What the wall's list follows in the cases store (state/cases-store.ts). */
export type OrderSource = {
  byId: Readonly<Record<string, CaseSummary>>;
  /** Whether the list shows a case at all (the status filter; the light filter is applied by `shownRows`). */
  shows: (c: CaseSummary) => boolean;
  /** Changes when `shows` does: the list is rebuilt then. */
  showsKey: string;
  flash: Readonly<Record<string, number>>;
  changes: readonly Change[];
};

/**
 * The wall list's order kept in step with the store by its change log: a change of a few cases moves those cases
 * (O(log n) each); a new list, a cleared store or another status filter rebuilds it (O(n log n)).
 */
export class WallOrder {
  readonly order = new OrderedCases();
  private last: OrderSource | null = null;
  private seq = -1;

  /** Brings the order up to `src`; returns whether anything was redone (`rebuilt`: all of it). */
  sync(src: OrderSource): { changed: boolean; rebuilt: boolean } {
    const last = this.last;
    const seq = src.changes[src.changes.length - 1]?.seq ?? 0;
    this.last = src;
    const prevSeq = this.seq;
    this.seq = seq;
    // byId is updated in place (cases-store.ts): the change log, not its identity, says what changed; a new byId
    // (a whole list) always comes with a change of everything in the log.
    const ids = last && last.showsKey === src.showsKey && last.byId === src.byId ? changedSince(src.changes, prevSeq) : null;
    if (ids === null) {
      const all: CaseSummary[] = [];
      for (const id in src.byId) { const c = src.byId[id]; if (src.shows(c)) all.push(c); }
      this.order.reset(all, (id) => src.flash[id] !== undefined);
      return { changed: true, rebuilt: true };
    }
    const touched = new Set(ids);
    if (last && last.flash !== src.flash) {
      for (const id in last.flash) if (src.flash[id] === undefined) touched.add(id);
      for (const id in src.flash) if (last.flash[id] === undefined) touched.add(id);
    }
    for (const id of touched) {
      const c = src.byId[id];
      if (c && src.shows(c)) this.order.set(c, src.flash[id] !== undefined);
      else this.order.delete(id);
    }
    return { changed: touched.size > 0, rebuilt: false };
  }
}

/**
 * Open cases per status, with how many are red (the wall's stage strip), kept in step with the store's change log
 * like WallOrder: a one-case change moves one count (the same figures as cases-store.ts stageCounts).
 */
export class StageTally {
  private readonly held = new Map<string, { status: string; red: boolean }>();
  private counts: Record<string, { n: number; red: number }> = {};
  private last: Readonly<Record<string, CaseSummary>> | null = null;
  private seq = -1;

  constructor(private readonly statuses: readonly string[]) { this.clear(); }

  private clear(): void {
    this.held.clear();
    this.counts = Object.fromEntries(this.statuses.map((s) => [s, { n: 0, red: 0 }]));
  }

  private put(id: string, c: CaseSummary | undefined): void {
    const before = this.held.get(id);
    if (before) { const e = this.counts[before.status]; e.n--; if (before.red) e.red--; this.held.delete(id); }
    const e = c ? this.counts[c.status] : undefined;
    if (!c || !e) return;
    const red = c.light === 'red';
    e.n++;
    if (red) e.red++;
    this.held.set(id, { status: c.status, red });
  }

  /** The counts for `byId` (a new object when they changed). */
  sync(byId: Readonly<Record<string, CaseSummary>>, changes: readonly Change[]): Record<string, { n: number; red: number }> {
    const seq = changes[changes.length - 1]?.seq ?? 0;
    if (byId === this.last && seq === this.seq) return this.counts; // byId is updated in place: the log says what changed
    const ids = this.last === byId ? changedSince(changes, this.seq) : null;
    this.last = byId;
    this.seq = seq;
    if (ids === null) {
      this.clear();
      for (const id in byId) this.put(id, byId[id]);
    } else {
      for (const id of ids) this.put(id, byId[id]);
    }
    this.counts = { ...this.counts };
    for (const k of Object.keys(this.counts)) this.counts[k] = { ...this.counts[k] };
    return this.counts;
  }
}
