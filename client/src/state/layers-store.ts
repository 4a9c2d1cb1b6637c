// Which thematic layers the operator has switched on. The map applies these as layout visibility.
import { create } from 'zustand';

export type LayerToggle = 'grids' | 'components' | 'labels' | 'basemap';

export type LayerVisibility = Record<LayerToggle, boolean>;

type LayersState = {
  visible: LayerVisibility;
  toggle: (key: LayerToggle) => void;
};

export const useLayers = create<LayersState>()((set) => ({
  visible: { grids: true, components: true, labels: true, basemap: true },
  toggle: (key) => set((s) => ({ visible: { ...s.visible, [key]: !s.visible[key] } })),
}));

export const selectVisibility = (s: LayersState) => s.visible;
export const selectToggleLayer = (s: LayersState) => s.toggle;
