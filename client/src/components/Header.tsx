// Top bar: product mark, district name and code, then (signed in) the screens of the user's roles and the live
// link's state, a clock, the user and sign-out (signed out: sign in), the language toggle.
import { useEffect, useState } from 'react';
import { selectDistrict, useConfig } from '../state/config-store.js';
import { selectToggleLang, useLang } from '../state/lang-store.js';
import { selectLive, useCases } from '../state/cases-store.js';
import { PATHS, screenFor, screensOf, selectNavigate, selectPath, useRoute, type Screen } from '../state/route-store.js';
import { selectLogout, selectUser, useSession } from '../state/session-store.js';
import { roleKey, tOr, type MessageKey } from '../i18n/index.js';
import { displayZone, formatFull, zoneAbbreviation } from '../i18n/format.js';
import { useT } from './Bilingual.js';
import { CaseSearchBox } from './case/CaseSearchBox.js';
import { ScreenNav } from './ScreenNav.js';

/** The district's time, like every time on screen (i18n/format.ts), whatever the browser's zone, with the zone's name. */
function Clock() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(id);
  }, []);
  const iso = now.toISOString();
  return <span className="clock" aria-label="clock" data-zone={displayZone()}>{formatFull(iso)} <small className="clock-zone">{zoneAbbreviation(iso)}</small></span>;
}

const NAV_LABEL: Record<Screen, MessageKey> = {
  wall: 'nav_wall', inspector: 'nav_inspector', crew: 'nav_crew', district: 'nav_district', login: 'sign_in',
  leader: 'nav_leader', search: 'nav_search', report: 'nav_report', intake: 'nav_intake', admin: 'nav_admin', supervision: 'nav_supervision',
  public_report: 'pb_report_link', public_track: 'pb_track_link', public_transparency: 'nav_transparency',
};

function LiveState() {
  const live = useCases(selectLive);
  const { t } = useT();
  const key: MessageKey = live === 'open' ? 'live_open' : live === 'connecting' ? 'live_connecting' : live === 'error' ? 'live_error' : 'live_off';
  return <span className={`live-state live-${live}`} data-testid="live-state" data-live={live}><i aria-hidden="true" />{t(key)}</span>;
}

export function Header() {
  const district = useConfig(selectDistrict);
  const toggle = useLang(selectToggleLang);
  const user = useSession(selectUser);
  const logout = useSession(selectLogout);
  const path = useRoute(selectPath);
  const navigate = useRoute(selectNavigate);
  const { t, lang } = useT();
  const current = screenFor(path, user);
  const screens = screensOf(user);
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true"><i /><i /><i /><i /></span>
        <span className="brand-name">Gridline</span>
        <span className="brand-sep" />
        <span className="brand-title">{t('app_title')}</span>
        {user && screens.length > 1 ? (
          // As many screen links as fit on the line; the rest under "More" (ScreenNav), so the header never wraps or overlaps.
          <ScreenNav screens={screens} current={current} labels={NAV_LABEL} onGo={(s) => navigate(PATHS[s])} />
        ) : null}
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
        <CaseSearchBox current={current} />
        {user ? <LiveState /> : <span className="header-sub">{t('app_subtitle')}</span>}
        <Clock />
        {user ? (
          <span className="user-chip" data-testid="user-chip">
            <span className="user-role">{user.roles.map((r) => tOr(lang, roleKey(r), r)).join(' · ')}</span>
            <span className="user-name" title={user.display_name ?? user.username}>{user.username}</span>
            <button type="button" className="link-btn" onClick={() => { void logout().then(() => navigate(PATHS.login)); }} data-testid="sign-out">{t('sign_out')}</button>
          </span>
        ) : current !== 'login' ? (
          <button type="button" className="sign-in-btn" onClick={() => navigate(PATHS.login)} data-testid="sign-in">{t('sign_in')}</button>
        ) : null}
        <button type="button" className="lang-toggle" onClick={toggle} title={t('lang_toggle_title')}>
          {t('lang_toggle')}
        </button>
      </div>
    </header>
  );
}
