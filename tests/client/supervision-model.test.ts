// The supervision screen's pure helpers (client/src/screens/supervision/supervision-model.ts): alert sentences in both
// languages, the threshold form's checks.
import { describe, expect, test } from 'vitest';
import { alertText, checkThresholdForm, fill, formOf } from '../../client/src/screens/supervision/supervision-model.js';
import { DEFAULT_THRESHOLDS } from '../../server/domain/supervision.js';
import type { SupervisionAlert } from '../../client/src/api/supervision.js';

const alert = (a: Partial<SupervisionAlert>): SupervisionAlert => ({
  kind: 'department_overdue', key: 'k', count: 7, threshold: 5, department_id: 3, department_name: 'Roads 道路管理', step: null, category: 'overdue', ...a,
});

describe('alert sentences', () => {
  test.each([
    [alert({}), 'zh', '道路管理 超期 7 件（阈值 5）'],
    [alert({}), 'en', 'Roads: 7 overdue (threshold 5)'],
    [alert({ kind: 'step_overdue', department_id: null, department_name: null, step: 'dispatch', count: 12, threshold: 10 }), 'zh', '派遣环节超期 12 件（阈值 10）'],
    [alert({ kind: 'stockpiled', department_id: null, department_name: null, count: 2, threshold: 1 }), 'en', '2 stockpiled (threshold 1)'],
    [alert({ kind: 'unanswered_urges', department_id: null, department_name: null, count: 3, threshold: 24 }), 'zh', '3 件督办超过 24 小时未回应'],
  ] as const)('%j in %s', (a, lang, text) => {
    expect(alertText(a, lang)).toBe(text);
  });

  test('fill leaves unknown placeholders as they are', () => {
    expect(fill('{n} of {m}', { n: 1 })).toBe('1 of {m}');
  });
});

describe('the threshold form', () => {
  test('the defaults round-trip through the form', () => {
    expect(checkThresholdForm(formOf(DEFAULT_THRESHOLDS))).toEqual({ value: DEFAULT_THRESHOLDS });
  });
  test('empty, zero, fractional, negative and too large values are named', () => {
    const f = { ...formOf(DEFAULT_THRESHOLDS), department_overdue: '', step_overdue: '0', stockpiled: '1.5', unanswered_urge_hours: '9000' };
    expect(checkThresholdForm(f)).toEqual({ bad: ['department_overdue', 'step_overdue', 'stockpiled', 'unanswered_urge_hours'] });
    expect(checkThresholdForm({ ...formOf(DEFAULT_THRESHOLDS), stockpiled: '-1' })).toEqual({ bad: ['stockpiled'] });
  });
});
