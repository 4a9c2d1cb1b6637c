// The cases the signed-in user may see: loaded from GET /api/cases, kept current by /api/live, with each case's
// light recomputed from the clock. A live event older than what we hold is ignored (events can arrive late or twice,
// and a list answer can be older than an event that overtook it).
import { create } from 'zustand';
import { fetchCases, type CaseQuery } from '../api/cases.js';
import type { CaseList, CaseStatus, CaseSummary, Light, LiveCaseEvent } from '../api/types.js';
import type { LiveStatus } from '../api/live.js';
import { OPEN_STATUSES } from '../../../server/domain/workflow.js';
import { WALL_STATUSES } from '../../../server/domain/wall-feed.js';
import { fetchWallPage, wallRows, type WallFeedPage } from '../api/wall-feed.js';
import { compareCases, countLights, relightAll, withLight, type LightCounts } from './case-lights.js';
import { LightSchedule } from './light-schedule.js';

export { OPEN_STATUSES, WALL_STATUSES };

/** How long a newly reported case flashes on the wall. */
export const FLASH_MS = 10_000;
/** How often the lights are recomputed. */
export const TICK_MS = 5_000;

export type StatusFilter = 'open' | CaseStatus;

export type CaseFilter = { status: StatusFilter; lights: Record<Light, boolean> };

export const ALL_LIGHTS: Record<Light, boolean> = { red: true, yellow: true, green: true };

type CasesState = {
  /**
   * The cases held, by id. Updated **in place** by live news, action answers and the light tick (copying 100,000
   * entries per event cost ~80 ms; issue 10): its identity changes only when a whole list replaces it (receive,
   * clear). Entries themselves are never mutated, a changed case gets a new object. So `changes` (or `rev`), not
   * `byId`'s identity, says that something changed; what a case was before a change is in that change's `before`.
   */
  byId: Record<string, CaseSummary>;
  /** The clock the lights were computed at (ms). */
  now: number;
  /** Bumped by every change; an id's entry in `touched` says when live news last changed it. */
  rev: number;
  touched: Record<string, number>;
  /** Cases that arrived live after the list was loaded, until when they flash (ms). */
  flash: Record<string, number>;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  /** What the current screen lists (resync reloads the same): a search of GET /api/cases, or the wall's whole feed. */
  query: CaseQuery;
  source: 'list' | 'wall';
  filter: CaseFilter;
  live: LiveStatus | 'off';
  /** What the last changes touched, newest last (at most CHANGE_LOG entries): the case ids of each change, or null when
   * everything may have changed (a list answer, a clear). The wall restyles only these (map/case-spots.ts). */
  changes: readonly Change[];
  /** Starts a list request; returns the rev to hand back to `receive`. */
  begin: (query?: CaseQuery, source?: 'list' | 'wall') => number;
  /**
   * Applies a list answer requested at `startedRev`: the list replaces what we hold, except where live news since the
   * request is newer (same id, higher version) or is a case the list could not know of yet.
   */
  receive: (list: CaseList, startedRev: number) => void;
  fail: (message: string) => void;
  /** One /api/live event: merged when newer than what we hold, else ignored. Returns what happened. */
  applyLive: (event: LiveCaseEvent) => 'new' | 'updated' | 'ignored';
  /** A full case from an action's answer or a detail read (ignored when older). */
  applyCase: (c: CaseSummary) => void;
  /**
   * Brings every light to `now`; forgets finished flashes. Only the cases whose light changes are looked at (the
   * light schedule, below): O(changes), not O(cases).
   */
  tick: (now?: number) => void;
  setFilter: (patch: Partial<CaseFilter>) => void;
  toggleLight: (light: Light) => void;
  setLive: (live: LiveStatus | 'off') => void;
  clear: () => void;
};

/**
 * One change of the held cases: its sequence number, the ids it touched (null: any) and, for a change of known ids,
 * what each of them was before it (undefined: not held before), in the order of `ids`.
 */
export type Change = { seq: number; ids: readonly string[] | null; before?: readonly (CaseSummary | undefined)[] };
const CHANGE_LOG = 64;
const logged = (changes: readonly Change[], ids: readonly string[] | null, before?: readonly (CaseSummary | undefined)[]): Change[] =>
  [...changes.slice(-(CHANGE_LOG - 1)), { seq: (changes[changes.length - 1]?.seq ?? 0) + 1, ids, ...(before ? { before } : {}) }];

/** What each of `ids` was before the first of the changes after `seq` (only ids found in those changes). */
export function beforeSince(changes: readonly Change[], seq: number): Map<string, CaseSummary | undefined> {
  const out = new Map<string, CaseSummary | undefined>();
  for (const c of changes) {
    if (c.seq <= seq || !c.ids || !c.before) continue;
    c.ids.forEach((id, i) => { if (!out.has(id)) out.set(id, c.before![i]); });
  }
  return out;
}

/** The changes after `seq`, or null when the log no longer reaches back that far or one of them touched anything. */
export function changedSince(changes: readonly Change[], seq: number): string[] | null {
  const after = changes.filter((c) => c.seq > seq);
  if (!after.length) return [];
  if (after[0].seq !== seq + 1 || after.some((c) => c.ids === null)) return null;
  return [...new Set(after.flatMap((c) => c.ids!))];
}

const INITIAL = {
  rev: 0,
  flash: {} as Record<string, number>,
  status: 'idle' as const,
  error: null,
  query: {} as CaseQuery,
  source: 'list' as 'list' | 'wall',
  filter: { status: 'open', lights: ALL_LIGHTS } as CaseFilter,
  live: 'off' as const,
  changes: [{ seq: 0, ids: null }] as readonly Change[],
};

/** Empty byId and touched for a start and a clear (not writable in place until copied: see writable). */
const fresh = () => ({ byId: {} as Record<string, CaseSummary>, touched: {} as Record<string, number> });

/**
 * byId and touched are updated in place only when they are objects this store made for that (a list answer's, or a
 * copy made at the first write after a start, a clear or a setState from outside, such as a test restoring the
 * initial state): an object someone else handed in is never written to.
 */
let writableById: object | null = null;
let writableTouched: object | null = null;
function writable(s: Pick<CasesState, 'byId' | 'touched'>): { byId: Record<string, CaseSummary>; touched: Record<string, number> } {
  const byId = s.byId === writableById ? s.byId : { ...s.byId };
  const touched = s.touched === writableTouched ? s.touched : { ...s.touched };
  writableById = byId;
  writableTouched = touched;
  return { byId, touched };
}

/**
 * The light tick's schedule (state/light-schedule.ts): when each held case's light next changes. It answers for the
 * byId object in `scheduledById` only, whose every change (a list, a live event, an action's answer, the tick itself)
 * passes through it here; a byId it has not seen (a setState from outside, such as a test restoring the initial
 * state), or a clock turned back, makes the next tick recompute every light once and reschedule them all.
 */
const schedule = new LightSchedule();
let scheduledById: object | null = null;
/** After `byId` (possibly a copy of `was`, see writable) got case `id` as `c` at `now`: the schedule follows. */
function rescheduled(was: object, byId: object, id: string, c: CaseSummary, now: number): void {
  if (was !== scheduledById) return; // not followed: the next tick rebuilds
  scheduledById = byId;
  schedule.set(id, c, now);
}

export const useCases = create<CasesState>()((set, get) => ({
  ...INITIAL,
  ...fresh(),
  now: Date.now(),
  begin: (query, source) => {
    set((s) => ({ status: s.status === 'ready' ? 'ready' : 'loading', error: null, query: query ?? s.query, source: source ?? (query ? 'list' : s.source) }));
    return get().rev;
  },
  receive: (list, startedRev) => set((s) => {
    const byId: Record<string, CaseSummary> = {};
    for (const item of list.items) {
      const known = s.byId[item.id];
      byId[item.id] = known && known.version > item.version ? known : withLight(item, s.now);
    }
    for (const [id, rev] of Object.entries(s.touched)) {
      if (rev > startedRev && !byId[id] && s.byId[id]) byId[id] = s.byId[id]; // reported while the list was on its way
    }
    const touched = Object.fromEntries(Object.entries(s.touched).filter(([, rev]) => rev > startedRev));
    writableById = byId; // made here: written in place from now on (see writable)
    writableTouched = touched;
    schedule.reset(byId, s.now); // O(n), once per list
    scheduledById = byId;
    return { byId, touched, status: 'ready', error: null, rev: s.rev + 1, changes: logged(s.changes, null) };
  }),
  fail: (message) => set({ status: 'error', error: message }),
  applyLive: (event) => {
    const s = get();
    const known = s.byId[event.id];
    if (known && known.version >= event.version) return 'ignored';
    const merged = withLight({ ...(known ?? {}), ...event } as CaseSummary, s.now);
    const rev = s.rev + 1;
    const isNew = !known;
    const { byId, touched } = writable(s); // in place: see byId
    byId[event.id] = merged;
    touched[event.id] = rev;
    rescheduled(s.byId, byId, event.id, merged, s.now);
    set({
      byId, touched, rev,
      flash: isNew && s.status === 'ready' ? { ...s.flash, [event.id]: s.now + FLASH_MS } : s.flash,
      changes: logged(s.changes, [event.id], [known]),
    });
    return isNew ? 'new' : 'updated';
  },
  applyCase: (c) => set((s) => {
    const known = s.byId[c.id];
    if (known && known.version > c.version) return s;
    const rev = s.rev + 1;
    const { available_actions: _a, trail: _t, possible_duplicates: _d, ...summary } = c as CaseSummary & { available_actions?: unknown; trail?: unknown; possible_duplicates?: unknown };
    const { byId, touched } = writable(s); // in place: see byId
    const merged = withLight({ ...(known ?? {}), ...summary } as CaseSummary, s.now);
    byId[c.id] = merged;
    touched[c.id] = rev;
    rescheduled(s.byId, byId, c.id, merged, s.now);
    return { byId, touched, rev, changes: logged(s.changes, [c.id], [known]) };
  }),
  tick: (now = Date.now()) => set((s) => {
    const full = s.byId !== scheduledById || now < schedule.at;
    let turned: string[], was: CaseSummary[], now_of: CaseSummary[];
    if (full) {
      ({ ids: turned, was, next: now_of } = relightAll(s.byId, now)); // O(n): a list the schedule has not seen
    } else {
      turned = []; was = []; now_of = [];
      for (const id of schedule.due(now)) { // O(changes): only the cases whose light may have turned
        const c = s.byId[id];
        if (!c) continue; // no longer held
        const next = withLight(c, now);
        schedule.set(id, next, now);
        if (next === c) continue;
        turned.push(id);
        was.push(c);
        now_of.push(next);
      }
    }
    const changed = turned.length > 0;
    const w = changed ? writable(s) : null; // in place: see byId
    turned.forEach((id, i) => { w!.byId[id] = now_of[i]; });
    const byId = w ? w.byId : s.byId;
    if (full) schedule.reset(byId, now); // O(n), once
    scheduledById = byId;
    let flash = s.flash;
    for (const id in s.flash) {
      if (s.flash[id] > now) continue;
      flash = Object.fromEntries(Object.entries(s.flash).filter(([, until]) => until > now));
      break;
    }
    return { now, ...(w ? { byId: w.byId, touched: w.touched, changes: logged(s.changes, turned, was) } : {}), ...(flash !== s.flash ? { flash } : {}) };
  }),
  setFilter: (patch) => set((s) => ({ filter: { ...s.filter, ...patch } })),
  toggleLight: (light) => set((s) => {
    const lights = { ...s.filter.lights, [light]: !s.filter.lights[light] };
    // Turning the last one off means "only this one" would be empty: show all instead.
    return { filter: { ...s.filter, lights: Object.values(lights).some(Boolean) ? lights : ALL_LIGHTS } };
  }),
  setLive: (live) => set({ live }),
  clear: () => set((s) => {
    const emptied = fresh();
    const now = Date.now();
    schedule.reset(emptied.byId, now);
    scheduledById = emptied.byId;
    // the cases are forgotten, the stream's state is not: a clear while the stream stays open keeps it "open"
    return { ...INITIAL, ...emptied, now, live: s.live, changes: logged(s.changes, null) };
  }),
}));

// ---- Selectors (module level: stable identity; array-returning ones go with useShallow) --------------------------

export const selectCasesById = (s: CasesState) => s.byId;
export const selectCasesStatus = (s: CasesState) => s.status;
export const selectCasesError = (s: CasesState) => s.error;
export const selectNow = (s: CasesState) => s.now;
export const selectFlash = (s: CasesState) => s.flash;
export const selectFilter = (s: CasesState) => s.filter;
export const selectLive = (s: CasesState) => s.live;
export const selectChanges = (s: CasesState) => s.changes;
export const selectSetFilter = (s: CasesState) => s.setFilter;
export const selectToggleLight = (s: CasesState) => s.toggleLight;

function inStatus(c: CaseSummary, status: StatusFilter): boolean {
  return status === 'open' ? WALL_STATUSES.includes(c.status) : c.status === status;
}

/** The wall's cases: status-filtered (not light-filtered), red first, new reports first within their light. */
export function statusFiltered(byId: Record<string, CaseSummary>, filter: CaseFilter, flash: Readonly<Record<string, number>> = {}): CaseSummary[] {
  return Object.values(byId).filter((c) => inStatus(c, filter.status)).sort((a, b) => compareCases(a, b, flash));
}

/** Whether the wall shows a case under `filter` (status and light). */
export function wallVisible(c: CaseSummary, filter: CaseFilter): boolean {
  return inStatus(c, filter.status) && (c.light === null || filter.lights[c.light]);
}

/** Cases matching both filters, red first: the wall's list and map. */
export const selectWallCases = (s: CasesState) =>
  statusFiltered(s.byId, s.filter, s.flash).filter((c) => (c.light === null ? true : s.filter.lights[c.light]));

/** Counts per light over the status-filtered cases. */
export const selectLightCounts = (s: CasesState): LightCounts => countLights(Object.values(s.byId).filter((c) => inStatus(c, s.filter.status)));

/** Open cases per status, with how many of them are red: the wall's stage strip. */
export function stageCounts(byId: Record<string, CaseSummary>): Record<string, { n: number; red: number }> {
  const out: Record<string, { n: number; red: number }> = {};
  for (const s of WALL_STATUSES) out[s] = { n: 0, red: 0 };
  for (const c of Object.values(byId)) {
    const e = out[c.status];
    if (!e) continue;
    e.n++;
    if (c.light === 'red') e.red++;
  }
  return out;
}

/** Every case held, red first (inspector and crew screens filter further). */
export const selectAllCases = (s: CasesState) => Object.values(s.byId).sort((a, b) => compareCases(a, b, s.flash));

// ---- Loading ---------------------------------------------------------------------------------------------------

/** Page size of GET /api/cases (the server's maximum). */
const PAGE = 1000;
/** At most this many cases are held; the wall shows the worst first anyway. */
const MAX_CASES = 5000;

/**
 * (Re)loads the list for `query` (default: the last one, or the wall's feed when that was loaded last); `fetcher` is
 * the endpoint wrapper, replaceable in tests.
 */
export async function loadCases(query?: CaseQuery, fetcher: (q: CaseQuery) => Promise<CaseList> = (q) => fetchCases(q)): Promise<void> {
  const store = useCases.getState();
  if (!query && store.source === 'wall') return loadWallCases();
  const started = store.begin(query);
  const q = useCases.getState().query;
  try {
    const first = await fetcher({ ...q, limit: PAGE, offset: 0 });
    const items = [...first.items];
    while (items.length < Math.min(first.total, MAX_CASES)) {
      const page = await fetcher({ ...q, limit: PAGE, offset: items.length });
      if (!page.items.length) break;
      items.push(...page.items);
    }
    useCases.getState().receive({ items, total: first.total }, started);
  } catch (e) {
    useCases.getState().fail((e as Error).message);
  }
}

/**
 * Loads every open case the user may see for the wall from the bulk feed (GET /api/cases/wall, keyset pages of
 * columns): no cap, 100,000 cases and more. Live events that arrive meanwhile win where they are newer (`receive`).
 * `fetchPage` is the endpoint wrapper, replaceable in tests.
 */
export async function loadWallCases(fetchPage: (after: string | null) => Promise<WallFeedPage> = (after) => fetchWallPage(after)): Promise<void> {
  const started = useCases.getState().begin({ status: WALL_STATUSES }, 'wall');
  try {
    const items: CaseSummary[] = [];
    let after: string | null = null;
    do {
      const page = await fetchPage(after);
      const rows = wallRows(page);
      for (let i = 0; i < rows.length; i++) items.push(rows[i]);
      after = page.next_after;
    } while (after !== null);
    useCases.getState().receive({ items, total: items.length }, started);
  } catch (e) {
    useCases.getState().fail((e as Error).message);
  }
}
