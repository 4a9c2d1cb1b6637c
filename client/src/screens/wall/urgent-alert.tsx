// The wall's optional sound alert (issue 10): off unless switched on (remembered on this device); then a short beep
// (WebAudio, nothing to download) when a case arrives urgent or red, or an open case turns red. At most one beep a
// second however many cases arrive together. Whether a case "alerts" is pure (`alertsFor`); the sound is not.
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { CaseSummary } from '../../api/types.js';
import { beforeSince, changedSince, selectCasesById, selectChanges, useCases } from '../../state/cases-store.js';
import { useT } from '../../components/Bilingual.js';

const KEY = 'gridline.wall.sound';
const listeners = new Set<() => void>();

const storage = (): Storage | null => { try { return globalThis.localStorage ?? null; } catch { return null; } };

export function soundOn(): boolean { return storage()?.getItem(KEY) === 'on'; }

export function setSoundOn(on: boolean): void {
  try { storage()?.setItem(KEY, on ? 'on' : 'off'); } catch { /* private mode: on for this page only */ }
  for (const l of listeners) l();
}

function useSoundOn(): boolean {
  return useSyncExternalStore((cb) => { listeners.add(cb); return () => listeners.delete(cb); }, soundOn, () => false);
}

/**
 * Ids of cases that should beep: new ones that are urgent or red, known ones that have just turned red. `before`
 * says what a case was before the changes (undefined: not held); the store's change log keeps it (beforeSince).
 */
export function alertsFor(before: ReadonlyMap<string, CaseSummary | undefined>, after: Readonly<Record<string, CaseSummary>>, ids: Iterable<string>): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const a = after[id];
    if (!a) continue;
    const b = before.get(id);
    if (!b ? a.urgent || a.light === 'red' : a.light === 'red' && b.light !== 'red') out.push(id);
  }
  return out;
}

let audio: AudioContext | null = null;

/** Two short tones; silent where the page may not play sound yet (no user gesture) or has no WebAudio. */
export function beep(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
    const t0 = audio.currentTime;
    for (const [i, f] of [880, 660].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = f;
      gain.gain.setValueAtTime(0.0001, t0 + i * 0.22);
      gain.gain.exponentialRampToValueAtTime(0.3, t0 + i * 0.22 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.22 + 0.2);
      osc.connect(gain).connect(audio.destination);
      osc.start(t0 + i * 0.22);
      osc.stop(t0 + i * 0.22 + 0.21);
    }
  } catch { /* no sound on this device */ }
}

const MIN_GAP_MS = 1000;

/** Beeps for new urgent or red cases while the toggle is on (the first list load never beeps). */
export function useUrgentAlert(play: () => void = beep): void {
  const byId = useCases(selectCasesById);
  const changes = useCases(selectChanges); // byId is updated in place: the change log is what moves
  const on = useSoundOn();
  const seen = useRef(useCases.getState().changes.at(-1)?.seq ?? 0);
  const last = useRef(0);
  useEffect(() => {
    const { status } = useCases.getState();
    const since = seen.current;
    seen.current = changes.at(-1)?.seq ?? 0;
    if (!on || seen.current === since || status !== 'ready') return;
    const ids = changedSince(changes, since);
    if (!ids) return; // a whole new list: not news
    if (alertsFor(beforeSince(changes, since), byId, ids).length && performance.now() - last.current > MIN_GAP_MS) {
      last.current = performance.now();
      play();
    }
  }, [byId, changes, on, play]);
}

export function SoundToggle() {
  const on = useSoundOn();
  const { t } = useT();
  // Switching on beeps once: the click is the gesture that lets the page play sound, and says what it will sound like.
  return (
    <button type="button" className={`sound-toggle ${on ? 'on' : ''}`} aria-pressed={on} data-testid="sound-toggle" title={t('wl_sound_hint')}
      onClick={() => { setSoundOn(!on); if (!on) beep(); }}>
      <span className="sound-dot" aria-hidden="true" />{on ? t('wl_sound_on') : t('wl_sound_off')}
    </button>
  );
}
