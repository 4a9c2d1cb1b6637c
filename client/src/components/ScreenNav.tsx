// The header's screen links, as many as fit on one line; the rest go into a "More" menu (at 1366×768 an admin or a
// shift leader has more screens than room). A hidden copy of every link measures them; a ResizeObserver on the nav
// re-fits on every change of the room it has. The current screen's link stays marked, in the row or on "More".
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { MessageKey } from '../i18n/index.js';
import { PATHS, type Screen } from '../state/route-store.js';
import { useT } from './Bilingual.js';

/** Gap between links at 1920 px wide and less (styles.css .nav gap: 2 × the type scale's --px). */
const GAP = 2;

/** How many of `widths` fit in `room` px, keeping room for the "More" button (`more` px) when not all do. */
export function linksThatFit(widths: readonly number[], room: number, more: number, gap = GAP): number {
  const total = widths.reduce((s, w, i) => s + w + (i ? gap : 0), 0);
  if (total <= room) return widths.length;
  let used = more;
  let n = 0;
  for (const w of widths) {
    if (used + w + gap > room) break;
    used += w + gap;
    n++;
  }
  return n;
}

export function ScreenNav({ screens, current, labels, onGo }: {
  screens: readonly Screen[]; current: Screen; labels: Record<Screen, MessageKey>; onGo: (s: Screen) => void;
}) {
  const { t } = useT();
  const navRef = useRef<HTMLElement>(null);
  const ghostRef = useRef<HTMLDivElement>(null);
  const [fit, setFit] = useState(screens.length);
  const [open, setOpen] = useState(false);
  const texts = screens.map((s) => t(labels[s]));
  const key = texts.join('\u0000');

  useLayoutEffect(() => {
    const nav = navRef.current;
    const ghost = ghostRef.current;
    if (!nav || !ghost) return;
    const measure = () => {
      const items = [...ghost.children].map((c) => c.getBoundingClientRect().width);
      const more = items.pop() ?? 0; // the last ghost is the "More" button
      const gap = parseFloat(getComputedStyle(nav).columnGap) || GAP; // grows with the type scale on a wall
      setFit(linksThatFit(items, nav.clientWidth, more, gap));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(nav);
    let live = true;
    void document.fonts?.ready.then(() => { if (live) measure(); }); // the links' widths once the web fonts are in
    return () => { live = false; ro.disconnect(); };
  }, [key]);

  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !navRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', close);
    return () => { document.removeEventListener('pointerdown', close); document.removeEventListener('keydown', close); };
  }, [open]);

  const link = (s: Screen, i: number, cls = 'nav-link') => (
    <a key={s} href={PATHS[s]} className={`${cls} ${s === current ? 'active' : ''}`} aria-current={s === current ? 'page' : undefined}
      onClick={(e) => { e.preventDefault(); setOpen(false); onGo(s); }} data-testid={`nav-${s}`}>{texts[i]}</a>
  );
  const rest = screens.slice(fit);
  return (
    <nav className="nav" aria-label="screens" ref={navRef}>
      {screens.slice(0, fit).map((s, i) => link(s, i))}
      {rest.length ? (
        <div className="nav-more-wrap">
          <button type="button" className={`nav-link nav-more ${rest.includes(current) ? 'active' : ''}`} aria-haspopup="menu" aria-expanded={open}
            onClick={() => setOpen(!open)} data-testid="nav-more">{t('nav_more')} ▾</button>
          {open ? (
            <div className="nav-menu" role="menu" data-testid="nav-menu">
              {rest.map((s, j) => link(s, fit + j, 'nav-link nav-menu-item'))}
            </div>
          ) : null}
        </div>
      ) : null}
      <div className="nav-measure" ref={ghostRef} aria-hidden="true">
        {texts.map((x, i) => <span key={screens[i]} className="nav-link">{x}</span>)}
        <span className="nav-link nav-more">{t('nav_more')} ▾</span>
      </div>
    </nav>
  );
}
