// The district map (public, and for every role): grids, components and their details; no cases.
import { rasterBasemap } from '../../map/style.js';
import { MapFrame } from '../../components/MapFrame.js';
import { Legend } from '../../components/Legend.js';
import { DetailPanel } from '../../components/DetailPanel.js';
import { Overview } from '../../components/Overview.js';
import { selectConfig, useConfig } from '../../state/config-store.js';
import { selectTarget, useSelection } from '../../state/selection-store.js';

export function DistrictScreen() {
  const config = useConfig(selectConfig);
  const target = useSelection(selectTarget);
  return (
    <main className="app-body">
      <MapFrame>
        {config ? <Legend hasRaster={rasterBasemap(config.basemap_url) !== null} /> : null}
      </MapFrame>
      <aside className="side-panel">
        {target ? <DetailPanel /> : <Overview />}
      </aside>
    </main>
  );
}
