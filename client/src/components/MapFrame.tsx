// The map area of a screen: the one MapView once the configuration is in (with the screen's overlay and click
// handling), the loading and error messages, notices and the cursor readout. Screens add their legends as children.
import type { ReactNode } from 'react';
import { MapView, type MapViewProps } from '../map/MapView.js';
import { fitBox, useMapHandle } from '../map/map-handle.js';
import { selectConfig, selectConfigError, selectConfigStatus, selectDistrict, selectLoadConfig, useConfig } from '../state/config-store.js';
import { MapReadout } from './MapReadout.js';
import { Notices } from './Notices.js';
import { useT } from './Bilingual.js';

/** A button under the zoom controls that brings the whole district back into view (after following cases around). */
function WholeDistrict({ padding }: { padding: MapViewProps['fitPadding'] }) {
  const district = useConfig(selectDistrict);
  const { t } = useT();
  if (!district?.bbox) return null; // a district without geometry (no grids loaded yet) has no box to show
  const bbox = district.bbox;
  return (
    <button type="button" className="whole-district" onClick={() => fitBox(bbox, 17, padding ?? 32)} title={t('whole_district')} data-testid="whole-district">
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M1.5 5.5v-4h4M10.5 1.5h4v4M14.5 10.5v4h-4M5.5 14.5h-4v-4" fill="none" stroke="currentColor" strokeWidth="1.6" /></svg>
      <span>{t('whole_district')}</span>
    </button>
  );
}

export function MapFrame({ children, readout = true, wholeDistrict = false, ...mapProps }: Omit<MapViewProps, 'config'> & { children?: ReactNode; readout?: boolean; wholeDistrict?: boolean }) {
  const status = useConfig(selectConfigStatus);
  const config = useConfig(selectConfig);
  const error = useConfig(selectConfigError);
  const load = useConfig(selectLoadConfig);
  const map = useMapHandle();
  const { t } = useT();
  return (
    <div className="map-wrap">
      {/* Created over the configured district once its configuration is in; a new district (another user signed in)
          makes a new map, as the map reads the configuration when it is created. */}
      {config && status === 'ready' ? <MapView key={config.district?.code ?? ''} config={config} {...mapProps} /> : null}
      {status === 'loading' || status === 'idle' ? <div className="map-msg"><span className="spinner" /> {t('loading')}</div> : null}
      {status === 'error' ? (
        <div className="map-msg error">
          <strong>{t('config_failed')}</strong>
          <div>{error}</div>
          <button type="button" onClick={() => void load()}>{t('retry')}</button>
        </div>
      ) : null}
      <Notices />
      {wholeDistrict && config ? <WholeDistrict padding={mapProps.fitPadding} /> : null}
      {children}
      {readout ? <MapReadout map={map} /> : null}
    </div>
  );
}
