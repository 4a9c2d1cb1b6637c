// Label layers are pure descriptors: same labels in, same deck.gl layers out.
import { describe, expect, test } from 'vitest';
import { labelLayers } from '../../client/src/map/layers/labels.js';
import type { Label } from '../../client/src/map/labels.js';

const labels: Label[] = [
  { id: 'street:110101001', kind: 'street', position: [116.4, 39.9], text: '东华门街道' },
  { id: 'grid:110101001001007', kind: 'grid', position: [116.41, 39.91], text: '110101001001007' },
];

describe('labelLayers', () => {
  test('one text layer per label kind present, with fixed ids', () => {
    expect(labelLayers(labels, true).map((l) => l.id)).toEqual(['labels-street', 'labels-grid']);
    expect(labelLayers([], true)).toEqual([]);
  });

  test('each layer gets only its kind of label, drawn with browser fonts (no glyph server)', () => {
    const [street, grid] = labelLayers(labels, true);
    expect(street.props.data).toEqual([labels[0]]);
    expect(grid.props.data).toEqual([labels[1]]);
    expect(grid.props.characterSet).toBe('auto');
  });

  test('the labels switch hides every text layer', () => {
    expect(labelLayers(labels, false).every((l) => l.props.visible === false)).toBe(true);
  });
});
