// Details of the selected unit grid or component (GET /api/grids/{code}, /api/components/{id}),
// every field labelled in Chinese with English.
import type { ReactNode } from 'react';
import type { ComponentDetail, GridDetail } from '../api/types.js';
import { majorKey, statusKey, type MessageKey } from '../i18n/index.js';
import { majorColor, normalizeMajor, statusColor } from '../map/colors.js';
import {
  openDetail, selectClearSelection, selectDetail, selectSelectionError, selectSelectionStatus, selectTarget, useSelection,
} from '../state/selection-store.js';
import { Bilingual, useT } from './Bilingual.js';

function Field({ k, children, testId }: { k: MessageKey; children: ReactNode; testId?: string }) {
  return (
    <div className="field">
      <dt><Bilingual k={k} /></dt>
      <dd data-testid={testId}>{children ?? '—'}</dd>
    </div>
  );
}

const orDash = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? '—' : v);

/** Region name with its code beneath: 东华门街道 / 110101001. */
function Region({ name, code }: { name: string | null; code: string | null }) {
  if (!name && !code) return <>—</>;
  return (
    <span className="region">
      <span>{name ?? '—'}</span>
      {code ? <span className="mono dim">{code}</span> : null}
    </span>
  );
}

/** 12,345 m² (1.23 万m²). */
export function formatArea(m2: number | null): string {
  if (m2 === null || !Number.isFinite(m2)) return '—';
  const plain = `${Math.round(m2).toLocaleString('en-US')} m²`;
  return m2 >= 10000 ? `${plain} (${(m2 / 10000).toFixed(2)} 万m²)` : plain;
}

function StatusBadge({ status }: { status: string }) {
  const { t } = useT();
  const key = statusKey(status);
  return (
    <span className="status-badge" style={{ borderColor: statusColor(status), color: statusColor(status) }}>
      {key ? t(key) : status}
    </span>
  );
}

function GridBody({ g }: { g: GridDetail }) {
  const { t } = useT();
  return (
    <>
      <div className="detail-hero">
        <span className="kind-chip grid"><Bilingual k="kind_grid" /></span>
        <div className="hero-code mono" data-testid="detail-code">{g.code}</div>
        <div className="hero-sub">{[g.street_name, g.community_name].filter(Boolean).join(' · ')}</div>
      </div>
      <dl className="fields">
        <Field k="f_grid_code" testId="grid-code"><span className="mono">{g.code}</span></Field>
        <Field k="f_community"><Region name={g.community_name} code={g.community_code} /></Field>
        <Field k="f_street"><Region name={g.street_name} code={g.street_code} /></Field>
        <Field k="f_district_code"><span className="mono">{orDash(g.district_code)}</span></Field>
        <Field k="f_area">{formatArea(g.area_m2)}</Field>
        <Field k="f_component_count">{orDash(g.component_count)}</Field>
        <Field k="f_land_use">{orDash(g.land_use)}</Field>
        <Field k="f_management_level">{orDash(g.management_level)}</Field>
        <Field k="f_responsible_body">{orDash(g.responsible_body)}</Field>
        <Field k="f_valid_from">{orDash(g.valid_from)}</Field>
        <Field k="f_valid_to">{g.valid_to ?? <span className="ok">{t('current')}</span>}</Field>
      </dl>
    </>
  );
}

function ComponentBody({ c }: { c: ComponentDetail }) {
  const { t, lang } = useT();
  const major = normalizeMajor(c.major_code);
  const mk = majorKey(major);
  const attrs = Object.entries(c.attrs ?? {});
  const [nameMain, nameSub] = lang === 'zh' ? [c.class_name_zh, c.class_name_en] : [c.class_name_en, c.class_name_zh];
  return (
    <>
      <div className="detail-hero">
        <span className="kind-chip component"><Bilingual k="kind_component" /></span>
        <div className="hero-title">
          <span className="swatch-dot big" style={{ background: majorColor(major) }} />
          <span>{nameMain}</span>
          <StatusBadge status={c.status} />
        </div>
        <div className="hero-sub">{nameSub}</div>
        <div className="hero-code mono" data-testid="detail-id">{c.id}</div>
      </div>
      <dl className="fields">
        <Field k="f_component_id" testId="component-id"><span className="mono">{c.id}</span></Field>
        <Field k="f_class"><span className="mono">{c.class_code}</span> {nameMain}</Field>
        <Field k="f_major"><span className="mono">{major}</span> {mk ? t(mk) : '—'}</Field>
        <Field k="f_status"><StatusBadge status={c.status} /></Field>
        <Field k="f_grid">
          {c.grid_code
            ? <button type="button" className="link mono" onClick={() => void openDetail({ kind: 'grid', code: c.grid_code! })}>{c.grid_code}</button>
            : '—'}
        </Field>
        <Field k="f_community"><Region name={c.community_name} code={c.community_code} /></Field>
        <Field k="f_street"><Region name={c.street_name} code={c.street_code} /></Field>
        <Field k="f_supervising">{orDash(c.supervising_department)}</Field>
        <Field k="f_owner">{orDash(c.owner_department)}</Field>
        <Field k="f_maintainer">{orDash(c.maintainer_department)}</Field>
        <Field k="f_survey_date">{orDash(c.survey_date)}</Field>
        <Field k="f_change_date">{orDash(c.change_date)}</Field>
        <Field k="f_data_source">{orDash(c.data_source)}</Field>
        <Field k="f_note">{orDash(c.note)}</Field>
      </dl>
      {attrs.length > 0 ? (
        <>
          <h4 className="subhead"><Bilingual k="attrs" /></h4>
          <dl className="fields attrs">
            {attrs.map(([k, v]) => (
              <div className="field" key={k}>
                <dt><span className="mono">{k}</span></dt>
                <dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
    </>
  );
}

export function DetailPanel() {
  const target = useSelection(selectTarget);
  const status = useSelection(selectSelectionStatus);
  const detail = useSelection(selectDetail);
  const error = useSelection(selectSelectionError);
  const clear = useSelection(selectClearSelection);
  const { t } = useT();
  if (!target) return null;
  const title = target.kind === 'grid' ? target.code : target.id;
  return (
    <section className="detail" data-testid="detail-panel" aria-busy={status === 'loading'}>
      <div className="panel-bar">
        <span className="panel-bar-title mono">{title}</span>
        <button type="button" className="icon-button" onClick={clear} aria-label={t('close')} title={t('close')}>×</button>
      </div>
      {status === 'loading' ? <div className="panel-msg"><span className="spinner" /> {t('detail_loading')}</div> : null}
      {status === 'error' ? (
        <div className="panel-msg error">
          <strong>{t('detail_failed')}</strong>
          <div>{error}</div>
          <button type="button" onClick={() => { clear(); void openDetail(target); }}>{t('retry')}</button>
        </div>
      ) : null}
      {status === 'ready' && detail?.kind === 'grid' ? <GridBody g={detail.data} /> : null}
      {status === 'ready' && detail?.kind === 'component' ? <ComponentBody c={detail.data} /> : null}
    </section>
  );
}
