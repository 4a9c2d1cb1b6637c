// Under the report's point (issue 9): the nearest street address and the grid, an immediate message when the point is
// outside the district, and the components within 30 m — choosing one sets the report's component and its class
// (the matter class of a component's anomaly has the component's class code: docs/domain.md §2); a tap on a component's
// marker on the map chooses it the same way (InspectorScreen).
import { useEffect, useRef } from 'react';
import { useT } from '../../components/Bilingual.js';
import type { NearComponent } from '../../api/field.js';
import { lookUpPoint, selectNearby, selectNearbyStatus, selectPlace, selectPlaceStatus, useField } from '../../state/field-store.js';
import { useReference } from '../../state/reference-store.js';
import { useClassUsage } from '../../state/class-search.js';
import { FIELD_LAYER } from '../../map/layers/nearby.js';
import { selectDraft, useReport } from '../../state/report-store.js';

/** Looks up the address and nearby components whenever the report's point moves. */
export function usePointLookup(): void {
  const point = useReport((s) => s.draft.point);
  const lon = point?.lon;
  const lat = point?.lat;
  useEffect(() => { if (lon !== undefined && lat !== undefined) void lookUpPoint(lon, lat); }, [lon, lat]);
}

/** Chooses a nearby component for the report: its id, and the matter class of its anomaly. */
export function chooseComponent(c: NearComponent | null): void {
  const r = useReport.getState();
  r.setComponent(c ? { id: c.id, class_code: c.class_code, class_name_zh: c.class_name_zh, class_name_en: c.class_name_en, distance_m: c.distance_m } : null);
  if (!c) return;
  const cls = useReference.getState().classes[c.class_code];
  if (cls && cls.matter_kind === 'component_anomaly') {
    r.setClass({ code: cls.code, name_zh: cls.name_zh, name_en: cls.name_en, matter_kind: cls.matter_kind });
    useClassUsage.getState().use(cls.code); // a class chosen through its component is a class used
  }
}

/**
 * A tap on the map that picked a nearby component's marker (FIELD_LAYER.nearby): chooses it as the list does, or
 * unchooses it when it was the chosen one. Returns whether the tap was such a pick.
 */
export function tapNearby(picked: { layerId: string; object: unknown }): boolean {
  if (picked.layerId !== FIELD_LAYER.nearby) return false;
  const c = picked.object as NearComponent;
  chooseComponent(useReport.getState().draft.component?.id === c.id ? null : c);
  return true;
}

export function PlaceInfo() {
  const draft = useReport(selectDraft);
  const place = useField(selectPlace);
  const status = useField(selectPlaceStatus);
  const { t } = useT();
  usePointLookup();
  if (!draft.point) return null;
  if (draft.point.grid === null || (status === 'ready' && place && !place.grid)) {
    return <div className="panel-note error fd-outside" role="alert" data-testid="report-outside">{t('fd_outside')}</div>;
  }
  return (
    <div className="fd-place" data-testid="report-address">
      {status === 'loading' ? <div className="dim"><span className="spinner" /> {t('loading')}</div> : null}
      {status === 'error' ? <div className="dim">{t('fd_address_failed')}</div> : null}
      {status === 'ready' && place ? (
        <>
          <div className="fd-address">
            <span className="fd-label">{t('fd_address')}</span>
            {place.road ? <strong data-testid="report-road">{place.road.name}</strong> : <span className="dim">{t('fd_address_none')}</span>}
            {place.road ? <span className="dim"> · {t('fd_address_near')} {place.road.distance_m} m</span> : null}
          </div>
          {place.grid ? (
            <div className="fd-grid-line dim">
              {[place.grid.street_name, place.grid.community_name].filter(Boolean).join(' · ')}
              {' · '}<span className="mono">{place.grid.code}</span>
            </div>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

export function NearbyComponents() {
  const draft = useReport(selectDraft);
  const items = useField(selectNearby);
  const status = useField(selectNearbyStatus);
  const { t, lang } = useT();
  const chosen = draft.component?.id ?? null;
  const listRef = useRef<HTMLUListElement>(null);
  // Chosen by a tap on its marker: bring its entry into view under the map (a no-op when chosen here).
  useEffect(() => {
    if (chosen) listRef.current?.querySelector<HTMLElement>('.fd-nearby-item.chosen')?.scrollIntoView?.({ block: 'nearest' });
  }, [chosen]);
  if (!draft.point || draft.point.grid === null) return null;
  return (
    <div className="fd-nearby" data-testid="nearby-components">
      <div className="fd-chips-head">{t('fd_nearby')}</div>
      {status === 'loading' ? <div className="dim"><span className="spinner" /> {t('loading')}</div> : null}
      {status === 'error' ? <div className="dim">{t('fd_nearby_failed')}</div> : null}
      {status === 'ready' && !items.length ? <div className="dim">{t('fd_nearby_none')}</div> : null}
      <ul className="fd-nearby-list" ref={listRef}>
        {items.slice(0, 8).map((c) => (
          <li key={c.id}>
            <button type="button" className={`fd-nearby-item ${chosen === c.id ? 'chosen' : ''}`} aria-pressed={chosen === c.id}
              onClick={() => chooseComponent(chosen === c.id ? null : c)} data-testid="nearby-component" data-id={c.id} data-class={c.class_code}>
              <span className="fd-nearby-name">{lang === 'zh' ? c.class_name_zh : c.class_name_en}</span>
              <span className="mono dim fd-nearby-id">{c.id}</span>
              <span className="fd-nearby-dist">{Math.round(c.distance_m)} m</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
