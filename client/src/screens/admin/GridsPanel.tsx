// Admin console, Responsibility grids: pick an inspector, see every responsibility grid (责任网格) on a small map and in
// a list with whom it belongs to, tick or click the ones this inspector patrols, save. A grid another inspector held
// moves to this one; the server records the change (before/after) in the audit log.
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  listResponsibilityGrids, listUsers, responsibilityOutlines, setInspectorGrids,
  type AdminUser, type OutlineCollection, type ResponsibilityGrid,
} from '../../api/admin.js';
import { useT } from '../../components/Bilingual.js';
import type { MessageKey } from '../../i18n/index.js';
import { adminErrorKey } from './admin-errors.js';

type Ring = number[][];

/** SVG paths of the outlines in a 1000-wide frame (equirectangular, x scaled by cos(latitude): fine for one city). */
function svgPaths(fc: OutlineCollection | null): { code: string; d: string }[] & { width?: number; height?: number } {
  const feats = (fc?.features ?? []).filter((f) => f.geometry && (f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon'));
  const polys = feats.map((f) => {
    const g = f.geometry as GeoJSON.Polygon | GeoJSON.MultiPolygon;
    return { code: f.id, rings: (g.type === 'Polygon' ? [g.coordinates as Ring[]] : (g.coordinates as Ring[][])).flat() };
  });
  const pts = polys.flatMap((p) => p.rings.flat());
  if (!pts.length) return [];
  const lons = pts.map((p) => p[0]); const lats = pts.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
  const scale = 1000 / Math.max((x1 - x0) * k, (y1 - y0), 1e-9);
  const out = polys.map((p) => ({
    code: p.code,
    d: p.rings.map((r) => `M${r.map(([x, y]) => `${((x - x0) * k * scale).toFixed(1)},${((y1 - y) * scale).toFixed(1)}`).join('L')}Z`).join(''),
  })) as { code: string; d: string }[] & { width?: number; height?: number };
  out.width = (x1 - x0) * k * scale;
  out.height = (y1 - y0) * scale;
  return out;
}

export function GridsPanel() {
  const { t } = useT();
  const [inspectors, setInspectors] = useState<AdminUser[]>([]);
  const [grids, setGrids] = useState<ResponsibilityGrid[]>([]);
  const [outlines, setOutlines] = useState<OutlineCollection | null>(null);
  const [inspectorId, setInspectorId] = useState<number | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [error, setError] = useState<MessageKey | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [u, g, o] = await Promise.all([listUsers(), listResponsibilityGrids(), responsibilityOutlines()]);
      setInspectors(u.items.filter((x) => x.roles.includes('inspector') && !x.disabled));
      setGrids(g.items);
      setOutlines(o);
    } catch (e) { setError(adminErrorKey(e, 'grids')); }
  }, []);
  useEffect(() => { void load(); }, [load]);
  useEffect(() => {
    setPicked(new Set(grids.filter((g) => g.inspector_id !== null && g.inspector_id === inspectorId).map((g) => g.code)));
  }, [inspectorId, grids]);

  const paths = useMemo(() => svgPaths(outlines), [outlines]);
  const holder = useMemo(() => new Map(grids.map((g) => [g.code, g])), [grids]);
  const toggle = (code: string) => setPicked((s) => { const n = new Set(s); if (n.has(code)) n.delete(code); else n.add(code); return n; });
  const current = inspectors.find((i) => i.id === inspectorId) ?? null;

  const save = async () => {
    if (inspectorId === null) return;
    setBusy(true); setError(null); setNotice(null);
    try {
      const r = await setInspectorGrids(inspectorId, [...picked]);
      setNotice(`${t('adm_saved')}${r.taken_from.length ? ` · ${t('adm_grids_moved')}${r.taken_from.map((x) => x.code).join(', ')}` : ''}`);
      await load();
    } catch (e) { setError(adminErrorKey(e, 'grids')); } finally { setBusy(false); }
  };

  const cls = (code: string) => (picked.has(code) ? 'mine' : (holder.get(code)?.inspector_id ?? null) !== null && holder.get(code)!.inspector_id !== inspectorId ? 'other' : '');

  return (
    <section className="adm-panel" data-testid="admin-grids">
      {error ? <p className="adm-error" role="alert">{t(error)}</p> : null}
      {notice ? <p className="adm-ok" role="status">{notice}</p> : null}
      <div className="adm-row">
        <label className="adm-field"><span>{t('adm_grids_pick')}</span>
          <select name="inspector" value={inspectorId ?? ''} onChange={(e) => setInspectorId(e.target.value ? Number(e.target.value) : null)}>
            <option value="">—</option>
            {inspectors.map((i) => <option key={i.id} value={i.id}>{i.username}{i.display_name ? ` · ${i.display_name}` : ''}</option>)}
          </select></label>
        {current ? <span className="adm-note">{t('adm_grids_count')}: <b data-testid="admin-grids-count">{picked.size}</b></span> : null}
        <span className="grow" />
        <button type="button" className="adm-btn primary" disabled={busy || inspectorId === null} onClick={() => void save()}>{t('adm_grids_save')}</button>
      </div>
      {inspectors.length === 0 && !error ? <p className="adm-note">{t('adm_grids_no_inspectors')}</p> : null}
      <p className="adm-note">{t('adm_grids_hint')}</p>
      <div className="adm-cols">
        <div className="adm-card">
          <h3>{t('adm_grids_map')}</h3>
          <svg className="adm-map" viewBox={`-10 -10 ${(paths.width ?? 1000) + 20} ${(paths.height ?? 750) + 20}`} role="img" aria-label={t('adm_grids_map')}>
            {paths.map((p) => (
              <path key={p.code} d={p.d} className={cls(p.code)} data-code={p.code} onClick={() => inspectorId !== null && toggle(p.code)}>
                <title>{p.code} {holder.get(p.code)?.name ?? ''} · {holder.get(p.code)?.inspector_username ?? t('adm_grids_free')}</title>
              </path>
            ))}
          </svg>
          <div className="adm-legend">
            <span><i style={{ background: 'rgba(56,208,224,0.5)' }} />{t('adm_grids_legend_mine')}</span>
            <span><i style={{ background: 'rgba(255,176,32,0.35)' }} />{t('adm_grids_legend_other')}</span>
            <span><i style={{ background: 'rgba(111,129,154,0.3)' }} />{t('adm_grids_free')}</span>
          </div>
        </div>
        <div className="adm-table-wrap">
          <table className="adm-table" data-testid="admin-grid-table">
            <thead><tr><th /><th>{t('adm_grids_code')}</th><th>{t('adm_grids_name')}</th><th className="num">{t('adm_grids_units')}</th><th>{t('adm_grids_holder')}</th></tr></thead>
            <tbody>
              {grids.map((g) => (
                <tr key={g.code} className={picked.has(g.code) ? 'selected' : ''} data-code={g.code}>
                  <td><input type="checkbox" aria-label={g.code} checked={picked.has(g.code)} disabled={inspectorId === null} onChange={() => toggle(g.code)} /></td>
                  <td className="mono">{g.code}</td>
                  <td>{g.name}</td>
                  <td className="num">{g.unit_grids}</td>
                  <td>{g.inspector_username ?? <span className="adm-note">{t('adm_grids_free')}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
