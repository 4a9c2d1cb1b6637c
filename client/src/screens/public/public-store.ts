// What the report page hands the tracking page after a report: the number and code to look up (kept in memory only,
// never in the address bar, so the code does not end up in history or logs).
import { create } from 'zustand';

type PublicState = { prefill: { case_no: string; code: string } | null; setPrefill: (p: { case_no: string; code: string } | null) => void };

export const usePublicPages = create<PublicState>()((set) => ({
  prefill: null,
  setPrefill: (prefill) => set({ prefill }),
}));

export const selectPrefill = (s: PublicState) => s.prefill;
