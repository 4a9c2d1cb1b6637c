// Choose the matter class of a report (GB/T 47678.5-2026 matters, 250 classes): suggested (a nearby component's
// anomaly), recent and frequent classes first, the ten majors to browse, and a search by Chinese or English name, code
// or pinyin (initials "lj" → 垃圾…, computed by pinyin-pro: state/class-search.ts). Large touch targets for a phone.
import { useMemo, useState } from 'react';
import type { MatterClass } from '../../api/types.js';
import { useT } from '../../components/Bilingual.js';
import { frequentCodes, searchClassesPinyin, useClassUsage } from '../../state/class-search.js';
import { selectClassList, selectClasses, selectReferenceStatus, useReference } from '../../state/reference-store.js';

const SHOWN = 40;

type Chosen = Pick<MatterClass, 'code' | 'name_zh' | 'name_en' | 'matter_kind'>;

function KindPill({ c }: { c: Pick<MatterClass, 'matter_kind'> }) {
  const { t } = useT();
  return <span className={`kind-pill kind-${c.matter_kind ?? 'event'}`}>{t(c.matter_kind === 'component_anomaly' ? 'kind_component_anomaly' : 'kind_event')}</span>;
}

function Option({ c, onPick, testId = 'class-option' }: { c: MatterClass; onPick: (c: MatterClass) => void; testId?: string }) {
  const { lang } = useT();
  return (
    <li>
      <button type="button" role="option" aria-selected={false} onClick={() => onPick(c)} data-testid={testId} data-code={c.code}>
        <span className="mono">{c.code}</span>
        <span className="class-name">{lang === 'zh' ? c.name_zh : c.name_en}</span>
        <KindPill c={c} />
      </button>
    </li>
  );
}

function Chips({ title, codes, onPick, testId }: { title: string; codes: readonly string[]; onPick: (c: MatterClass) => void; testId: string }) {
  const classes = useReference(selectClasses);
  const { lang } = useT();
  const list = codes.map((c) => classes[c]).filter((c): c is MatterClass => !!c);
  if (!list.length) return null;
  return (
    <div className="fd-chips" data-testid={testId}>
      <div className="fd-chips-head">{title}</div>
      <div className="fd-chips-row">
        {list.map((c) => (
          <button key={c.code} type="button" className="fd-chip" onClick={() => onPick(c)} data-testid={`${testId}-chip`} data-code={c.code}>
            {lang === 'zh' ? c.name_zh : c.name_en}
          </button>
        ))}
      </div>
    </div>
  );
}

export function ClassPicker({ value, onChange, suggested = [] }: { value: Chosen | null; onChange: (c: MatterClass | null) => void; suggested?: readonly string[] }) {
  const list = useReference(selectClassList);
  const status = useReference(selectReferenceStatus);
  const recent = useClassUsage((s) => s.recent);
  const counts = useClassUsage((s) => s.counts);
  const { t, lang } = useT();
  const [query, setQuery] = useState('');
  const [major, setMajor] = useState<string | null>(null);
  const found = useMemo(() => searchClassesPinyin(list, query), [list, query]);
  const frequent = useMemo(() => frequentCodes({ recent, counts }, 6, [...recent, ...suggested]), [recent, counts, suggested]);
  const majors = useMemo(() => {
    const m = new Map<string, { code: string; zh: string; en: string; n: number }>();
    for (const c of list) {
      const x = m.get(c.major_code) ?? { code: c.major_code, zh: c.major_name_zh, en: c.major_name_en, n: 0 };
      x.n++;
      m.set(c.major_code, x);
    }
    return [...m.values()];
  }, [list]);
  const pick = (c: MatterClass) => { useClassUsage.getState().use(c.code); onChange(c); setQuery(''); setMajor(null); };

  if (value) {
    return (
      <div className="class-chosen" data-testid="class-chosen" data-code={value.code}>
        <KindPill c={value} />
        <span className="mono">{value.code}</span>
        <span className="class-name">{lang === 'zh' ? value.name_zh : value.name_en}</span>
        <span className="grow" />
        <button type="button" className="link-btn" onClick={() => onChange(null)}>{t('change')}</button>
      </div>
    );
  }
  const q = query.trim();
  return (
    <div className="class-picker fd-picker">
      <input type="search" value={query} placeholder={t('fd_class_search_hint')} onChange={(e) => setQuery(e.target.value)} data-testid="class-search" aria-label={t('class_search')}
        autoComplete="off" autoCapitalize="off" spellCheck={false} />
      {status === 'loading' && !list.length ? <div className="dim"><span className="spinner" /> {t('loading')}</div> : null}
      {q ? (
        <ul className="class-options" role="listbox" data-testid="class-results">
          {found.slice(0, SHOWN).map((c) => <Option key={c.code} c={c} onPick={pick} />)}
          {!found.length ? <li className="dim">{t('fd_class_none')}</li> : null}
          {found.length > SHOWN ? <li className="dim more">… {found.length - SHOWN}</li> : null}
        </ul>
      ) : major ? (
        <ul className="class-options" role="listbox" data-testid="class-major-list">
          <li><button type="button" className="fd-back" onClick={() => setMajor(null)}>← {t('fd_class_back')}</button></li>
          {list.filter((c) => c.major_code === major).map((c) => <Option key={c.code} c={c} onPick={pick} />)}
        </ul>
      ) : (
        <>
          <Chips title={t('fd_class_suggested')} codes={suggested} onPick={pick} testId="class-suggested" />
          <Chips title={t('fd_class_recent')} codes={recent.filter((c) => !suggested.includes(c))} onPick={pick} testId="class-recent" />
          <Chips title={t('fd_class_frequent')} codes={frequent} onPick={pick} testId="class-frequent" />
          <div className="fd-chips">
            <div className="fd-chips-head">{t('fd_class_browse')}</div>
            <div className="fd-majors">
              {majors.map((m) => (
                <button key={m.code} type="button" className="fd-major" onClick={() => setMajor(m.code)} data-testid="class-major" data-code={m.code}>
                  <span>{lang === 'zh' ? m.zh : m.en}</span><span className="dim">{m.n}</span>
                </button>
              ))}
            </div>
          </div>
        </>
      )}
    </div>
  );
}
