// The public pages' own header: the city's name, the other public page, the language switch. No staff navigation.
import { useT } from '../../components/Bilingual.js';
import { selectConfig, useConfig } from '../../state/config-store.js';
import { useLang } from '../../state/lang-store.js';
import { PATHS, selectNavigate, useRoute } from '../../state/route-store.js';

export function PublicHeader({ other }: { other: 'public_report' | 'public_track' }) {
  const { t } = useT();
  const config = useConfig(selectConfig);
  const navigate = useRoute(selectNavigate);
  const district = config?.district?.name ?? '';
  return (
    <header className="pb-header">
      <div className="pb-brand">
        <span className="pb-city">{district}</span>
        <span className="pb-site">{t('pb_site')}</span>
      </div>
      <nav className="pb-nav">
        <a href={PATHS[other]} onClick={(e) => { e.preventDefault(); navigate(PATHS[other]); }} data-testid={`pb-nav-${other}`}>
          {t(other === 'public_track' ? 'pb_track_link' : 'pb_report_link')}
        </a>
        <button type="button" className="pb-lang" onClick={() => useLang.getState().toggle()} data-testid="pb-lang">{t('pb_lang')}</button>
      </nav>
    </header>
  );
}
