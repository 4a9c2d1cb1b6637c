// Cursor coordinates, zoom and the grid under the pointer. Written straight into the DOM on each
// mouse move: the camera never goes through React state (docs/style.md anti-pattern 12).
import { useEffect, useRef } from 'react';
import type { Map as MaplibreMap } from 'maplibre-gl';
import { LAYER } from '../map/style.js';
import { useT } from './Bilingual.js';

export function MapReadout({ map }: { map: MaplibreMap | null }) {
  const lon = useRef<HTMLSpanElement>(null);
  const lat = useRef<HTMLSpanElement>(null);
  const zoom = useRef<HTMLSpanElement>(null);
  const grid = useRef<HTMLSpanElement>(null);
  const { t } = useT();

  useEffect(() => {
    if (!map) return;
    let frame = 0;
    const showZoom = () => { if (zoom.current) zoom.current.textContent = map.getZoom().toFixed(2); };
    const onMove = (e: { lngLat: { lng: number; lat: number }; point: { x: number; y: number } }) => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (lon.current) lon.current.textContent = e.lngLat.lng.toFixed(6);
        if (lat.current) lat.current.textContent = e.lngLat.lat.toFixed(6);
        const f = map.getLayer(LAYER.gridsFill)
          ? map.queryRenderedFeatures([e.point.x, e.point.y], { layers: [LAYER.gridsFill] })[0]
          : undefined;
        if (grid.current) grid.current.textContent = f?.properties?.code ? String(f.properties.code) : '—';
      });
    };
    showZoom();
    map.on('zoom', showZoom);
    map.on('mousemove', onMove);
    return () => {
      cancelAnimationFrame(frame);
      map.off('zoom', showZoom);
      map.off('mousemove', onMove);
    };
  }, [map]);

  return (
    <div className="readout" data-testid="readout">
      <span className="readout-item"><em>{t('lon')}</em><span ref={lon}>—</span></span>
      <span className="readout-item"><em>{t('lat')}</em><span ref={lat}>—</span></span>
      <span className="readout-item"><em>{t('zoom')}</em><span ref={zoom}>—</span></span>
      <span className="readout-item"><em>{t('kind_grid')}</em><span ref={grid} className="mono">—</span></span>
    </div>
  );
}
