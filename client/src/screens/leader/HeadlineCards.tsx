// The four headline indicators the seeds report for Dongcheng (docs/evaluation.md §Headline), for the period and scope:
// each with numerator / denominator, "no data" when the rate is null, the reference figure beside it, and a click that
// lists the cases behind it.
import type { MessageKey } from '../../i18n/index.js';
import { useT } from '../../components/Bilingual.js';
import type { Headline, HeadlineIndicator, Ratio } from '../../api/leader.js';
import { loadHeadline, openDrill, selectHeadline, selectRegion, useLeader } from '../../state/leader-store.js';
import { againstReference, formatCount, formatHours, formatRate, fraction } from './numbers.js';
import { SlotState } from './LeaderBits.js';

function Reference({ value, reference, better, text }: { value: number | null; reference: number; better: 'higher' | 'lower'; text: string }) {
  const { t } = useT();
  const stand = againstReference(value, reference, better);
  return (
    <span className={`ld-ref ${stand ?? 'none'}`} title={stand ? t(stand === 'meets' ? 'hl_meets' : 'hl_below') : undefined} data-testid="hl-ref">
      {stand ? <i aria-hidden="true">{stand === 'meets' ? '▲' : '▼'}</i> : null}
      {t('hl_reference')} <b className="mono">{text}</b>
    </span>
  );
}

function RateCard({ k, label, hint, ratio, reference, sub }: {
  k: HeadlineIndicator; label: MessageKey; hint: MessageKey; ratio: Ratio; reference: { value: number; text: string } | null;
  sub?: { k: HeadlineIndicator; label: MessageKey; ratio: Ratio };
}) {
  const { t, lang } = useT();
  const region = useLeader(selectRegion) ?? undefined;
  const open = (indicator: HeadlineIndicator, labelKey: MessageKey) => void openDrill({ kind: 'headline', region, indicator, label: t(labelKey), has_denominator: true });
  return (
    <div className={`ld-hl ${ratio.rate == null ? 'nodata' : ''}`} data-testid={`hl-${k}`}>
      <button type="button" className="ld-hl-main" onClick={() => open(k, label)} title={`${t(hint)} — ${t('hl_click')}`} data-testid={`hl-open-${k}`}>
        <span className="ld-hl-label">{t(label)}</span>
        <span className="ld-hl-value mono" data-testid="hl-value">{formatRate(ratio.rate, lang)}</span>
        <span className="ld-hl-frac mono" data-testid="hl-fraction">{fraction(ratio.numerator, ratio.denominator)}</span>
      </button>
      <div className="ld-hl-foot">
        {reference ? <Reference value={ratio.rate} reference={reference.value} better="higher" text={reference.text} /> : <span />}
        {sub ? (
          <button type="button" className="ld-hl-sub" onClick={() => open(sub.k, sub.label)} data-testid={`hl-open-${sub.k}`}
            title={`${fraction(sub.ratio.numerator, sub.ratio.denominator)} — ${t('hl_click')}`}>
            {t(sub.label)} <b className="mono">{formatRate(sub.ratio.rate, lang)}</b>
          </button>
        ) : null}
      </div>
    </div>
  );
}

function HoursCard({ h }: { h: Headline }) {
  const { t, lang } = useT();
  const region = useLeader(selectRegion) ?? undefined;
  const a = h.avg_handling_hours;
  return (
    <div className={`ld-hl ${a.natural == null ? 'nodata' : ''}`} data-testid="hl-avg_handling_hours">
      <button type="button" className="ld-hl-main" title={`${t('hl_avg_handling_hint')} — ${t('hl_click')}`} data-testid="hl-open-avg_handling_hours"
        onClick={() => void openDrill({ kind: 'headline', region, indicator: 'avg_handling_hours', label: t('hl_avg_handling'), has_denominator: true }, 'denominator')}>
        <span className="ld-hl-label">{t('hl_avg_handling')}</span>
        <span className="ld-hl-value mono" data-testid="hl-value">{formatHours(a.natural, lang)}</span>
        <span className="ld-hl-frac mono" data-testid="hl-fraction">
          {t('hl_working')} {formatHours(a.working, lang)} · {formatCount(a.count)} {t('hl_dispatches')}
        </span>
      </button>
      <div className="ld-hl-foot">
        <ReferenceHours value={a.natural} reference={h.reference.avg_handling_hours} />
        <span className="ld-hl-note">{t('hl_avg_handling_hint')}</span>
      </div>
    </div>
  );
}

function ReferenceHours({ value, reference }: { value: number | null; reference: number }) {
  const { lang } = useT();
  return <Reference value={value} reference={reference} better="lower" text={formatHours(reference, lang)} />;
}

export function HeadlineCards() {
  const slot = useLeader(selectHeadline);
  const { t } = useT();
  const h = slot.data;
  return (
    <section className={`ld-headline ${slot.status === 'loading' ? 'busy' : ''}`} aria-label={t('ld_headline')} data-testid="ld-headline">
      <SlotState slot={slot} retry={() => void loadHeadline()}>
        {h ? (
          <>
            <RateCard k="discovery_rate" label="hl_discovery_rate" hint="hl_discovery_hint" ratio={h.discovery_rate}
              reference={{ value: h.reference.discovery_rate, text: `>${Math.round(h.reference.discovery_rate * 100)}%` }} />
            <RateCard k="dispatch_accuracy" label="hl_dispatch_accuracy" hint="hl_dispatch_hint" ratio={h.dispatch_accuracy}
              reference={{ value: h.reference.dispatch_accuracy, text: `${Math.round(h.reference.dispatch_accuracy * 100)}%` }}
              sub={{ k: 'suggestion_accuracy', label: 'hl_suggestion_accuracy', ratio: h.suggestion_accuracy }} />
            <HoursCard h={h} />
            <RateCard k="closing_rate" label="hl_closing_rate" hint="hl_closing_hint" ratio={h.closing_rate}
              reference={{ value: h.reference.closing_rate, text: `>${Math.round(h.reference.closing_rate * 100)}%` }}
              sub={{ k: 'on_time_closing_rate', label: 'hl_on_time_closing_rate', ratio: h.on_time_closing_rate }} />
          </>
        ) : null}
      </SlotState>
    </section>
  );
}
