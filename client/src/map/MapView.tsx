// The imperative island: one maplibre Map, created once, owning the camera. React tells it what is
// selected and which layers are on; it tells React what was clicked. Labels are deck.gl TextLayers
// rebuilt from the features on screen after each move (no glyph server needed, Chinese included).
// A screen may add its own deck.gl layers (`overlay`: a pure builder over its state, called again per animation
// frame with the pulse phase when `animate`) and take clicks first (`onClick`, with what it picked among `pickLayerIds`).
import { useEffect, useRef, useState } from 'react';
import {
  AttributionControl,
  Map as MaplibreMap,
  NavigationControl,
  ScaleControl,
  setWorkerUrl,
  type GeoJSONSource,
  type MapGeoJSONFeature,
  type PointLike,
} from 'maplibre-gl';
import { MapboxOverlay } from '@deck.gl/mapbox';
import type { Layer } from '@deck.gl/core';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { ClientConfig } from '../api/types.js';
import { locateGrid } from '../api/grids.js';
import { useLayers, selectVisibility } from '../state/layers-store.js';
import { openDetail, selectSelectedGeometry, useSelection } from '../state/selection-store.js';
import { useNotices } from '../state/notices-store.js';
import { buildStyle, INTERACTIVE_LAYERS, LAYER, SOURCE, TOGGLE_LAYERS } from './style.js';
import { clusterLabels, declutter, gridLabels, labelsVisibleAt, NO_LABEL_SCALE, regionLabels, roadLabels, type Label, type LabelScale } from './labels.js';
import { labelLayers } from './layers/labels.js';
import { decideClick, type PickFeature } from './pick.js';
import { geometryBox } from './geometry.js';
import { attachMap, fitBox } from './map-handle.js';
import type { LayerToggle } from '../state/layers-store.js';

// The worker is bundled as our own asset: nothing is fetched from anywhere but this origin.
setWorkerUrl(workerUrl);

/** Beijing's centre, used only when the server has no district yet. */
const FALLBACK_CENTER: [number, number] = [116.404, 39.915];

/** Tile URLs in error messages differ per tile; one notice per kind of failure is enough. */
function errorKey(message: string): string {
  return message.replace(/\/\d+\/\d+\/\d+\.mvt/g, '/{z}/{x}/{y}.mvt');
}

function sameLabels(a: readonly Label[], b: readonly Label[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].id !== b[i].id || a[i].text !== b[i].text
      || a[i].position[0] !== b[i].position[0] || a[i].position[1] !== b[i].position[1]) return false;
  }
  return true;
}

function collectLabels(map: MaplibreMap, s: LabelScale = NO_LABEL_SCALE): Label[] {
  const z = map.getZoom();
  const q = (layer: string) => map.queryRenderedFeatures({ layers: [layer] }) as unknown as PickFeature[];
  const out: Label[] = [];
  if (labelsVisibleAt('street', z)) out.push(...regionLabels(q(LAYER.streetsFill), 'street'));
  if (labelsVisibleAt('community', z)) out.push(...regionLabels(q(LAYER.communitiesOutline), 'community'));
  if (labelsVisibleAt('road', z) && map.getLayer(LAYER.roads)) out.push(...roadLabels(q(LAYER.roads)));
  if (labelsVisibleAt('grid', z)) out.push(...gridLabels(q(LAYER.gridsFill), z, s));
  if (labelsVisibleAt('cluster', z)) out.push(...clusterLabels(q(LAYER.clusters)));
  const canvas = map.getCanvas();
  const viewport = { width: canvas.clientWidth, height: canvas.clientHeight };
  return declutter(out, (p) => { const pt = map.project(p); return [pt.x, pt.y]; }, viewport, 4 * s.scale, s);
}

function nearestFirst(map: MaplibreMap, features: MapGeoJSONFeature[], x: number, y: number): MapGeoJSONFeature[] {
  const d = (f: MapGeoJSONFeature) => {
    if (f.geometry.type !== 'Point') return Infinity;
    const p = map.project([f.geometry.coordinates[0], f.geometry.coordinates[1]]);
    return (p.x - x) ** 2 + (p.y - y) ** 2;
  };
  return [...features].sort((a, b) => d(a) - d(b));
}

/** Period of the overlay's pulse animation, and the frame rate it is drawn at (a wall, not a game). */
const PULSE_MS = 1600;
const FRAME_MS = 1000 / 24;

/** Builds the screen's deck.gl layers; `phase` in [0, 1) runs round once per pulse period. */
export type OverlayBuilder = (frame: { phase: number }) => Layer[];

/** A click on the map: where, and the topmost overlay object under it among `pickLayerIds`. */
export type MapClick = { lngLat: [number, number]; picked: { layerId: string; object: unknown } | null };

export type MapViewProps = {
  config: ClientConfig;
  overlay?: OverlayBuilder;
  animate?: boolean;
  pickLayerIds?: readonly string[];
  /** Return true when the screen has handled the click; otherwise the map's own grid/component selection runs. */
  onClick?: (click: MapClick) => boolean;
  /** The pointer over the map when it is not over something pickable (e.g. 'crosshair' while choosing a point). */
  cursor?: string;
  /** Padding when fitting the district at start (room for panels floating over the map). */
  fitPadding?: number | { top: number; bottom: number; left: number; right: number };
  /** Label sizes on this screen (the wall: its type scale); default LABEL_SIZE as is. */
  labelScale?: LabelScale;
};

export function MapView(props: MapViewProps) {
  const { config, overlay: overlayBuilder, animate = false } = props;
  const containerRef = useRef<HTMLDivElement>(null);
  const overlayRef = useRef<MapboxOverlay | null>(null);
  /** The latest props, for the map's event handlers (registered once). */
  const propsRef = useRef(props);
  propsRef.current = props;
  /** The label layers, rebuilt only when the labels change (not per animation frame). */
  const labelLayersRef = useRef<Layer[]>([]);
  /** Set once the style has loaded: sources and layers exist from then on. */
  const [map, setMap] = useState<MaplibreMap | null>(null);
  const [labels, setLabels] = useState<Label[]>([]);
  const visibility = useLayers(selectVisibility);
  const selectedGeometry = useSelection(selectSelectedGeometry);

  // Create the map once. Config is fixed for the page's life, so it is read here and not a dependency.
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const push = useNotices.getState().push;
    const bbox = config.district?.bbox;
    const m = new MaplibreMap({
      container,
      style: buildStyle({
        origin: window.location.origin,
        basemapUrl: config.basemap_url,
        visibility: useLayers.getState().visible,
      }),
      ...(bbox
        ? { bounds: [[bbox[0], bbox[1]], [bbox[2], bbox[3]]] as [[number, number], [number, number]], fitBoundsOptions: { padding: props.fitPadding ?? 32 } }
        : { center: FALLBACK_CENTER, zoom: 11 }),
      maxZoom: 20,
      minZoom: 3,
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
    });
    m.touchZoomRotate.disableRotation();
    m.keyboard.disableRotation();
    m.addControl(new NavigationControl({ showCompass: false }), 'top-left');
    m.addControl(new ScaleControl({ maxWidth: 120, unit: 'metric' }), 'bottom-right');
    m.addControl(new AttributionControl({ compact: true, customAttribution: 'Gridline' }), 'bottom-right');

    const overlay = new MapboxOverlay({ interleaved: false, layers: [] });
    m.addControl(overlay);
    overlayRef.current = overlay;

    // Labels follow the map: recomputed shortly after it settles or after new tiles arrive.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const scheduleLabels = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (!m.getLayer(LAYER.background)) return; // style not parsed yet
        const next = collectLabels(m, propsRef.current.labelScale);
        setLabels((prev) => (sameLabels(prev, next) ? prev : next));
      }, 120);
    };
    m.on('moveend', scheduleLabels);
    m.on('idle', scheduleLabels);
    m.on('sourcedata', (e) => { if (e.tile && !m.isMoving()) scheduleLabels(); });

    // Hover: highlight the grid (or community) under the pointer, pointer cursor on anything clickable.
    let hovered: string | number | null = null;
    const setHover = (id: string | number | null) => {
      if (id === hovered) return;
      if (hovered !== null) m.setFeatureState({ source: SOURCE.grids, sourceLayer: 'grids', id: hovered }, { hover: false });
      hovered = id;
      if (id !== null) m.setFeatureState({ source: SOURCE.grids, sourceLayer: 'grids', id }, { hover: true });
    };
    const pickOverlay = (x: number, y: number): MapClick['picked'] => {
      const ids = propsRef.current.pickLayerIds;
      if (!ids?.length || !overlayRef.current) return null;
      const info = overlayRef.current.pickObject({ x, y, radius: 6, layerIds: [...ids] });
      return info?.object && info.layer ? { layerId: info.layer.id, object: info.object } : null;
    };
    m.on('mousemove', (e) => {
      if (pickOverlay(e.point.x, e.point.y)) { m.getCanvas().style.cursor = 'pointer'; setHover(null); return; }
      if (propsRef.current.onClick) { m.getCanvas().style.cursor = propsRef.current.cursor ?? ''; setHover(null); return; }
      const hits = m.queryRenderedFeatures(e.point, { layers: [...INTERACTIVE_LAYERS] });
      m.getCanvas().style.cursor = hits.length ? 'pointer' : '';
      const area = hits.find((f) => f.layer.id === LAYER.gridsFill || f.layer.id === LAYER.aggregatedFill);
      setHover(area?.id ?? null);
    });
    m.on('mouseout', () => setHover(null));

    m.on('click', (e) => {
      const { x, y } = e.point;
      const handler = propsRef.current.onClick;
      if (handler && handler({ lngLat: [e.lngLat.lng, e.lngLat.lat], picked: pickOverlay(x, y) })) return;
      const box: [PointLike, PointLike] = [[x - 6, y - 6], [x + 6, y + 6]];
      const points = nearestFirst(m, m.queryRenderedFeatures(box, { layers: [LAYER.components, LAYER.clusters] }), x, y);
      const areas = m.queryRenderedFeatures(e.point, { layers: [LAYER.gridsFill, LAYER.aggregatedFill] });
      const action = decideClick([...points, ...areas] as unknown as PickFeature[], [e.lngLat.lng, e.lngLat.lat], m.getZoom());
      switch (action.kind) {
        case 'select': void openDetail(action.target); break;
        case 'zoom': m.easeTo({ center: action.center, zoom: action.zoom, duration: 600 }); break;
        case 'clear': useSelection.getState().clear(); break;
        case 'locate':
          locateGrid(e.lngLat.lng, e.lngLat.lat)
            .then((g) => (g ? openDetail({ kind: 'grid', code: g.code }) : useSelection.getState().clear()))
            .catch((err: Error) => push('error', err.message));
          break;
      }
    });

    m.on('error', (e) => {
      const message = e.error?.message ?? 'Map error';
      console.error('[map]', message);
      push('error', errorKey(message));
    });

    m.once('load', () => { attachMap(m, overlay); setMap(m); });
    return () => {
      clearTimeout(timer);
      attachMap(null);
      overlayRef.current = null;
      m.remove();
    };
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  // Layer toggles → layout visibility.
  useEffect(() => {
    if (!map) return;
    for (const [toggle, ids] of Object.entries(TOGGLE_LAYERS) as [LayerToggle, readonly string[]][]) {
      for (const id of ids) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', visibility[toggle] ? 'visible' : 'none');
    }
  }, [map, visibility]);

  // Labels → deck.gl layers (rebuilt whole; deck.gl diffs by layer id), then the screen's overlay on top.
  const draw = (phase: number) => {
    overlayRef.current?.setProps({ layers: [...labelLayersRef.current, ...(propsRef.current.overlay?.({ phase }) ?? [])] });
  };
  useEffect(() => {
    labelLayersRef.current = labelLayers(labels, visibility.labels, props.labelScale);
    draw((performance.now() % PULSE_MS) / PULSE_MS);
  }, [map, labels, visibility.labels, overlayBuilder, props.labelScale?.scale, props.labelScale?.min_px]); // eslint-disable-line react-hooks/exhaustive-deps

  // The pulse: redraw the overlay at FRAME_MS with a new phase. Only layer props change per frame, never data.
  useEffect(() => {
    if (!map || !animate) return;
    let frame = 0;
    let last = 0;
    const loop = (t: number) => {
      frame = requestAnimationFrame(loop);
      if (t - last < FRAME_MS) return;
      last = t;
      draw((t % PULSE_MS) / PULSE_MS);
    };
    frame = requestAnimationFrame(loop);
    return () => cancelAnimationFrame(frame);
  }, [map, animate]); // eslint-disable-line react-hooks/exhaustive-deps

  // Selection → highlight source; bring it into view when it is off screen (e.g. picked from the panel).
  useEffect(() => {
    if (!map) return;
    map.getSource<GeoJSONSource>(SOURCE.selection)?.setData(selectedGeometry
      ? { type: 'Feature', properties: {}, geometry: selectedGeometry }
      : { type: 'FeatureCollection', features: [] });
    const box = geometryBox(selectedGeometry);
    if (!box) return;
    const view = map.getBounds();
    if (!view.contains([box[0], box[1]]) || !view.contains([box[2], box[3]])) fitBox(box, Math.max(map.getZoom(), 16));
  }, [map, selectedGeometry]);

  return <div ref={containerRef} className="map-view" data-testid="map" />;
}
