// The map page: header, the map with its legend and readout, and the side panel.
import { useEffect } from 'react';
import { MapView } from './map/MapView.js';
import { rasterBasemap } from './map/style.js';
import { useMapHandle } from './map/map-handle.js';
import { Header } from './components/Header.js';
import { Legend } from './components/Legend.js';
import { MapReadout } from './components/MapReadout.js';
import { Notices } from './components/Notices.js';
import { DetailPanel } from './components/DetailPanel.js';
import { Overview } from './components/Overview.js';
import { useT } from './components/Bilingual.js';
import {
  selectConfig, selectConfigError, selectConfigStatus, selectLoadConfig, useConfig,
} from './state/config-store.js';
import { selectTarget, useSelection } from './state/selection-store.js';

export function App() {
  const status = useConfig(selectConfigStatus);
  const config = useConfig(selectConfig);
  const error = useConfig(selectConfigError);
  const load = useConfig(selectLoadConfig);
  const target = useSelection(selectTarget);
  const map = useMapHandle();
  const { t } = useT();

  useEffect(() => { if (status === 'idle') void load(); }, [status, load]);

  return (
    <div className="app">
      <Header />
      <main className="app-body">
        <div className="map-wrap">
          {config ? <MapView config={config} /> : null}
          {status === 'loading' || status === 'idle' ? <div className="map-msg"><span className="spinner" /> {t('loading')}</div> : null}
          {status === 'error' ? (
            <div className="map-msg error">
              <strong>{t('config_failed')}</strong>
              <div>{error}</div>
              <button type="button" onClick={() => void load()}>{t('retry')}</button>
            </div>
          ) : null}
          <Notices />
          {config ? <Legend hasRaster={rasterBasemap(config.basemap_url) !== null} /> : null}
          <MapReadout map={map} />
        </div>
        <aside className="side-panel">
          {target ? <DetailPanel /> : <Overview />}
        </aside>
      </main>
    </div>
  );
}
