// The case screens hide the component layer while they are open (cases are the subject there; the layer panel of
// the district map still switches it back), and restore it afterwards.
import { useEffect } from 'react';
import { useLayers } from '../state/layers-store.js';

export function useHideComponents(): void {
  useEffect(() => {
    const before = useLayers.getState().visible.components;
    if (before) useLayers.getState().toggle('components');
    return () => { if (before && !useLayers.getState().visible.components) useLayers.getState().toggle('components'); };
  }, []);
}
