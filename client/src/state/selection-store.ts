// What the operator clicked (a unit grid or a component) and its details from the server.
import { create } from 'zustand';
import type { Geometry } from 'geojson';
import { fetchComponent } from '../api/components.js';
import { fetchGrid } from '../api/grids.js';
import type { ComponentDetail, GridDetail } from '../api/types.js';

export type Target = { kind: 'grid'; code: string } | { kind: 'component'; id: string };

export type Detail = { kind: 'grid'; data: GridDetail } | { kind: 'component'; data: ComponentDetail };

type SelectionState = {
  target: Target | null;
  /** Bumped on every new selection; a response is applied only if it was requested under the current seq. */
  seq: number;
  status: 'idle' | 'loading' | 'ready' | 'error';
  detail: Detail | null;
  error: string | null;
  /** Starts a new selection and returns its seq; selecting the current target again changes nothing. */
  select: (target: Target) => number;
  /** Applies a response; ignored if the selection has moved on since (responses can arrive out of order). */
  receive: (seq: number, detail: Detail) => void;
  fail: (seq: number, message: string) => void;
  clear: () => void;
};

export function sameTarget(a: Target | null, b: Target | null): boolean {
  if (!a || !b) return a === b;
  if (a.kind === 'grid' && b.kind === 'grid') return a.code === b.code;
  if (a.kind === 'component' && b.kind === 'component') return a.id === b.id;
  return false;
}

export const useSelection = create<SelectionState>()((set, get) => ({
  target: null,
  seq: 0,
  status: 'idle',
  detail: null,
  error: null,
  select: (target) => {
    const s = get();
    if (sameTarget(s.target, target) && s.status !== 'error') return s.seq;
    const seq = s.seq + 1;
    set({ target, seq, status: 'loading', detail: null, error: null });
    return seq;
  },
  receive: (seq, detail) => set((s) => (s.seq === seq ? { status: 'ready', detail, error: null } : s)),
  fail: (seq, message) => set((s) => (s.seq === seq ? { status: 'error', error: message } : s)),
  clear: () => set((s) => ({ target: null, seq: s.seq + 1, status: 'idle', detail: null, error: null })),
}));

export const selectTarget = (s: SelectionState) => s.target;
export const selectSelectionStatus = (s: SelectionState) => s.status;
export const selectDetail = (s: SelectionState) => s.detail;
export const selectSelectionError = (s: SelectionState) => s.error;
/** The selected object's geometry, once its details are in: the map highlights it. */
export const selectSelectedGeometry = (s: SelectionState): Geometry | null => s.detail?.data.geometry ?? null;
export const selectClearSelection = (s: SelectionState) => s.clear;

export type DetailFetchers = {
  grid: (code: string) => Promise<GridDetail>;
  component: (id: string) => Promise<ComponentDetail>;
};

const API_FETCHERS: DetailFetchers = { grid: (code) => fetchGrid(code), component: (id) => fetchComponent(id) };

/** Selects `target` and fetches its details; the fetchers default to the API wrappers. */
export async function openDetail(target: Target, fetchers: DetailFetchers = API_FETCHERS): Promise<void> {
  const store = useSelection.getState();
  const before = store.seq;
  const seq = store.select(target);
  if (seq === before) return; // already showing (or loading) this target
  try {
    const detail: Detail = target.kind === 'grid'
      ? { kind: 'grid', data: await fetchers.grid(target.code) }
      : { kind: 'component', data: await fetchers.component(target.id) };
    useSelection.getState().receive(seq, detail);
  } catch (e) {
    useSelection.getState().fail(seq, (e as Error).message);
  }
}
