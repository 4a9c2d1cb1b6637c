// Map legend and layer switches: component majors by colour, status rings, grid symbols.
import { useState } from 'react';
import { MAJOR_CODES, MAJOR_COLORS, STATUSES, STATUS_COLORS, THEME } from '../map/colors.js';
import { majorKey, statusKey, type MessageKey } from '../i18n/index.js';
import { selectToggleLayer, selectVisibility, useLayers, type LayerToggle } from '../state/layers-store.js';
import { useT } from './Bilingual.js';

const TOGGLES: { key: LayerToggle; label: MessageKey }[] = [
  { key: 'grids', label: 'layer_grids' },
  { key: 'components', label: 'layer_components' },
  { key: 'labels', label: 'layer_labels' },
];

function LegendBody({ hasRaster }: { hasRaster: boolean }) {
  const { t } = useT();
  const visible = useLayers(selectVisibility);
  const toggle = useLayers(selectToggleLayer);
  const toggles = hasRaster ? [...TOGGLES, { key: 'basemap' as const, label: 'layer_basemap' as const }] : TOGGLES;
  return (
    <>
      <ul className="legend-list">
        {MAJOR_CODES.map((code) => (
          <li key={code}>
            <span className="swatch-dot" style={{ background: MAJOR_COLORS[code] }} />
            <span className="legend-code">{code}</span>
            <span>{t(majorKey(code) ?? 'empty')}</span>
          </li>
        ))}
      </ul>
      <div className="legend-row statuses" title={t('status_ring')}>
        {STATUSES.map((s) => (
          <span key={s} className="status-sample">
            <span className="swatch-ring" style={{ borderColor: STATUS_COLORS[s] }} />
            {t(statusKey(s) ?? 'empty')}
          </span>
        ))}
      </div>
      <ul className="legend-list">
        <li><span className="swatch-box" style={{ borderColor: THEME.gridOutline }} />{t('layer_grids')}</li>
        <li><span className="swatch-box filled" style={{ borderColor: THEME.aggregatedOutline, background: THEME.aggregatedHigh }} />{t('grid_aggregated')}</li>
        <li><span className="swatch-cluster" />{t('cluster')}</li>
      </ul>
      <h3>{t('layers')}</h3>
      <div className="layer-toggles">
        {toggles.map(({ key, label }) => (
          <label key={key} className="toggle">
            <input type="checkbox" checked={visible[key]} onChange={() => toggle(key)} />
            <span>{t(label)}</span>
          </label>
        ))}
      </div>
    </>
  );
}

export function Legend({ hasRaster }: { hasRaster: boolean }) {
  const { t } = useT();
  const [open, setOpen] = useState(true);
  return (
    <section className={`legend ${open ? '' : 'collapsed'}`} aria-label={t('legend')}>
      <button type="button" className="legend-head" onClick={() => setOpen(!open)} aria-expanded={open}>
        <span>{t('legend')} · {t('layers')}</span>
        <span className="chevron">{open ? '▾' : '▸'}</span>
      </button>
      {open ? <LegendBody hasRaster={hasRaster} /> : null}
    </section>
  );
}
