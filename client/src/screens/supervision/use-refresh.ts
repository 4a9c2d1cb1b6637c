// When supervision figures are read again: on news of case changes from the live stream (state/cases-store.ts
// `changes`), at most once every MIN_GAP_MS, and on a modest poll (the clock alone turns cases overdue).
import { useEffect, useRef } from 'react';
import { selectChanges, useCases } from '../../state/cases-store.js';

export const POLL_MS = 60_000;
export const MIN_GAP_MS = 10_000;

export function useSupervisionRefresh(refresh: () => void): void {
  const changes = useCases(selectChanges);
  const last = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const fn = useRef(refresh);
  fn.current = refresh;

  useEffect(() => {
    const id = setInterval(() => { last.current = Date.now(); fn.current(); }, POLL_MS);
    return () => { clearInterval(id); if (pending.current) clearTimeout(pending.current); };
  }, []);

  useEffect(() => {
    if (last.current === 0) { last.current = Date.now(); return; } // the first render: the caller loads itself
    if (pending.current) return;
    const wait = Math.max(0, last.current + MIN_GAP_MS - Date.now());
    pending.current = setTimeout(() => { pending.current = null; last.current = Date.now(); fn.current(); }, wait);
  }, [changes]);
}
