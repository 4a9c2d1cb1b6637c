// The leader screen (领导驾驶舱, /leader): for a period and a region scope, the headline indicators beside the seeds'
// Dongcheng figures, the statistics map with hot spots, the ranked evaluation tables with grades, the trend and the top
// classes; every figure opens the cases behind it, every table and layer exports, the month prints.
// docs/leader-api.md is the contract; docs/evaluation.md defines the figures.
import { useEffect } from 'react';
import { useT } from '../../components/Bilingual.js';
import { useCaseDetail } from '../../state/case-detail-store.js';
import { selectLoadRegions, selectRegionsStatus, useRegions } from '../../state/regions-store.js';
import { keptRegion, keptScope } from '../../state/kept-region.js';
import { selectUser, useSession } from '../../state/session-store.js';
import {
  loadChoropleth, loadEvaluation, loadHeadline, loadHistory, loadTop, loadTrend, selectBucket, selectEvalObject, selectFilters, selectPeriod,
  selectPost, selectRegion, selectRegionLevel, selectStatsLevel, useLeader,
} from '../../state/leader-store.js';
import { useHideComponents } from '../useHideComponents.js';
import { PeriodBar } from './PeriodBar.js';
import { HeadlineCards } from './HeadlineCards.js';
import { StatsMap } from './StatsMap.js';
import { EvaluationPanel } from './EvaluationPanel.js';
import { TopClasses, TrendChart } from './Charts.js';
import { DrillPanel } from './DrillPanel.js';
import { PatrolPanel } from './PatrolPanel.js';
import './leader.css';

/** Loads what each choice feeds: the period and scope feed everything; the rest only their own panel. */
function useLoaders(): void {
  const period = useLeader(selectPeriod);
  const region = useLeader(selectRegion);
  const filters = useLeader(selectFilters);
  const statsLevel = useLeader(selectStatsLevel);
  const evalObject = useLeader(selectEvalObject);
  const regionLevel = useLeader(selectRegionLevel);
  const post = useLeader(selectPost);
  const bucket = useLeader(selectBucket);
  useEffect(() => { void loadHeadline(); }, [period, region]);
  useEffect(() => { void loadHistory(); }, [period]);
  useEffect(() => { void loadChoropleth(); }, [period, region, filters, statsLevel]);
  useEffect(() => { void loadTrend(); }, [period, region, filters, bucket]);
  useEffect(() => { void loadTop(); }, [period, region, filters.channel]);
  useEffect(() => { void loadEvaluation(); }, [period, region, evalObject, regionLevel, post]);
}

/** Keeps the scope within the region the leader is kept to (issue 12): a leader kept to a street starts on it, and a
 * scope picked by a previous user of another district falls back to the leader's own. Before the loaders, which read
 * the scope when they run. */
function useKeptScope(): void {
  const kept = keptRegion(useSession(selectUser));
  const region = useLeader(selectRegion);
  const setRegion = useLeader((s) => s.setRegion);
  useEffect(() => {
    const next = keptScope(region, kept);
    if (next !== region) setRegion(next);
  }, [region, kept, setRegion]);
}

export function LeaderScreen() {
  const regionsStatus = useRegions(selectRegionsStatus);
  const loadRegions = useRegions(selectLoadRegions);
  const { t } = useT();
  useHideComponents();
  useKeptScope();
  useLoaders();
  useEffect(() => { if (regionsStatus === 'idle') void loadRegions(); }, [regionsStatus, loadRegions]);
  useEffect(() => () => { useCaseDetail.getState().close(); useLeader.getState().closeDrill(); }, []);
  return (
    <main className="app-body leader" data-testid="leader" aria-label={t('ld_title')}>
      <PeriodBar />
      <HeadlineCards />
      <div className="ld-main">
        <StatsMap />
        <div className="ld-side pt-with-patrol">
          <EvaluationPanel />
          <div className="ld-charts">
            <TrendChart />
            <TopClasses />
          </div>
          <PatrolPanel />
        </div>
      </div>
      <DrillPanel />
    </main>
  );
}
