// The zh-CN / English dictionary and bilingual labels.
import { describe, expect, test } from 'vitest';
import { bilingual, DICTIONARY, majorKey, statusKey, t } from '../../client/src/i18n/index.js';
import { MAJOR_CODES, STATUSES } from '../../client/src/map/colors.js';

describe('dictionary', () => {
  test('every entry has Chinese and English text', () => {
    for (const [key, entry] of Object.entries(DICTIONARY)) {
      expect(entry.zh.trim(), key).not.toBe('');
      expect(entry.en.trim(), key).not.toBe('');
    }
  });

  test('the Chinese text of the field labels is Chinese', () => {
    for (const [key, entry] of Object.entries(DICTIONARY)) {
      if (key.startsWith('f_') || key.startsWith('major_') || key.startsWith('status_')) {
        expect(entry.zh, key).toMatch(/[\u4e00-\u9fff]/);
      }
    }
  });

  test('every component major and status has a name', () => {
    for (const code of MAJOR_CODES) expect(majorKey(code)).not.toBeNull();
    for (const status of STATUSES) expect(statusKey(status)).not.toBeNull();
    expect(t('zh', majorKey('03')!)).toBe('市容环卫设施');
    expect(t('zh', statusKey('damaged')!)).toBe('破损');
  });
});

describe('t and bilingual', () => {
  test('t gives the chosen language', () => {
    expect(t('zh', 'f_grid_code')).toBe('网格编码');
    expect(t('en', 'f_grid_code')).toBe('Grid code');
  });

  test('an unknown key shows itself, so the gap is visible', () => {
    expect(t('zh', 'no_such_key')).toBe('no_such_key');
    expect(majorKey('99')).toBeNull();
    expect(statusKey('lost')).toBeNull();
  });

  test('bilingual puts the chosen language first and the other second', () => {
    expect(bilingual('zh', 'f_component_id')).toEqual({ primary: '部件标识码', secondary: 'Component ID' });
    expect(bilingual('en', 'f_component_id')).toEqual({ primary: 'Component ID', secondary: '部件标识码' });
  });
});
