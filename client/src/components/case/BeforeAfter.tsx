// A case's photos as before and after, side by side, large and labelled (前 / 后): before = the report's (and the
// verify's) photos, after = the department's feedback and the inspector's check photos. Tap one for full size.
import { useState } from 'react';
import { createPortal } from 'react-dom';
import type { PhotoLink, TrailEntry } from '../../api/types.js';
import { useT } from '../Bilingual.js';

const BEFORE_ACTIONS = new Set(['report', 'verify']);

/** The stored photo ids of a trail, split into before and after, in trail order without repeats. */
export function beforeAfter(trail: readonly Pick<TrailEntry, 'action' | 'photo_ids'>[], stored: ReadonlySet<string>): { before: string[]; after: string[] } {
  const before: string[] = [];
  const after: string[] = [];
  const seen = new Set<string>();
  for (const e of trail) {
    for (const id of e.photo_ids ?? []) {
      if (seen.has(id) || !stored.has(id)) continue;
      seen.add(id);
      (BEFORE_ACTIONS.has(e.action) ? before : after).push(id);
    }
  }
  return { before, after };
}

export function BeforeAfter({ trail, links }: { trail: readonly TrailEntry[]; links: ReadonlyMap<string, PhotoLink> }) {
  const { t } = useT();
  const [open, setOpen] = useState<{ url: string; label: string } | null>(null);
  const { before, after } = beforeAfter(trail, new Set(links.keys()));
  if (!before.length && !after.length) return null;
  const column = (side: 'before' | 'after', ids: string[]) => {
    const label = t(side === 'before' ? 'fd_before_long' : 'fd_after_long');
    return (
      <div className={`fd-ba-col ${side}`} data-testid={`photos-${side}`}>
        <div className="fd-ba-head"><span className="fd-ba-tag">{t(side === 'before' ? 'fd_before' : 'fd_after')}</span>{label}</div>
        {ids.length ? ids.map((id) => (
          <button key={id} type="button" className="fd-ba-photo" onClick={() => setOpen({ url: links.get(id)!.url, label })} aria-label={label}>
            <img src={links.get(id)!.url} alt={label} loading="lazy" data-testid="case-photo" />
          </button>
        )) : <div className="fd-ba-empty">{t('fd_no_photo')}</div>}
      </div>
    );
  };
  return (
    <>
      <div className="fd-before-after" data-testid="before-after">{column('before', before)}{column('after', after)}</div>
      {open ? createPortal(
        <figure className="fd-lightbox" role="dialog" aria-label={open.label} onClick={() => setOpen(null)} data-testid="photo-full">
          <img src={open.url} alt={open.label} />
          <figcaption>{open.label}</figcaption>
          <button type="button" aria-label={t('fd_close')} onClick={() => setOpen(null)}>×</button>
        </figure>, document.body, // on top of the whole page, not inside the panel (a transformed box)
      ) : null}
    </>
  );
}
