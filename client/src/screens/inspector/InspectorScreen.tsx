// The inspector's screen (监督员, phone-sized first): report a problem, follow one's own reports, and do the verify
// (核实) and check (核查) tasks of one's responsibility grids.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { CaseSummary } from '../../api/types.js';
import { useCaseDetail } from '../../state/case-detail-store.js';
import { selectAllCases, useCases } from '../../state/cases-store.js';
import { isTask, listedCases, loadFieldCases, selectListCopyAt, useFieldCopy } from '../../state/offline-cases.js';
import { OfflineCopyNote } from '../../components/case/OfflineCopyNote.js';
import { pickPoint, selectDraft, selectReportPhase, useReport } from '../../state/report-store.js';
import { selectUser, useSession } from '../../state/session-store.js';
import { useHideComponents } from '../useHideComponents.js';
import { CaseCards, FieldLayout } from '../FieldLayout.js';
import { ReportForm } from './ReportForm.js';
import { DutySwitch } from './DutySwitch.js';
import { loadMyGrids, selectMyGrids, selectNearby, selectPosition, useField } from '../../state/field-store.js';
import { FIELD_LAYER, myGridLayers, nearbyLayers, positionLayers } from '../../map/layers/nearby.js';
import { tapNearby } from './FieldPlace.js';
import { OfflineIndicator, Outbox } from './Outbox.js';
import { refreshOutbox, selectOffline, selectOutboxItems, startOutbox, useOutbox } from '../../state/outbox.js';
import { restoreDraft } from '../../state/report-store.js';


/** While the offline copy is shown, the list is asked for again this often. */
const COPY_RETRY_MS = 30_000;

/** The field layers a tap on the map may pick (besides the cases). */
const NEARBY_PICK = [FIELD_LAYER.nearby] as const;

export function InspectorScreen() {
  const user = useSession(selectUser);
  const all = useCases(useShallow(selectAllCases));
  const draft = useReport(selectDraft);
  const phase = useReport(selectReportPhase);
  const [tab, setTab] = useState('report');
  useHideComponents();

  // The list, live; or, with no network, the offline copy kept on the phone (state/offline-cases.ts), reloaded live
  // as soon as the network returns.
  const copyAt = useFieldCopy(selectListCopyAt);
  const offline = useOutbox(selectOffline);
  const uid = user?.id;
  useEffect(() => { if (uid !== undefined) void loadFieldCases(uid, (xs) => listedCases(xs, uid)); }, [uid]);
  useEffect(() => {
    const stale = copyAt !== null || useCases.getState().status === 'error';
    if (uid !== undefined && !offline && stale) void loadFieldCases(uid, (xs) => listedCases(xs, uid));
  }, [offline]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { // the server unreachable while the phone has a network: try again now and then
    if (uid === undefined || copyAt === null) return undefined;
    const timer = setInterval(() => void loadFieldCases(uid, (xs) => listedCases(xs, uid)), COPY_RETRY_MS);
    return () => clearInterval(timer);
  }, [uid, copyAt]);
  useEffect(() => () => useFieldCopy.setState({ list_at: null }), []);
  // The phone's own store (issue 9): the draft back from IndexedDB, the outbox loaded and synced.
  useEffect(() => { void restoreDraft(); void refreshOutbox(); return startOutbox(); }, [user?.id]);
  const outboxWaiting = useOutbox((s) => selectOutboxItems(s).filter((i) => i.state !== 'sent').length);
  useEffect(() => () => useCaseDetail.getState().close(), []);

  const mine = useMemo(() => all.filter((c) => c.reporter_id === user?.id), [all, user?.id]);
  const tasks = useMemo(() => all.filter(isTask), [all]);
  const onMap = useMemo(() => {
    const ids = new Set<string>();
    return [...tasks, ...mine].filter((c) => (ids.has(c.id) ? false : (ids.add(c.id), true)));
  }, [mine, tasks]);
  const point = useMemo(() => (draft.point ? [draft.point] : []), [draft.point]);
  const picking = tab === 'report' && phase !== 'done';
  // The field layers (issue 9): own responsibility grids, the components near the report's point, the last GPS fix.
  const myGrids = useField(selectMyGrids);
  const nearby = useField(selectNearby);
  const position = useField(selectPosition);
  const chosenComponent = draft.component?.id ?? null;
  useEffect(() => { if (user?.roles.includes('inspector')) void loadMyGrids(); }, [user?.id]); // eslint-disable-line react-hooks/exhaustive-deps
  const under = useMemo(() => [...myGridLayers(myGrids), ...(picking && draft.point ? nearbyLayers(nearby, chosenComponent) : []), ...positionLayers(position)],
    [myGrids, nearby, chosenComponent, position, picking, draft.point]);
  const onEmptyClick = useCallback(([lon, lat]: [number, number]) => {
    if (!picking) return false;
    useCaseDetail.getState().close();
    void pickPoint({ lon, lat, by: 'map' });
    return true;
  }, [picking]);
  // A tap on a nearby component's marker chooses it, as the list below the point does (again: unchooses it).
  const onPick = useCallback((picked: { layerId: string; object: unknown }) => picking && tapNearby(picked), [picking]);

  return (
    <FieldLayout
      name="inspector"
      cases={onMap}
      point={picking ? point : []}
      tab={tab}
      onTab={setTab}
      onEmptyClick={onEmptyClick}
      onPick={onPick}
      pickUnder={NEARBY_PICK}
      cursor={picking ? 'crosshair' : ''}
      under={under}
      tabs={[
        { id: 'report', label: 'tab_report' },
        { id: 'mine', label: 'tab_mine', count: mine.length },
        { id: 'tasks', label: 'tab_tasks', count: tasks.length },
        { id: 'outbox', label: 'of_outbox', count: outboxWaiting, testId: 'tab-outbox' },
      ]}
    >
      <DutySwitch />
      <OfflineIndicator />
      {tab === 'report' ? <ReportForm /> : null}
      {tab === 'outbox' ? <Outbox onEdit={() => setTab('report')} /> : null}
      {tab === 'mine' || tab === 'tasks' ? <OfflineCopyNote at={copyAt} hint="oc_list_copy_hint" testId="list-offline-copy" /> : null}
      {tab === 'mine' ? <CaseCards cases={mine} empty="no_reports" /> : null}
      {tab === 'tasks' ? <CaseCards cases={tasks} empty="no_tasks" /> : null}
    </FieldLayout>
  );
}
