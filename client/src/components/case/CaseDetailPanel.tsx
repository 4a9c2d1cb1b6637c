// The open case: its fields, the actions this user may take, and the trail (who, in which role, did what, when).
import type { ReactNode } from 'react';
import type { CaseDetail, PhotoLink, TrailEntry } from '../../api/types.js';
import { actionKey, caseStatusKey, roleKey, sourceKey, stepKey, tOr, type MessageKey } from '../../i18n/index.js';
import { formatFull, formatShort } from '../../i18n/format.js';
import { selectCaseDetail, selectCloseCase, selectDetailError, selectDetailId, selectDetailStatus, selectPanelMessage, useCaseDetail, openCase } from '../../state/case-detail-store.js';
import { selectNow, useCases } from '../../state/cases-store.js';
import { lightAt } from '../../state/case-lights.js';
import { selectUser, useSession } from '../../state/session-store.js';
import { Bilingual, useT } from '../Bilingual.js';
import { ActionBar } from './ActionBar.js';
import { BeforeAfter } from './BeforeAfter.js';
import { CasePublicSide } from './CasePublicSide.js';
import { CaseStatusChip, LightBadge, TimeLeft, useClassName, useDepartmentName } from './CaseBits.js';
import { OriginBadge } from './CaseList.js';
import type { SearchCase } from '../../api/search.js';
import { CaseCopyNote } from './OfflineCopyNote.js';
import { CaseDuplicates } from './CaseDuplicates.js';
import { CallbackForm } from './CallbackForm.js';

function Field({ k, children, testId }: { k: MessageKey; children: ReactNode; testId?: string }) {
  return (
    <div className="field">
      <dt><Bilingual k={k} /></dt>
      <dd data-testid={testId}>{children ?? '—'}</dd>
    </div>
  );
}

/**
 * The stored photos of a case, by id, each with the signed link the server made for this user (GET /api/cases/{id}
 * `photos`; an <img> sends no token). Simulated history names photos it never took (server/demo/history.ts): no link.
 */
type PhotoLinks = ReadonlyMap<string, PhotoLink>;

function Photos({ ids, links }: { ids: readonly string[] | null | undefined; links: PhotoLinks }) {
  const { t } = useT();
  if (!ids?.length) return null;
  const stored = ids.filter((id) => links.has(id));
  return (
    <span className="trail-photos">
      {stored.map((id) => {
        const url = links.get(id)!.url;
        return <a key={id} href={url} target="_blank" rel="noreferrer" className="photo-thumb small"><img src={url} alt="" loading="lazy" data-testid="case-photo" /></a>;
      })}
      {stored.length < ids.length ? <span className="dim" data-testid="simulated-photo">{t('simulated_photo')}</span> : null}
    </span>
  );
}

function TrailItem({ e, me, links }: { e: TrailEntry; me: number | null; links: PhotoLinks }) {
  const { t, lang } = useT();
  const deptOf = useDepartmentName();
  // The server names the actor (display name, else username); an id it could not resolve stays a number.
  const name = e.actor === null ? null : e.actor_name ?? `${t('user_no')} #${e.actor}`;
  const who = name === null ? (e.role === 'public' ? t('actor_public') : t('actor_system'))
    : me !== null && e.actor === String(me) ? `${name} ★` : name;
  const dept = e.action === 'dispatch' && typeof e.data?.department_id === 'number' ? deptOf(e.data.department_id as number) : null;
  const fields = (e.data?.fields ?? {}) as Record<string, unknown>;
  const extra: string[] = [];
  if (typeof fields.found === 'boolean') extra.push(fields.found ? t('found_yes') : t('found_no'));
  if (typeof fields.passed === 'boolean') extra.push(fields.passed ? t('passed_yes') : t('passed_no'));
  if (typeof fields.hours === 'number') extra.push(`${fields.hours} ${t('hours_unit')}`);
  if (typeof fields.reason === 'string') extra.push(fields.reason);
  if (typeof fields.closing_type === 'string') extra.push(t(`closing_${fields.closing_type}` as MessageKey));
  return (
    <li className={`trail-item act-${e.action}`} data-testid="trail-entry" data-action={e.action}>
      <span className="trail-dot" aria-hidden="true" />
      <div className="trail-head">
        <span className="trail-action">{tOr(lang, actionKey(e.action), e.action)}</span>
        {e.to_status && e.to_status !== e.from_status ? <span className="trail-to">→ {tOr(lang, caseStatusKey(e.to_status), e.to_status)}</span> : null}
        <span className="grow" />
        <time className="trail-at mono" dateTime={e.at} title={formatFull(e.at)}>{formatShort(e.at)}</time>
      </div>
      <div className="trail-who">
        <span className="trail-role">{tOr(lang, roleKey(e.role), e.role ?? '')}</span>
        <span className="trail-name" data-testid="trail-actor">{who}</span>
        {dept ? <span className="trail-dept">→ {dept}</span> : null}
      </div>
      {extra.length ? <div className="trail-extra">{extra.join(' · ')}</div> : null}
      {e.note ? <div className="trail-note long-text">{e.note}</div> : null}
      <Photos ids={e.photo_ids} links={links} />
      {e.deadline_at ? <div className="trail-deadline dim">{t('f_deadline')} {formatShort(e.deadline_at)}</div> : null}
    </li>
  );
}

function Body({ d }: { d: CaseDetail }) {
  const { t, lang } = useT();
  const now = useCases(selectNow);
  const nameOf = useClassName();
  const deptOf = useDepartmentName();
  const me = useSession(selectUser)?.id ?? null;
  const message = useCaseDetail(selectPanelMessage);
  const links: PhotoLinks = new Map((d.photos ?? []).map((p) => [p.id, p]));
  const photos = [...new Set(d.trail.flatMap((e) => e.photo_ids ?? []))].filter((id) => links.has(id));
  const light = lightAt(d, now); // the server's light is as of its answer; the clock moves on
  return (
    <>
      <div className={`case-hero light-${light ?? 'none'}`}>
        <div className="case-hero-top">
          <LightBadge light={light} />
          <CaseStatusChip status={d.status} />
          <OriginBadge origin={(d as SearchCase).origin} />
          {d.urged ? <span className="tag tag-urged">{t('urged')}</span> : null}
          {d.urgent ? <span className="tag tag-urgent">{t('urgent')}</span> : null}
          <span className="grow" />
          <TimeLeft c={{ ...d, light }} now={now} />
        </div>
        <div className="case-hero-class">{nameOf(d.class_code)} <span className="mono dim">{d.class_code}</span></div>
        <div className="case-hero-no mono" data-testid="case-no">{d.case_no}</div>
        {d.description ? <div className="case-hero-desc long-text" data-testid="case-description">{d.description}</div> : null}
      </div>
      {message ? (
        <div className={`panel-note ${message.level}`} role="status" data-testid="panel-message">
          <strong>{message.key === 'queued' ? t('of_action_queued') : message.key === 'stale' ? t('msg_stale') : message.key === 'done' ? `${t('msg_done')}：${tOr(lang, actionKey(message.action), message.action ?? '')}` : t('msg_failed')}</strong>
          {message.key === 'failed' && (message.text_key || message.text) ? <div>{message.text_key ? t(message.text_key) : message.text}</div> : null}
        </div>
      ) : null}
      <CaseDuplicates detail={d} />
      {message?.key === 'queued' ? null : ( // a result waiting in the outbox: no second one from the same screen
        <section className="case-section">
          <h4 className="subhead"><Bilingual k="actions" /></h4>
          <ActionBar detail={d} />
        </section>
      )}
      <CallbackForm detail={d} />
      <dl className="fields">
        <Field k="f_case_status"><CaseStatusChip status={d.status} /></Field>
        <Field k="f_step">{tOr(lang, stepKey(d.step), d.step ?? '—')}{d.step_deadline_at ? <span className="dim"> · {t('f_deadline')} {formatShort(d.step_deadline_at)}</span> : null}</Field>
        <Field k="f_department" testId="case-department">{d.department_id ? deptOf(d.department_id) : '—'}</Field>
        <Field k="f_suggested">{d.suggested_department_id ? deptOf(d.suggested_department_id) : '—'}</Field>
        {d.pending_application ? <Field k="f_pending"><span className="tag tag-urged">{t(`pending_${d.pending_application}`)}{d.pending_application === 'extension' && d.pending_extension_hours ? ` ${d.pending_extension_hours} ${t('hours_unit')}` : ''}</span></Field> : null}
        <Field k="f_kind">{d.kind ? t(`kind_${d.kind}`) : '—'}</Field>
        <Field k="f_source">{tOr(lang, sourceKey(d.source), d.source ?? '—')}</Field>
        <Field k="f_address">{d.address || '—'}</Field>
        <Field k="f_grid"><span className="mono">{d.grid_code}</span></Field>
        <Field k="f_created">{formatFull(d.created_at)}</Field>
        {(d as SearchCase).source_id ? <Field k="sr_origin"><OriginBadge origin={(d as SearchCase).origin} /> <span className="mono dim">{(d as SearchCase).source_system} · {(d as SearchCase).source_id}</span></Field> : null}
        {d.reporter_name || d.reporter_phone ? <Field k="f_reporter">{[d.reporter_name, d.reporter_phone].filter(Boolean).join(' · ')}</Field> : null}
        <Field k="f_counts"><span className="mono">{d.return_count ?? 0} / {d.rework_count ?? 0}</span></Field>
      </dl>
      {photos.length ? (
        <section className="case-section">
          <h4 className="subhead"><Bilingual k="f_photos" /></h4>
          <BeforeAfter trail={d.trail} links={links} />
        </section>
      ) : null}
      <CasePublicSide id={d.id} source={d.source} trail={d.trail} links={links} />
      <section className="case-section">
        <h4 className="subhead"><Bilingual k="trail" /></h4>
        <ol className="trail" data-testid="trail">
          {[...d.trail].reverse().map((e) => <TrailItem key={e.seq} e={e} me={me} links={links} />)}
        </ol>
      </section>
    </>
  );
}

export function CaseDetailPanel({ className }: { className?: string }) {
  const status = useCaseDetail(selectDetailStatus);
  const detail = useCaseDetail(selectCaseDetail);
  const error = useCaseDetail(selectDetailError);
  const close = useCaseDetail(selectCloseCase);
  const id = useCaseDetail(selectDetailId);
  const { t } = useT();
  if (!id) return null;
  return (
    <section className={`case-detail ${className ?? ''}`} data-testid="case-detail" aria-busy={status === 'loading'}>
      <div className="panel-bar">
        <span className="panel-bar-title mono">{detail?.case_no ?? '…'}</span>
        <button type="button" className="icon-button" onClick={close} aria-label={t('close')} title={t('close')}>×</button>
      </div>
      <div className="case-detail-scroll">
        <CaseCopyNote />
        {status === 'loading' && !detail ? <div className="panel-msg"><span className="spinner" /> {t('detail_loading')}</div> : null}
        {status === 'error' ? (
          <div className="panel-msg error">
            <strong>{t('detail_failed')}</strong>
            {error ? <div>{error}</div> : null}
            <button type="button" onClick={() => void openCase(id)}>{t('retry')}</button>
          </div>
        ) : null}
        {detail ? <Body d={detail} /> : null}
      </div>
    </section>
  );
}
