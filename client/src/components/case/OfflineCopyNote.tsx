// "Offline copy, as of HH:MM" (issue 9): over the inspector's task list and over a case shown from the phone's
// offline copy (state/offline-cases.ts); and what to do when a case was not kept. Nothing for a live case.
import { useT } from '../Bilingual.js';
import type { MessageKey } from '../../i18n/index.js';
import { selectCopyAt, selectNotKept, useCaseDetail } from '../../state/case-detail-store.js';
import { copyTime } from '../../state/offline-cases.js';

export function OfflineCopyNote({ at, hint, testId }: { at: number | null; hint: MessageKey; testId: string }) {
  const { t } = useT();
  if (at === null) return null;
  return (
    <div className="panel-note info oc-note" role="status" data-testid={testId}>
      <strong>{t('oc_copy_as_of')} <span className="mono">{copyTime(at)}</span></strong>
      <div className="dim">{t(hint)}</div>
    </div>
  );
}

/** Over the open case: shown from the offline copy, or not kept on this phone. */
export function CaseCopyNote() {
  const at = useCaseDetail(selectCopyAt);
  const notKept = useCaseDetail(selectNotKept);
  const { t } = useT();
  if (notKept) return <div className="panel-note warning oc-note" role="status" data-testid="case-not-kept">{t('oc_not_kept')}</div>;
  return <OfflineCopyNote at={at} hint="oc_case_copy_hint" testId="case-offline-copy" />;
}
