// The side panel when nothing is selected: the district, its streets (click to fly there) and a hint. A user kept to a
// district (issue 12) sees that district's streets and communities only.
import { useEffect, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { fitBox } from '../map/map-handle.js';
import { selectDistrict, useConfig } from '../state/config-store.js';
import {
  communityCounts, selectCommunities, selectLoadRegions, selectRegionsError, selectRegionsStatus, selectStreets, useRegions,
} from '../state/regions-store.js';
import { regionsWithin } from '../state/kept-region.js';
import { selectUser, useSession } from '../state/session-store.js';
import { Bilingual, useT } from './Bilingual.js';

export function Overview() {
  const district = useConfig(selectDistrict);
  const status = useRegions(selectRegionsStatus);
  const district_code = useSession(selectUser)?.district_code ?? null;
  const allStreets = useRegions(useShallow(selectStreets));
  const allCommunities = useRegions(useShallow(selectCommunities));
  const streets = useMemo(() => regionsWithin(allStreets, district_code), [allStreets, district_code]);
  const communities = useMemo(() => regionsWithin(allCommunities, district_code), [allCommunities, district_code]);
  const error = useRegions(selectRegionsError);
  const load = useRegions(selectLoadRegions);
  const { t } = useT();
  const counts = useMemo(() => communityCounts(communities), [communities]);

  useEffect(() => { if (status === 'idle') void load(); }, [status, load]);

  return (
    <section className="overview">
      <div className="panel-bar"><span className="panel-bar-title"><Bilingual k="overview" /></span></div>
      {district ? (
        <div className="district-card">
          <div className="district-card-name">{district.name}</div>
          <div className="mono dim">{district.code}</div>
          <div className="stats">
            <div className="stat"><span className="stat-n">{status === 'ready' ? streets.length : '…'}</span><Bilingual k="streets" /></div>
            <div className="stat"><span className="stat-n">{status === 'ready' ? communities.length : '…'}</span><Bilingual k="communities" /></div>
          </div>
        </div>
      ) : <div className="panel-msg">{t('no_district')}</div>}
      <p className="hint">{t('click_hint')}<br /><span className="dim">{t('zoom_hint')}</span></p>
      {status === 'error' ? (
        <div className="panel-msg error">{error} <button type="button" onClick={() => void load()}>{t('retry')}</button></div>
      ) : null}
      {streets.length > 0 ? (
        <>
          <h4 className="subhead"><Bilingual k="streets" /></h4>
          <ul className="street-list">
            {streets.map((s) => (
              <li key={s.code}>
                <button type="button" onClick={() => { if (s.bbox) fitBox(s.bbox, 16); }} disabled={!s.bbox}>
                  <span className="street-name">{s.name}</span>
                  <span className="mono dim">{s.code}</span>
                  <span className="street-count">{counts[s.code] ?? 0}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
