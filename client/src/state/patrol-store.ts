// Patrol for the command centre and leaders (issue 9): inspectors' last positions (refreshed every interval the
// city set), a day's coverage per inspector, and the track of the inspector picked in the coverage table.
import { create } from 'zustand';
import { fetchCoverage, fetchLastPositions, fetchTrack, type CoverageRow, type LastPosition, type Track } from '../api/patrol.js';

export type { CoverageRow, LastPosition, Track };

type PatrolState = {
  positions: LastPosition[];
  interval_seconds: number;
  positions_failed: boolean;
  coverage_date: string | null;
  coverage: CoverageRow[] | null;
  coverage_loading: boolean;
  coverage_failed: boolean;
  track_user: number | null;
  track: Track | null;
  track_failed: boolean;
};

export const usePatrol = create<PatrolState>()(() => ({
  positions: [], interval_seconds: 60, positions_failed: false,
  coverage_date: null, coverage: null, coverage_loading: false, coverage_failed: false,
  track_user: null, track: null, track_failed: false,
}));

export const selectPositions = (s: PatrolState) => s.positions;
export const selectCoverage = (s: PatrolState) => s.coverage;
export const selectTrack = (s: PatrolState) => s.track;
export const selectTrackUser = (s: PatrolState) => s.track_user;

export async function loadLastPositions(): Promise<void> {
  try {
    const r = await fetchLastPositions();
    usePatrol.setState({ positions: r.items, interval_seconds: r.interval_seconds, positions_failed: false });
  } catch {
    usePatrol.setState({ positions_failed: true });
  }
}

/** Loads the last positions now and again every interval; returns the stop function. */
export function startLastPositions(): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const tick = async () => {
    await loadLastPositions();
    if (!stopped) timer = setTimeout(() => void tick(), usePatrol.getState().interval_seconds * 1000);
  };
  void tick();
  return () => { stopped = true; if (timer) clearTimeout(timer); };
}

export async function loadCoverage(date: string): Promise<void> {
  usePatrol.setState({ coverage_date: date, coverage_loading: true, coverage_failed: false });
  try {
    const r = await fetchCoverage(date);
    if (usePatrol.getState().coverage_date !== date) return; // another date was asked meanwhile
    usePatrol.setState({ coverage: r.items, coverage_loading: false });
  } catch {
    usePatrol.setState({ coverage_loading: false, coverage_failed: true });
  }
}

/** Shows (or, picked again, hides) an inspector's track of the date. */
export async function pickTrack(user_id: number | null, date: string): Promise<void> {
  if (user_id === null || usePatrol.getState().track_user === user_id) {
    usePatrol.setState({ track_user: null, track: null, track_failed: false });
    return;
  }
  usePatrol.setState({ track_user: user_id, track: null, track_failed: false });
  try {
    const t = await fetchTrack(user_id, date);
    if (usePatrol.getState().track_user === user_id) usePatrol.setState({ track: t });
  } catch {
    usePatrol.setState({ track_failed: true });
  }
}
