// A department crew's screen (专业部门): the cases dispatched to the department, to handle and feed back with an
// after-photo, or to apply for return, extension or suspension; and what has been handed back already.
import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useCaseDetail } from '../../state/case-detail-store.js';
import { loadCases, selectAllCases, useCases } from '../../state/cases-store.js';
import { selectUser, useSession } from '../../state/session-store.js';
import { useT } from '../../components/Bilingual.js';
import { useHideComponents } from '../useHideComponents.js';
import { CaseCards, FieldLayout } from '../FieldLayout.js';

const TODO = ['handling', 'suspended'] as const;

export function CrewScreen() {
  const user = useSession(selectUser);
  const all = useCases(useShallow(selectAllCases));
  const [tab, setTab] = useState('todo');
  const { t } = useT();
  useHideComponents();

  useEffect(() => { void loadCases(user?.department_id ? { department: user.department_id } : {}); }, [user?.department_id]);
  useEffect(() => () => useCaseDetail.getState().close(), []);

  const ours = useMemo(() => all.filter((c) => c.department_id === user?.department_id), [all, user?.department_id]);
  const todo = useMemo(() => ours.filter((c) => (TODO as readonly string[]).includes(c.status)), [ours]);
  const history = useMemo(() => ours.filter((c) => !(TODO as readonly string[]).includes(c.status)), [ours]);
  const none = useMemo(() => [], []);

  return (
    <FieldLayout
      name="crew"
      cases={todo}
      point={none}
      tab={tab}
      onTab={setTab}
      tabs={[{ id: 'todo', label: 'tab_todo', count: todo.length }, { id: 'history', label: 'tab_history', count: history.length }]}
    >
      {tab === 'todo' ? <><p className="hint">{t('crew_hint')}</p><CaseCards cases={todo} empty="no_tasks" /></> : null}
      {tab === 'history' ? <CaseCards cases={history} empty="list_empty" /> : null}
    </FieldLayout>
  );
}
