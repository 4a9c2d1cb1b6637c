// The inspector's duty switch (在岗, issue 9): on duty, the phone sends its position every interval the city set
// (state/duty-store.ts); off duty, nothing is sent. Shows what waits on the phone and what went wrong.
import { useEffect } from 'react';
import { useT } from '../../components/Bilingual.js';
import { selectDutyBusy, selectDutyProblem, selectOnDuty, selectPending, setDuty, startDuty, useDuty } from '../../state/duty-store.js';
import { selectUser, useSession } from '../../state/session-store.js';
import './duty.css';

export function DutySwitch() {
  const user = useSession(selectUser);
  const on = useDuty(selectOnDuty);
  const busy = useDuty(selectDutyBusy);
  const pending = useDuty(selectPending);
  const problem = useDuty(selectDutyProblem);
  const loaded = useDuty((s) => s.loaded);
  const interval = useDuty((s) => s.interval_seconds);
  const { t } = useT();

  useEffect(() => (user?.roles.includes('inspector') ? startDuty() : undefined), [user?.id]);
  if (!user?.roles.includes('inspector')) return null;

  return (
    <div className={`pt-duty ${on ? 'pt-on' : 'pt-off'}`} data-testid="duty-switch" data-on-duty={on ? 'true' : 'false'}>
      <label className="pt-toggle">
        <input
          type="checkbox" role="switch" aria-checked={on} checked={on} disabled={busy || !loaded}
          onChange={(e) => void setDuty(e.target.checked)} data-testid="duty-toggle"
        />
        <span className="pt-track" aria-hidden="true"><span className="pt-knob" /></span>
        <span className="pt-label">
          <strong>{t(on ? 'pt_on_duty' : 'pt_off_duty')}</strong>
          <small>{on ? t('pt_sending').replace('{s}', String(interval)) : t('pt_off_hint')}</small>
        </span>
      </label>
      {pending ? <span className="tag pt-pending" data-testid="duty-pending">{t('pt_pending').replace('{n}', String(pending))}</span> : null}
      {problem ? <div className="pt-problem" role="alert">{t(problem)}</div> : null}
    </div>
  );
}
