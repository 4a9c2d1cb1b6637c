// The admin console (issue 10): run a city without the command line. One tab per job: users, departments and class
// defaults, inspectors' responsibility grids, imports, the audit log (and the district's calendar and time limits).
// The open tab is in the address bar (?tab=…), so a reload keeps it.
import { useState, type ComponentType } from 'react';
import { useT } from '../../components/Bilingual.js';
import type { MessageKey } from '../../i18n/index.js';
import { UsersPanel } from './UsersPanel.js';
import { DepartmentsPanel } from './DepartmentsPanel.js';
import { GridsPanel } from './GridsPanel.js';
import { ImportsPanel } from './ImportsPanel.js';
import { AuditPanel } from './AuditPanel.js';
import { CalendarPanel } from './CalendarPanel.js';
import { LimitsPanel } from './LimitsPanel.js';
import { NotificationsPanel } from './NotificationsPanel.js';
import { PublicSettingsPanel } from './PublicSettingsPanel.js';
import './admin.css';

type Tab = { id: string; label: MessageKey; Panel: ComponentType };

/** The console's tabs, in order. */
const TABS: Tab[] = [
  { id: 'users', label: 'adm_tab_users', Panel: UsersPanel },
  { id: 'departments', label: 'adm_tab_departments', Panel: DepartmentsPanel },
  { id: 'grids', label: 'adm_tab_grids', Panel: GridsPanel },
  { id: 'imports', label: 'adm_tab_imports', Panel: ImportsPanel },
  { id: 'calendar', label: 'ar_calendar_tab', Panel: CalendarPanel },
  { id: 'limits', label: 'ar_limits_tab', Panel: LimitsPanel },
  { id: 'notifications', label: 'ntf_tab', Panel: NotificationsPanel },
  { id: 'public', label: 'pb_admin_tab', Panel: PublicSettingsPanel },
  { id: 'audit', label: 'adm_tab_audit', Panel: AuditPanel },
];

function tabFromUrl(): string {
  if (typeof window === 'undefined') return TABS[0].id;
  const t = new URLSearchParams(window.location.search).get('tab');
  return TABS.some((x) => x.id === t) ? t! : TABS[0].id;
}

export function AdminScreen() {
  const { t } = useT();
  const [tab, setTab] = useState(tabFromUrl);
  const open = (id: string) => {
    setTab(id);
    window.history.replaceState(null, '', `${window.location.pathname}?tab=${id}`);
  };
  const current = TABS.find((x) => x.id === tab) ?? TABS[0];
  return (
    <main className="admin-screen" data-testid="admin-screen">
      <nav className="adm-tabs" role="tablist" aria-label={t('adm_title')}>
        <h1>{t('adm_title')}</h1>
        {TABS.map((x) => (
          <button key={x.id} type="button" role="tab" className="adm-tab" aria-selected={x.id === current.id} data-tab={x.id}
            onClick={() => open(x.id)}>{t(x.label)}</button>
        ))}
      </nav>
      <div className="adm-body" role="tabpanel">
        <current.Panel key={current.id} />
      </div>
    </main>
  );
}
