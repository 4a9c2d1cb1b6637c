// Failed requests and map errors, stacked at the top of the map until dismissed.
import { selectDismissNotice, selectNotices, useNotices } from '../state/notices-store.js';
import { useT } from './Bilingual.js';

export function Notices() {
  const list = useNotices(selectNotices);
  const dismiss = useNotices(selectDismissNotice);
  const { t } = useT();
  if (list.length === 0) return null;
  return (
    <div className="notices" role="status">
      {list.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`}>
          <span className="notice-text">{n.message}{n.count > 1 ? ` (×${n.count})` : ''}</span>
          <button type="button" onClick={() => dismiss(n.id)} aria-label={t('close')}>×</button>
        </div>
      ))}
    </div>
  );
}
