// The case search box in the header (issue 10: "the operator could not find the search"): a case number, address or
// words, Enter → the case search screen (/search?q=…) with the query filled in and run.
import { useState, type FormEvent } from 'react';
import { PATHS, screensOf, useRoute } from '../../state/route-store.js';
import { selectUser, useSession } from '../../state/session-store.js';
import { useT } from '../Bilingual.js';
import './duplicates.css';

/** Opens the search screen with `q` (its form reads the address bar when it mounts). */
export function openSearch(q: string): void {
  window.history.pushState(null, '', `${PATHS.search}?q=${encodeURIComponent(q)}`);
  useRoute.setState({ path: PATHS.search });
}

export function CaseSearchBox({ current }: { current: string }) {
  const { t } = useT();
  const user = useSession(selectUser);
  const [q, setQ] = useState('');
  if (!screensOf(user).includes('search') || current === 'search') return null; // the search screen has its own field
  const submit = (e: FormEvent) => {
    e.preventDefault();
    openSearch(q.trim());
    setQ('');
  };
  return (
    <form className="header-search" role="search" onSubmit={submit} data-testid="header-search">
      <input type="search" value={q} maxLength={200} onChange={(e) => setQ(e.target.value)} placeholder={t('sb_placeholder')} aria-label={t('sb_placeholder')} />
      <button type="submit" aria-label={t('sb_go')} title={t('sb_go')}>
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" r="4.5" fill="none" stroke="currentColor" strokeWidth="1.6" /><path d="M10.5 10.5 14 14" stroke="currentColor" strokeWidth="1.6" /></svg>
      </button>
    </form>
  );
}
