// The wall's ticker of today's counts (reported, filed, dispatched, closed since local midnight; overdue now): read
// from the server at start, again shortly after every live change of a case (bursts read once), and every minute
// (midnight, lights turning red without an event). A failed read keeps the last counts, dimmed, and retries.
import { useEffect, useRef, useState } from 'react';
import { fetchToday, type TodayCounts } from '../../api/wall.js';
import { selectChanges, useCases } from '../../state/cases-store.js';
import type { MessageKey } from '../../i18n/index.js';
import { useT } from '../../components/Bilingual.js';
import { SoundToggle } from './urgent-alert.js';

/** A burst of live changes is read once, this long after its first. */
const SETTLE_MS = 1500;
const REFRESH_MS = 60_000;

const ITEMS: { k: keyof Omit<TodayCounts, 'date' | 'at'>; label: MessageKey }[] = [
  { k: 'reported', label: 'wl_reported' },
  { k: 'filed', label: 'wl_filed' },
  { k: 'dispatched', label: 'wl_dispatched' },
  { k: 'closed', label: 'wl_closed' },
  { k: 'overdue', label: 'wl_overdue' },
];

export function WallTicker() {
  const { t } = useT();
  const changes = useCases(selectChanges);
  const [counts, setCounts] = useState<TodayCounts | null>(null);
  const [stale, setStale] = useState(false);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const abort = useRef<AbortController | null>(null);

  const read = () => {
    abort.current?.abort();
    const ctl = new AbortController();
    abort.current = ctl;
    fetchToday(ctl.signal).then((c) => { setCounts(c); setStale(false); }, () => { if (!ctl.signal.aborted) setStale(true); });
  };

  useEffect(() => {
    read();
    const timer = setInterval(read, REFRESH_MS);
    return () => { clearInterval(timer); abort.current?.abort(); if (pending.current) clearTimeout(pending.current); };
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  // Every change of the held cases (a live event, an action's answer): read again once things settle.
  useEffect(() => {
    if (pending.current) return;
    pending.current = setTimeout(() => { pending.current = null; read(); }, SETTLE_MS);
  }, [changes]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <section className={`wall-ticker ${stale ? 'stale' : ''}`} data-testid="wall-ticker" aria-live="polite" title={stale ? t('wl_ticker_stale') : undefined}>
      <span className="wall-ticker-title">{t('wl_today')}</span>
      {ITEMS.map(({ k, label }) => (
        <span key={k} className={`wall-ticker-item ticker-${k}`} data-testid={`today-${k}`}>
          <span className="wall-ticker-n mono">{counts ? counts[k] : '–'}</span>
          <span className="wall-ticker-label">{t(label)}</span>
        </span>
      ))}
      <SoundToggle />
    </section>
  );
}
