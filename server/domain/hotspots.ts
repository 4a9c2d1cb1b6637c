// Hot spots of the statistics map: Getis–Ord Gi* over contiguity neighbours (docs/leader-api.md §Statistics).
// Pure: values and neighbour lists in, z-scores out. Ord & Getis (1995), "Local spatial autocorrelation statistics",
// eq. for Gi* with the unit itself among its neighbours and binary weights (w_ij = 1 for j in N(i) ∪ {i}).

export type Hotspot = 'hot_99' | 'hot_95' | 'hot_90' | 'none' | 'cold_90' | 'cold_95' | 'cold_99';
export const HOTSPOT_CLASSES: readonly Hotspot[] = ['hot_99', 'hot_95', 'hot_90', 'none', 'cold_90', 'cold_95', 'cold_99'];

/** Two-sided critical values of the standard normal for 90, 95 and 99 % confidence. */
export const Z_THRESHOLDS = { p90: 1.645, p95: 1.96, p99: 2.576 } as const;

/** The statement every choropleth answer carries, so a reader knows what `gi_z` and `hotspot` mean. */
export const HOTSPOT_METHOD = {
  statistic: 'getis_ord_gi_star',
  variable: 'cases per 10,000 m² in the period',
  neighbours: 'queen contiguity (units sharing an edge or a corner, within 1e-6°), the unit itself included, binary weights',
  scope: 'the units of the requested level inside the requested region',
  thresholds: { hot_90: Z_THRESHOLDS.p90, hot_95: Z_THRESHOLDS.p95, hot_99: Z_THRESHOLDS.p99 },
  note: 'z ≥ 1.645 / 1.96 / 2.576 is a hot spot at 90 / 95 / 99 % confidence, the negatives cold spots; '
    + 'no correction for multiple testing. z is null when every unit has the same value or a unit neighbours every other one.',
} as const;

/**
 * Getis–Ord Gi* z-score of every unit: (Σ_j w_ij x_j − x̄ W_i) / (S √((n W_i − W_i²)/(n − 1))), with
 * W_i = 1 + |N(i)|, x̄ and S the mean and (population) standard deviation of all n values. `neighbours[i]` lists
 * the indices of i's neighbours (not i itself; duplicates and i are ignored). null where the statistic is undefined:
 * fewer than two units, no variation (S = 0), or a unit whose neighbourhood is the whole set (W_i = n).
 * @example giStar([1, 2, 3], [[1], [0, 2], [1]]) // [-1.2247…, null, 1.2247…]
 */
export function giStar(values: readonly number[], neighbours: readonly (readonly number[])[]): (number | null)[] {
  const n = values.length;
  if (neighbours.length !== n) throw new RangeError(`giStar needs one neighbour list per value: ${n} values, ${neighbours.length} lists`);
  for (const v of values) if (!Number.isFinite(v)) throw new RangeError(`giStar values must be finite numbers, got ${v}`);
  if (n < 2) return values.map(() => null);
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const s = Math.sqrt(values.reduce((acc, v) => acc + (v - mean) ** 2, 0) / n); // two-pass: no cancellation
  if (!(s > 1e-12 * Math.max(1, Math.abs(mean)))) return values.map(() => null);
  return values.map((x, i) => {
    const set = new Set<number>();
    for (const j of neighbours[i]) {
      if (!Number.isInteger(j) || j < 0 || j >= n) throw new RangeError(`neighbour index ${j} of unit ${i} is outside 0…${n - 1}`);
      if (j !== i) set.add(j);
    }
    const w = set.size + 1;
    let sum = x;
    for (const j of set) sum += values[j];
    const spread = (n * w - w * w) / (n - 1);
    if (!(spread > 0)) return null;
    return (sum - mean * w) / (s * Math.sqrt(spread));
  });
}

/**
 * The hot-spot class of a z-score by the two-sided thresholds 1.645 / 1.96 / 2.576 (inclusive).
 * @example hotspotClass(2.0) // 'hot_95'
 */
export function hotspotClass(z: number | null): Hotspot {
  if (z === null || !Number.isFinite(z)) return 'none';
  const a = Math.abs(z);
  const side = z > 0 ? 'hot' : 'cold';
  if (a >= Z_THRESHOLDS.p99) return `${side}_99`;
  if (a >= Z_THRESHOLDS.p95) return `${side}_95`;
  if (a >= Z_THRESHOLDS.p90) return `${side}_90`;
  return 'none';
}

/**
 * Neighbour index lists from unordered pairs of codes (each pair once, either order); codes not in `codes` are
 * ignored, so pairs of a whole district can serve one region of it.
 * @example neighbourLists(['a', 'b', 'c'], [['a', 'b'], ['b', 'c']]) // [[1], [0, 2], [1]]
 */
export function neighbourLists(codes: readonly string[], pairs: readonly (readonly [string, string])[]): number[][] {
  const index = new Map(codes.map((c, i) => [c, i]));
  const out: Set<number>[] = codes.map(() => new Set());
  for (const [a, b] of pairs) {
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined || i === j) continue;
    out[i].add(j);
    out[j].add(i);
  }
  return out.map((s) => [...s].sort((x, y) => x - y));
}
