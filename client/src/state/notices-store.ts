// Failed requests and map errors, shown as dismissible notices: no error is dropped silently (docs/style.md §2.4).
import { create } from 'zustand';

export type Notice = { id: number; level: 'error' | 'warning' | 'info'; message: string; count: number };

type NoticesState = {
  list: Notice[];
  nextId: number;
  /** Adds a notice; the same message again bumps its count instead of stacking a copy. */
  push: (level: Notice['level'], message: string) => void;
  dismiss: (id: number) => void;
};

/** At most this many notices are kept; the oldest go first. */
export const MAX_NOTICES = 5;

export const useNotices = create<NoticesState>()((set) => ({
  list: [],
  nextId: 1,
  push: (level, message) => set((s) => {
    const same = s.list.find((n) => n.message === message && n.level === level);
    if (same) return { list: s.list.map((n) => (n === same ? { ...n, count: n.count + 1 } : n)) };
    const list = [...s.list, { id: s.nextId, level, message, count: 1 }].slice(-MAX_NOTICES);
    return { list, nextId: s.nextId + 1 };
  }),
  dismiss: (id) => set((s) => ({ list: s.list.filter((n) => n.id !== id) })),
}));

export const selectNotices = (s: NoticesState) => s.list;
export const selectPushNotice = (s: NoticesState) => s.push;
export const selectDismissNotice = (s: NoticesState) => s.dismiss;
