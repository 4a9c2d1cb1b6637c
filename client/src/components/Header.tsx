// Top bar: product mark, district name and code, a clock, the language toggle.
import { useEffect, useState } from 'react';
import { selectDistrict, useConfig } from '../state/config-store.js';
import { selectToggleLang, useLang } from '../state/lang-store.js';
import { useT } from './Bilingual.js';

function Clock() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(id);
  }, []);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    <span className="clock" aria-label="clock">
      {now.getFullYear()}-{pad(now.getMonth() + 1)}-{pad(now.getDate())} {pad(now.getHours())}:{pad(now.getMinutes())}:{pad(now.getSeconds())}
    </span>
  );
}

export function Header() {
  const district = useConfig(selectDistrict);
  const toggle = useLang(selectToggleLang);
  const { t } = useT();
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true"><i /><i /><i /><i /></span>
        <span className="brand-name">Gridline</span>
        <span className="brand-sep" />
        <span className="brand-title">{t('app_title')}</span>
      </div>
      <div className="header-district" data-testid="district-name">
        {district ? (
          <>
            <span className="district-name">{district.name}</span>
            <span className="district-code">{district.code}</span>
          </>
        ) : <span className="muted">{t('no_district')}</span>}
      </div>
      <div className="header-right">
        <span className="header-sub">{t('app_subtitle')}</span>
        <Clock />
        <button type="button" className="lang-toggle" onClick={toggle} title={t('lang_toggle_title')}>
          {t('lang_toggle')}
        </button>
      </div>
    </header>
  );
}
