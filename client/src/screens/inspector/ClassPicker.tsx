// Choose the matter class of a report: search by Chinese or English name or by code (GB/T 47678.5-2026 matters).
import { useMemo, useState } from 'react';
import type { MatterClass } from '../../api/types.js';
import { useT } from '../../components/Bilingual.js';
import { searchClasses, selectClassList, selectReferenceStatus, useReference } from '../../state/reference-store.js';

const SHOWN = 60;

export function ClassPicker({ value, onChange }: { value: Pick<MatterClass, 'code' | 'name_zh' | 'name_en' | 'matter_kind'> | null; onChange: (c: MatterClass | null) => void }) {
  const list = useReference(selectClassList);
  const status = useReference(selectReferenceStatus);
  const { t, lang } = useT();
  const [query, setQuery] = useState('');
  const found = useMemo(() => searchClasses(list, query), [list, query]);

  if (value) {
    return (
      <div className="class-chosen" data-testid="class-chosen">
        <span className={`kind-pill kind-${value.matter_kind ?? 'event'}`}>{t(value.matter_kind === 'component_anomaly' ? 'kind_component_anomaly' : 'kind_event')}</span>
        <span className="mono">{value.code}</span>
        <span className="class-name">{lang === 'zh' ? value.name_zh : value.name_en}</span>
        <span className="grow" />
        <button type="button" className="link-btn" onClick={() => onChange(null)}>{t('change')}</button>
      </div>
    );
  }
  return (
    <div className="class-picker">
      <input type="search" value={query} placeholder={t('class_search')} onChange={(e) => setQuery(e.target.value)} data-testid="class-search" aria-label={t('class_search')} />
      <ul className="class-options" role="listbox">
        {status === 'loading' && !list.length ? <li className="dim"><span className="spinner" /> {t('loading')}</li> : null}
        {found.slice(0, SHOWN).map((c) => (
          <li key={c.code}>
            <button type="button" role="option" aria-selected={false} onClick={() => { onChange(c); setQuery(''); }} data-testid="class-option" data-code={c.code}>
              <span className="mono">{c.code}</span>
              <span className="class-name">{lang === 'zh' ? c.name_zh : c.name_en}</span>
              <span className={`kind-pill kind-${c.matter_kind ?? 'event'}`}>{t(c.matter_kind === 'component_anomaly' ? 'kind_component_anomaly' : 'kind_event')}</span>
            </button>
          </li>
        ))}
        {found.length > SHOWN ? <li className="dim more">… {found.length - SHOWN}</li> : null}
      </ul>
    </div>
  );
}
