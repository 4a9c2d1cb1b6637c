// Label descriptors → deck.gl TextLayers. Pure (state → layers): cheap to rebuild, deck.gl diffs by id.
// Text is rasterised by the browser's own fonts (characterSet 'auto'), so Chinese needs no glyph server.
import { TextLayer } from '@deck.gl/layers';
import { labelSize, NO_LABEL_SCALE, type Label, type LabelKind, type LabelScale } from '../labels.js';
import { hexToRgba, THEME, type Rgba } from '../colors.js';

export const LABEL_FONT_SANS = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif';
export const LABEL_FONT_MONO = '"JetBrains Mono", "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace';

/** The SDF font atlas: glyphs are rasterised once at this size and scaled; the halo can reach RADIUS atlas px. */
const ATLAS = { fontSize: 64, buffer: 10, radius: 16 } as const;

type KindStyle = { color: Rgba; font: string; weight: string; /** halo width in screen pixels */ halo: number };

const KIND_STYLE: Record<LabelKind, KindStyle> = {
  street: { color: hexToRgba(THEME.labelStreet), font: LABEL_FONT_SANS, weight: 'bold', halo: 2.2 },
  community: { color: hexToRgba(THEME.labelCommunity), font: LABEL_FONT_SANS, weight: 'normal', halo: 2 },
  road: { color: hexToRgba('#e8edf5'), font: LABEL_FONT_SANS, weight: 'normal', halo: 2 },
  grid: { color: hexToRgba(THEME.labelGrid), font: LABEL_FONT_MONO, weight: 'bold', halo: 1.8 },
  cluster: { color: [255, 255, 255, 255], font: LABEL_FONT_SANS, weight: 'bold', halo: 1.4 },
};

/** deck.gl measures the outline in atlas pixels; convert a screen-pixel halo at the label's size. */
export function outlineWidth(kind: LabelKind, s: LabelScale = NO_LABEL_SCALE): number {
  return Math.min(ATLAS.radius - 1, (KIND_STYLE[kind].halo * s.scale * ATLAS.fontSize) / labelSize(kind, s));
}

const KINDS: readonly LabelKind[] = ['street', 'community', 'road', 'grid', 'cluster'];

/**
 * One TextLayer per label kind that has labels (ids `labels-street`, `labels-community`, `labels-road`, `labels-grid`,
 * `labels-cluster`). Kinds with none get no layer: an empty 'auto' character set makes an empty font
 * atlas, which WebGL refuses to upload.
 */
export function labelLayers(labels: readonly Label[], visible: boolean, scale: LabelScale = NO_LABEL_SCALE): TextLayer<Label>[] {
  return KINDS.flatMap((kind) => {
    const data = labels.filter((l) => l.kind === kind);
    if (data.length === 0) return [];
    const s = KIND_STYLE[kind];
    return [new TextLayer<Label>({
      id: `labels-${kind}`,
      data,
      visible,
      pickable: false,
      characterSet: 'auto',
      fontFamily: s.font,
      fontWeight: s.weight,
      fontSettings: { sdf: true, ...ATLAS },
      outlineWidth: outlineWidth(kind, scale),
      outlineColor: hexToRgba(THEME.labelHalo, 230),
      sizeUnits: 'pixels',
      getSize: labelSize(kind, scale),
      getColor: s.color,
      getText: (l) => l.text,
      getPosition: (l) => l.position,
      getTextAnchor: 'middle',
      getAlignmentBaseline: 'center',
      billboard: true,
    })];
  });
}
