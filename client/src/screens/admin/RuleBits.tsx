// Pieces the calendar and time-limit panels share: the loading / error state, a version's valid_from cell, the save
// row's message, and the save request with its outcome in the person's language.
import { useEffect, useState } from 'react';
import { useT } from '../../components/Bilingual.js';
import { formatFull, zoneAbbreviation } from '../../i18n/format.js';
import type { MessageKey } from '../../i18n/index.js';
import { errorKey } from './admin-rules.js';

export type PanelMessage = { kind: 'ok' | 'error'; key: MessageKey } | null;

/** Before the settings arrive: "loading", or why they could not be read. */
export function PanelWaiting({ testid, message }: { testid: string; message: PanelMessage }) {
  const { t } = useT();
  return <section className="ar-panel" data-testid={testid}>{message ? <p className="ar-msg ar-error">{t(message.key)}</p> : <p className="dim">{t('ar_loading')}</p>}</section>;
}

/** When a version takes effect, in district time, tagged when it is still ahead. */
export function ValidFromCell({ version, valid_from, now }: { version: number; valid_from: string; now: number }) {
  const { t } = useT();
  return (
    <td className="mono">{version === 0 ? '—' : `${formatFull(valid_from)} ${zoneAbbreviation(valid_from)}`}
      {Date.parse(valid_from) > now ? <span className="tag ar-tag">{t('ar_scheduled')}</span> : null}</td>
  );
}

/** The message after saving, else a problem of the form that stops saving. */
export function SaveMessage({ message, problem }: { message: PanelMessage; problem: MessageKey | null }) {
  const { t } = useT();
  if (message) return <span className={`ar-msg ${message.kind === 'ok' ? 'ar-ok' : 'ar-error'}`} role="status">{t(message.key)}</span>;
  return problem ? <span className="ar-msg ar-error">{t(problem)}</span> : null;
}

/** Runs a save; the outcome as a panel message (a new version, nothing new, or what went wrong). */
export async function saveOutcome(run: () => Promise<{ created: boolean }>): Promise<PanelMessage> {
  try {
    const r = await run();
    return { kind: 'ok', key: r.created ? 'ar_saved' : 'ar_unchanged' };
  } catch (e) {
    return { kind: 'error', key: errorKey(e) };
  }
}

/**
 * The state both panels keep: the settings read once from `fetcher` (`onLoad` sees them first), the save form's
 * valid_from and note, whether a save runs, and the message shown.
 */
export function useRuleSettings<V>(fetcher: (signal: AbortSignal) => Promise<V>, onLoad?: (v: V) => void) {
  const [view, setView] = useState<V | null>(null);
  const [validFrom, setValidFrom] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<PanelMessage>(null);
  useEffect(() => {
    const ac = new AbortController();
    fetcher(ac.signal).then((v) => { onLoad?.(v); setView(v); }, (e) => {
      if (!ac.signal.aborted) setMessage({ kind: 'error', key: errorKey(e) });
    });
    return () => ac.abort();
  }, []); // eslint-disable-line react-hooks/exhaustive-deps -- read once, when the panel opens
  return { view, setView, validFrom, setValidFrom, note, setNote, busy, setBusy, message, setMessage };
}
