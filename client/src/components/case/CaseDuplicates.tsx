// The duplicate flag of an open case (issue 10): the open cases of its class nearby that the user may see
// (GET /api/cases/duplicates, this case left out), each with its distance and a side-by-side view with the merge.
import { useCallback, useEffect, useState } from 'react';
import { fetchDuplicates, type DuplicateCandidate } from '../../api/intake.js';
import type { CaseDetail } from '../../api/types.js';
import { openCase } from '../../state/case-detail-store.js';
import { OPEN_STATUSES } from '../../../../server/domain/workflow.js';
import { useT } from '../Bilingual.js';
import { CaseStatusChip } from './CaseBits.js';
import { CaseCompare } from './CaseCompare.js';
import './duplicates.css';

export function CaseDuplicates({ detail }: { detail: CaseDetail }) {
  const { t } = useT();
  const [items, setItems] = useState<DuplicateCandidate[]>([]);
  const [comparing, setComparing] = useState<DuplicateCandidate | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const open = OPEN_STATUSES.includes(detail.status) && !detail.merged_into;
  const { id, lon, lat, class_code, version } = detail;

  const load = useCallback((signal?: AbortSignal) => {
    if (!open) { setItems([]); return; }
    fetchDuplicates({ lon, lat, class_code, exclude: id }, signal)
      .then((r) => setItems(r.items))
      .catch(() => setItems([])); // the flag is a hint: without an answer it stays away, the case reads as usual
  }, [open, id, lon, lat, class_code]);
  useEffect(() => {
    const ac = new AbortController();
    load(ac.signal);
    return () => ac.abort();
  }, [load, version]);
  useEffect(() => setDone(null), [id]);

  if (!items.length && !done) return null;
  return (
    <section className="dup-flag" data-testid="duplicate-flag" aria-label={t('dup_flag')}>
      {done ? <div className="panel-note info" role="status" data-testid="merge-done">{done}</div> : null}
      {items.length ? (
        <>
          <div className="dup-flag-head">
            <span className="tag tag-dup">{t('dup_flag')}</span>
            <span>{t('dup_count').replace('{n}', String(items.length))}</span>
          </div>
          <ul className="dup-list">
            {items.map((c) => (
              <li key={c.id} data-testid="duplicate-item" data-case={c.case_no}>
                <span className="mono">{c.case_no}</span>
                <CaseStatusChip status={c.status} />
                <span className="dim">{t('in_meters').replace('{m}', String(c.distance_m))}</span>
                <span className="grow" />
                <button type="button" className="action-btn" onClick={() => setComparing(c)} data-testid="compare-open">{t('dup_compare')}</button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {comparing ? (
        <CaseCompare thisId={id} otherId={comparing.id} distance={comparing.distance_m} onClose={() => setComparing(null)}
          onMerged={(from, into) => {
            setComparing(null);
            setDone(t('dup_merged').replace('{a}', from).replace('{b}', into));
            void openCase(id); // this case changed (void, or a merge entry on its trail)
            load();
          }} />
      ) : null}
    </section>
  );
}
