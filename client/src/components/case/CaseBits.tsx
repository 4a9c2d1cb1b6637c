// Small shared pieces of the case screens: light dot and badge, status chip, time left, the list card.
import type { CaseStatus, CaseSummary, Light } from '../../api/types.js';
import { caseStatusKey, tOr } from '../../i18n/index.js';
import { lightColor } from '../../map/colors.js';
import { formatDuration, remainingMs } from '../../state/case-lights.js';
import { className, departmentName, selectClasses, selectDepartments, useReference } from '../../state/reference-store.js';
import { useT } from '../Bilingual.js';

export function LightDot({ light, size = 10 }: { light: Light | null; size?: number }) {
  return <span className={`light-dot light-${light ?? 'none'}`} style={{ width: size, height: size, background: lightColor(light) }} aria-hidden="true" />;
}

export function LightBadge({ light }: { light: Light | null }) {
  const { t } = useT();
  return (
    <span className={`light-badge light-${light ?? 'none'}`} data-testid="light-badge" data-light={light ?? 'none'}>
      <LightDot light={light} size={8} />
      {light ? t(`light_${light}_short`) : t('light_none')}
    </span>
  );
}

/** Status colours group the loop's stages: centre (intake, filing), dispatch, handling, check, finished. */
const STATUS_TONE: Record<CaseStatus, string> = {
  pending_acceptance: 'intake', verifying: 'intake', pending_filing: 'intake', pending_review: 'intake',
  pending_dispatch: 'dispatch',
  handling: 'handling', suspended: 'paused',
  pending_check: 'check', checking: 'check', pending_closing: 'check',
  closed: 'done', void: 'done',
};

export function CaseStatusChip({ status }: { status: CaseStatus }) {
  const { lang } = useT();
  return <span className={`case-status tone-${STATUS_TONE[status] ?? 'done'}`} data-testid="case-status" data-status={status}>{tOr(lang, caseStatusKey(status), status)}</span>;
}

/** "剩余 12分" or "超时 5分" for the current step. */
export function TimeLeft({ c, now }: { c: Pick<CaseSummary, 'status' | 'red_at' | 'light'>; now: number }) {
  const { t, lang } = useT();
  const left = remainingMs(c, now);
  if (left === null) return <span className="time-left none">—</span>;
  return left < 0
    ? <span className="time-left over">{t('overdue')} {formatDuration(left, lang)}</span>
    : <span className={`time-left light-${c.light ?? 'none'}`}>{t('time_left')} {formatDuration(left, lang)}</span>;
}

export function useClassName() {
  const classes = useReference(selectClasses);
  const { lang } = useT();
  return (code: string) => className(classes, code, lang);
}

export function useDepartmentName() {
  const departments = useReference(selectDepartments);
  const { lang } = useT();
  return (id: number | null | undefined) => (id == null ? '' : departmentName(departments[id]?.name, lang) || `#${id}`);
}

export function CaseCard({ c, now, selected, fresh, onOpen }: {
  c: CaseSummary; now: number; selected: boolean; fresh: boolean; onOpen: (c: CaseSummary) => void;
}) {
  const { t } = useT();
  const nameOf = useClassName();
  const deptOf = useDepartmentName();
  return (
    <li>
      <button
        type="button"
        className={`case-card light-${c.light ?? 'none'} ${selected ? 'selected' : ''} ${fresh ? 'fresh' : ''}`}
        onClick={() => onOpen(c)}
        data-testid="case-card"
        data-case-no={c.case_no}
        data-id={c.id}
        aria-pressed={selected}
      >
        <span className="case-card-bar" aria-hidden="true" />
        <span className="case-card-main">
          <span className="case-card-top">
            <LightDot light={c.light} />
            <span className="case-no mono">{c.case_no}</span>
            {fresh ? <span className="tag tag-new">{t('new_case')}</span> : null}
            {c.origin && c.origin !== 'live' ? <span className={`origin-badge origin-${c.origin}`} data-testid="origin-badge">{t(`sr_origin_${c.origin}`)}</span> : null}
            {c.urged ? <span className="tag tag-urged">{t('urged')}</span> : null}
            {c.urgent ? <span className="tag tag-urgent">{t('urgent')}</span> : null}
            {(c.rework_count ?? 0) > 0 ? <span className="tag tag-rework">{t('rework')}</span> : null}
            {c.pending_application ? <span className="tag tag-pending">{t(`pending_${c.pending_application}`)}</span> : null}
            <span className="grow" />
            <CaseStatusChip status={c.status} />
          </span>
          <span className="case-card-class">{nameOf(c.class_code)}</span>
          <span className="case-card-sub">
            <span className="case-card-where">{c.address || <span className="mono">{c.grid_code}</span>}</span>
            {c.department_id ? <span className="case-card-dept">{deptOf(c.department_id)}</span> : null}
            <TimeLeft c={c} now={now} />
          </span>
        </span>
      </button>
    </li>
  );
}
