// The light tick's schedule (issue 10): the held cases in a binary min-heap keyed by the instant each case's light
// next changes (case-lights.ts lightHoldsUntil: its yellow_at, then its red_at; the server already counted working
// calendars, suspensions and extensions into those two instants), so the wall's tick every few seconds takes out only
// the cases whose light changes now: O(1) when none is due, O(k log n) for k due, instead of asking all 100,000.
// A case without a coming change (finished, suspended, no deadline, red already) is not in the heap at all.
// The heap is indexed (id → entry, which knows its slot), so a changed case is moved and a removed one taken out in
// O(log n); a whole list is heapified in O(n). Pure: no clock, no store; state/cases-store.ts feeds it from its change paths.
import type { CaseSummary } from '../api/types.js';
import { lightDueAfter } from './case-lights.js';

/** What the schedule reads of a case. */
export type Lit = Pick<CaseSummary, 'status' | 'yellow_at' | 'red_at' | 'light'>;

/**
 * The key of `c` as held at `t`: after which instant its light must be looked at again. −∞ when the light it carries is
 * not its light at `t` (a stale light: the next tick corrects it, as a full recomputation would); null when it never
 * changes. The rule itself is case-lights.ts's (lightAt, lightHoldsUntil), worked out in one look there.
 */
export const dueAfter: (c: Lit, t: number) => number | null = lightDueAfter;

/** One scheduled case: its key and where it sits in the heap (kept on the entry: no map write per heap move). */
type Entry = { id: string; key: number; slot: number };

export class LightSchedule {
  private heap: Entry[] = [];
  private readonly entries = new Map<string, Entry>();
  /**
   * The latest instant a case was scheduled at: the schedule holds for any tick at or after it (an earlier clock: the
   * caller recomputes every light, since a case out of the heap, red already, may turn back).
   */
  at = -Infinity;

  /** How many cases have a coming light change. */
  get size(): number { return this.heap.length; }

  has(id: string): boolean { return this.entries.has(id); }

  /** The earliest key (null: nothing coming). */
  next(): number | null { return this.heap.length ? this.heap[0].key : null; }

  /** The key held for `id` (undefined: none). */
  keyOf(id: string): number | undefined { return this.entries.get(id)?.key; }

  /** Schedules case `id` as it is at `t` (a new, changed or just re-lit case): O(log n). */
  set(id: string, c: Lit, t: number): void {
    if (t > this.at) this.at = t;
    const key = dueAfter(c, t);
    const e = this.entries.get(id);
    if (key === null) {
      if (e) this.removeAt(e.slot);
      return;
    }
    if (!e) {
      const n: Entry = { id, key, slot: this.heap.length };
      this.entries.set(id, n);
      this.heap.push(n);
      this.up(n.slot);
      return;
    }
    const old = e.key;
    e.key = key;
    if (key < old) this.up(e.slot);
    else if (key > old) this.down(e.slot);
  }

  /** Takes case `id` out (no longer held): O(log n). */
  delete(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    this.removeAt(e.slot);
    return true;
  }

  /** Every case of `byId` anew, as they are at `t` (a whole list): O(n). */
  reset(byId: Readonly<Record<string, Lit>>, t: number): void {
    const heap: Entry[] = [];
    this.entries.clear();
    this.at = -Infinity; // an empty list holds at any clock
    for (const id in byId) {
      this.at = t;
      const key = dueAfter(byId[id], t);
      if (key === null) continue;
      const e: Entry = { id, key, slot: heap.length };
      heap.push(e);
      this.entries.set(id, e);
    }
    this.heap = heap;
    this.heapify();
  }

  /**
   * Takes out every case whose light may have changed by `now` (key < now): the caller relights them and `set`s
   * them back. O(1) when none is due, O(k log n) for k due, and at most O(n) however many are (after a long sleep,
   * once more than an eighth are due, the rest are picked out in one pass and the heap rebuilt).
   */
  due(now: number): string[] {
    const heap = this.heap;
    const out: string[] = [];
    const limit = (heap.length >> 3) + 64;
    while (heap.length && heap[0].key < now) {
      if (out.length === limit) return this.dueAll(now, out);
      const e = heap[0];
      out.push(e.id);
      this.removeAt(0);
    }
    return out;
  }

  /** The rest of `due`, in one pass: O(n). */
  private dueAll(now: number, out: string[]): string[] {
    const kept: Entry[] = [];
    for (const e of this.heap) {
      if (e.key < now) { out.push(e.id); this.entries.delete(e.id); } else { e.slot = kept.length; kept.push(e); }
    }
    this.heap = kept;
    this.heapify();
    return out;
  }

  private heapify(): void {
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private removeAt(i: number): void {
    const heap = this.heap;
    const e = heap[i];
    this.entries.delete(e.id);
    const last = heap.pop()!;
    if (last === e) return;
    heap[i] = last;
    last.slot = i;
    this.up(i);
    this.down(last.slot);
  }

  private up(i: number): void {
    const heap = this.heap;
    const e = heap[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p].key <= e.key) break;
      heap[i] = heap[p];
      heap[i].slot = i;
      i = p;
    }
    heap[i] = e;
    e.slot = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const e = heap[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && heap[c + 1].key < heap[c].key) c++;
      if (heap[c].key >= e.key) break;
      heap[i] = heap[c];
      heap[i].slot = i;
      i = c;
    }
    heap[i] = e;
    e.slot = i;
  }
}
