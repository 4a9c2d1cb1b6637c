// Patrol coverage (巡查覆盖, issue 9) on the leader screen: per inspector for a date, the unit grids of its
// responsibility grids visited, the share, time on duty and distance; a row click draws that day's track on the map.
import { useEffect, useState } from 'react';
import { useT } from '../../components/Bilingual.js';
import { loadCoverage, pickTrack, selectCoverage, selectTrackUser, usePatrol } from '../../state/patrol-store.js';
import { fitBox } from '../../map/map-handle.js';
import { todayInDistrict } from '../../i18n/format.js';
import './patrol.css';

/** Today in the district's zone, YYYY-MM-DD. */
function today(): string {
  return todayInDistrict(new Date());
}

const hours = (s: number) => (s / 3600).toFixed(1);

export function PatrolPanel() {
  const { t } = useT();
  const [date, setDate] = useState(today);
  const rows = usePatrol(selectCoverage);
  const loading = usePatrol((s) => s.coverage_loading);
  const failed = usePatrol((s) => s.coverage_failed);
  const trackUser = usePatrol(selectTrackUser);
  const track = usePatrol((s) => s.track);
  const trackFailed = usePatrol((s) => s.track_failed);

  useEffect(() => { void loadCoverage(date); void pickTrack(null, date); }, [date]);
  // The picked track comes into view (a command to the map, which owns the camera).
  useEffect(() => {
    const c = track?.geometry?.coordinates;
    if (!c?.length) return;
    const xs = c.map((p) => p[0]);
    const ys = c.map((p) => p[1]);
    // clear of the map's toolbar (top) and legend (bottom left)
    fitBox([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], 16, { top: 110, bottom: 110, left: 200, right: 60 });
  }, [track]);

  const picked = trackUser !== null && track && !track.geometry;
  return (
    <section className="ld-panel pt-coverage" data-testid="pt-coverage" aria-label={t('pt_coverage')}>
      <div className="ld-panel-head">
        <h3 className="ld-panel-title">{t('pt_coverage')}</h3>
        <label className="pt-date">{t('pt_date')}{' '}
          <input type="date" value={date} max={today()} onChange={(e) => e.target.value && setDate(e.target.value)} data-testid="pt-date" />
        </label>
        {loading ? <span className="spinner" /> : null}
        <span className="dim pt-hint">{picked ? t('pt_no_track') : trackFailed ? t('pt_load_failed') : t('pt_track_hint')}</span>
      </div>
      <div className="ld-panel-body">
        {failed ? <div className="ld-empty" role="alert">{t('pt_load_failed')}</div> : null}
        {rows && !rows.length ? <div className="ld-empty">{t('pt_no_inspectors')}</div> : null}
        {rows?.length ? (
          <table className="ld-table pt-table">
            <thead>
              <tr>
                <th>{t('pt_col_inspector')}</th><th className="num">{t('pt_col_grids')}</th><th className="num">{t('pt_col_visited')}</th>
                <th className="num">{t('pt_col_share')}</th><th className="num">{t('pt_col_duty')}</th><th className="num">{t('pt_col_distance')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.user_id} className={trackUser === r.user_id ? 'selected' : ''} onClick={() => void pickTrack(r.user_id, date)}
                  data-testid="pt-row" data-user={r.username} aria-selected={trackUser === r.user_id}>
                  <td>{r.display_name || r.username}</td>
                  <td className="num mono">{r.unit_grids}</td>
                  <td className="num mono">{r.visited_grids}</td>
                  <td className="num mono">{r.share === null ? '—' : `${Math.round(r.share * 100)}%`}</td>
                  <td className="num mono">{hours(r.duty_seconds)} h</td>
                  <td className="num mono">{r.distance_km.toFixed(2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
    </section>
  );
}
