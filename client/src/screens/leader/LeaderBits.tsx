// Small shared pieces of the leader screen: a slot's loading / failed state, the grade badge, the origin tag of a
// case, and the download button (fetched with the session's token, saved as a file).
import { useState, type ReactNode } from 'react';
import { fetchDownload, type CaseOrigin, type Grade } from '../../api/leader.js';
import { useT } from '../../components/Bilingual.js';
import { selectToken, useSession } from '../../state/session-store.js';
import { useNotices } from '../../state/notices-store.js';
import type { Slot } from '../../state/leader-store.js';
import { gradeColor } from './scales.js';

/** Loading spinner or failure (with the UI's own message, the server's as a hover, and Retry) of a slot. */
export function SlotState({ slot, retry, children, compact = false }: { slot: Slot<unknown>; retry: () => void; children?: ReactNode; compact?: boolean }) {
  const { t } = useT();
  if (slot.status === 'error') {
    return (
      <div className={`ld-state error ${compact ? 'compact' : ''}`} role="alert" data-testid="ld-error" title={slot.error ?? ''}>
        <span>{t('ld_load_failed')}</span>
        <button type="button" className="ld-btn" onClick={retry}>{t('retry')}</button>
      </div>
    );
  }
  if (slot.status === 'loading' && slot.data == null) {
    return <div className={`ld-state ${compact ? 'compact' : ''}`}><span className="spinner" /> {t('ld_loading')}</div>;
  }
  return <>{children}</>;
}

export function GradeBadge({ grade }: { grade: Grade | null }) {
  const { t } = useT();
  return (
    <span className={`ld-grade ${grade ? `g-${grade}` : 'none'}`} style={{ color: gradeColor(grade), borderColor: gradeColor(grade) }}
      data-testid="grade" data-grade={grade ?? ''} title={grade ? t('ld_grades_legend') : t('ld_no_data_hint')}>
      {grade ?? '—'}
    </span>
  );
}

export function OriginTag({ origin }: { origin: CaseOrigin | undefined }) {
  const { t } = useT();
  if (!origin || origin === 'live') return null;
  return <span className={`tag ld-origin ${origin}`} data-testid="origin-tag" data-origin={origin}>{t(origin === 'simulated' ? 'ld_origin_simulated' : 'ld_origin_imported')}</span>;
}

/** Saves a blob under `name` through a temporary link. */
function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A button that fetches `url` with the session's token and saves the answer (the server's file name, else `name`). */
export function DownloadButton({ url, name, label, testId, className }: { url: string; name: string; label: ReactNode; testId?: string; className?: string }) {
  const token = useSession(selectToken);
  const [busy, setBusy] = useState(false);
  const { t } = useT();
  const run = async () => {
    setBusy(true);
    try {
      const { blob, name: proposed } = await fetchDownload(url, token);
      save(blob, proposed ?? name);
    } catch (e) {
      useNotices.getState().push('error', `${t('ld_download_failed')} (${(e as Error).message})`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" className={`ld-btn ld-download ${className ?? ''}`} onClick={() => void run()} disabled={busy} data-testid={testId} data-url={url}>
      {busy ? <><span className="spinner" /> {t('ld_downloading')}</> : label}
    </button>
  );
}
