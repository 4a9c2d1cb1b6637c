// Colours of the map page: component majors (docs/domain.md §2), statuses (§3) and the dark theme.

export type Rgba = [number, number, number, number];

/** Component major classes in legend order. */
export const MAJOR_CODES = ['01', '02', '03', '04', '05'] as const;

/** One colour per component major: 01 市政公用 blue, 02 交通 amber, 03 市容环卫 teal, 04 园林绿化 green, 05 其他 violet. */
export const MAJOR_COLORS: Record<(typeof MAJOR_CODES)[number], string> = {
  '01': '#4f9cf9',
  '02': '#f5a524',
  '03': '#2ec4b6',
  '04': '#7bd66b',
  '05': '#b48cf2',
};

export const UNKNOWN_COLOR = '#9aa4b2';

export const STATUSES = ['intact', 'damaged', 'missing', 'abandoned', 'removed'] as const;

/** Ring colour of a component point by status: 完好 quiet, 破损 orange, 丢失 red, 废弃/移除 grey. */
export const STATUS_COLORS: Record<(typeof STATUSES)[number], string> = {
  intact: '#dce6f2',
  damaged: '#ff8c1a',
  missing: '#ff4d4f',
  abandoned: '#7d8796',
  removed: '#4e5663',
};

/**
 * Normalises a major code that may arrive as '01' or as the number 1 (tile encoders drop leading zeros).
 * @example normalizeMajor(3) // '03'
 */
export function normalizeMajor(v: unknown): string {
  if (typeof v === 'number' && Number.isInteger(v)) return String(v).padStart(2, '0');
  if (typeof v === 'string' && /^[0-9]{1,2}$/.test(v)) return v.padStart(2, '0');
  return '';
}

/** The colour of a component major, or grey for an unknown one.
 * @example majorColor('02') // '#f5a524' */
export function majorColor(code: unknown): string {
  const key = normalizeMajor(code) as keyof typeof MAJOR_COLORS;
  return MAJOR_COLORS[key] ?? UNKNOWN_COLOR;
}

export function statusColor(status: unknown): string {
  return STATUS_COLORS[status as keyof typeof STATUS_COLORS] ?? UNKNOWN_COLOR;
}

/** '#rrggbb' → [r, g, b, a] for deck.gl. */
export function hexToRgba(hex: string, alpha = 255): Rgba {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new RangeError(`Not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16), alpha];
}

/** The dark command-centre palette of the vector basemap. */
export const THEME = {
  background: '#0a111c',
  streetFills: ['#132033', '#152438', '#112a33', '#182236'],
  streetOutline: '#5b86b8',
  communityOutline: '#4f6f94',
  road: '#2b3b52',
  roadCasing: '#0d1522',
  gridOutline: '#38d0e0',
  gridHoverFill: '#38d0e0',
  aggregatedLow: '#16324a',
  aggregatedHigh: '#1f5f7a',
  aggregatedOutline: '#56a6c8',
  selection: '#ffd84d',
  labelStreet: '#c9d7ea',
  labelCommunity: '#9fb6d3',
  labelGrid: '#8fe9f2',
  labelHalo: '#0a111c',
} as const;

/** Traffic-light colours of cases (docs/workflow.md §Time): red overdue, yellow past 80 % of the step, green on time. */
export const LIGHT_COLORS = {
  red: '#ff4d4f',
  yellow: '#ffc53d',
  green: '#3ddc84',
  none: '#8c9bb0',
} as const;

/** Rings on the wall map: urged (督办) cases, newly reported ones, the open case. */
export const CASE_RING_COLORS = {
  urged: '#e46bff',
  flash: '#7ff3ff',
  selected: '#ffd84d',
} as const;

export function lightColor(light: string | null | undefined): string {
  return LIGHT_COLORS[(light ?? 'none') as keyof typeof LIGHT_COLORS] ?? LIGHT_COLORS.none;
}
