// What the public tracking page shows of a case reported by the public (issue 11): the department's public reply
// (an operator, a shift leader or the crew of the department in charge writes it), and, where the district withholds
// public photos until an operator approves them (faces, number plates), an approve / withdraw button on each photo.
// Both are audited by the server (PUT /api/cases/{id}/public-reply, PUT|DELETE /api/cases/{id}/public-photos/{photo}).
import { useEffect, useState } from 'react';
import type { PhotoLink, TrailEntry } from '../../api/types.js';
import { fetchPublicSide, putPublicReply, setPhotoPublic, type PublicSide } from '../../api/public.js';
import { useT } from '../Bilingual.js';
import { beforeAfter } from './BeforeAfter.js';
import './public-side.css';

export function CasePublicSide({ id, source, trail, links }: { id: string; source: string | null | undefined; trail: readonly TrailEntry[]; links: ReadonlyMap<string, PhotoLink> }) {
  const { t } = useT();
  const [side, setSide] = useState<PublicSide | null>(null);
  const [reply, setReply] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    if (source !== 'public') return;
    let live = true;
    fetchPublicSide(id).then((s) => { if (live) { setSide(s); setReply(s.reply?.text ?? ''); } }).catch(() => { if (live) setSide(null); });
    return () => { live = false; };
  }, [id, source]);
  if (source !== 'public' || !side || (!side.can_reply && !side.can_approve)) return null;
  const run = async (f: () => Promise<PublicSide>) => {
    setBusy(true);
    setNote(null);
    try {
      const s = await f();
      setSide(s);
      setNote({ ok: true, text: t('pb_staff_saved') });
    } catch (e) {
      setNote({ ok: false, text: `${t('pb_staff_failed')}${(e as Error).message}` });
    } finally {
      setBusy(false);
    }
  };
  const { before, after } = beforeAfter(trail, new Set(links.keys()));
  const photos = [...before, ...after];
  return (
    <section className="case-section" data-testid="case-public-side">
      <h4 className="subhead">{t('pb_staff_title')}</h4>
      {side.can_reply ? (
        <div className="public-reply">
          <textarea rows={2} maxLength={2000} value={reply} onChange={(e) => setReply(e.target.value)} placeholder={t('pb_staff_reply_ph')} data-testid="public-reply-input" />
          <button type="button" className="action-btn" disabled={busy || !reply.trim() || reply.trim() === side.reply?.text} onClick={() => void run(() => putPublicReply(id, reply.trim()))} data-testid="public-reply-save">{t('pb_staff_reply_save')}</button>
        </div>
      ) : side.reply ? <p className="long-text">{side.reply.text}</p> : null}
      {side.withhold_photos && photos.length ? (
        <>
          <p className="dim">{t('pb_staff_withheld')}</p>
          <div className="public-photos">
            {photos.map((pid) => {
              const on = side.approved_photo_ids.includes(pid);
              return (
                <figure key={pid} className={`public-photo ${on ? 'on' : ''}`} data-testid="public-photo" data-public={on}>
                  <img src={links.get(pid)!.url} alt="" />
                  <figcaption>
                    {on ? <span className="tag tag-ok">{t('pb_staff_public')}</span> : null}
                    {side.can_approve ? (
                      <button type="button" className="action-btn" disabled={busy} onClick={() => void run(() => setPhotoPublic(id, pid, !on))} data-testid="public-photo-toggle">
                        {on ? t('pb_staff_withdraw') : t('pb_staff_approve')}
                      </button>
                    ) : null}
                  </figcaption>
                </figure>
              );
            })}
          </div>
        </>
      ) : null}
      {note ? <div className={note.ok ? 'dim' : 'field-error'} role="status">{note.text}</div> : null}
    </section>
  );
}
