// The wall's markers (issue 10): spots cluster cases at one place with their count and worst light, a red case is
// never hidden, and a change to one case restyles its rows of the kept layers instead of rebuilding every attribute.
// Also the cases store's change log the spots follow, the sound alert's rule and the wall's scale.
import { beforeEach, describe, expect, test } from 'vitest';
import type { Layer } from '@deck.gl/core';
import type { CaseSummary, Light } from '../../client/src/api/types.js';
import { CaseSpots, fromWorld, toWorld, worseLight, type Spot } from '../../client/src/map/case-spots.js';
import { rowRanges, SPOT_CELL_PX, SPOT_LAYER, SPOT_MARGIN_VIEWS, SpotLayerSet, spotRadius, type SpotView } from '../../client/src/map/layers/cases.js';
import { beforeSince, changedSince, useCases, wallVisible, ALL_LIGHTS } from '../../client/src/state/cases-store.js';
import { alertsFor } from '../../client/src/screens/wall/urgent-alert.js';
import { wallScale } from '../../client/src/screens/wall/wall-spots.js';

let n = 0;
const c = (p: Partial<CaseSummary> = {}): CaseSummary => ({
  id: `c${++n}`, case_no: `1101012026112300${String(n).padStart(4, '0')}`, status: 'handling', class_code: '06010', lon: 116.41, lat: 39.91,
  version: 1, grid_code: '110101001001001', department_id: null, step: 'handle', yellow_at: null, red_at: '2030-01-01T00:00:00Z',
  updated_at: '2026-11-23T02:00:00Z', light: 'green', ...p,
} as CaseSummary);
const all = () => true;
const all_ = all;
const visible = (s: Spot) => s.count > 0;
/** The ids of the layers deck.gl draws (a hidden layer stays in the list: deck.gl keeps its state). */
const shown = (layers: Layer[]) => layers.filter((l) => l.props.visible !== false).map((l) => l.id);
const dataOf = (l: Layer) => (l.props as unknown as { data: Spot[] }).data;
/** The rows a spot layer draws: a radius and a colour that shows (the pulse's other rows are radius 0, no colour). */
const drawnRows = (l: Layer) => {
  const p = l.props as unknown as { data: Spot[]; getRadius: (s: Spot) => number; getLineColor: (s: Spot) => number[] };
  return p.data.filter((s) => p.getRadius(s) > 0 && p.getLineColor(s)[3] > 0);
};

beforeEach(() => { n = 0; });

describe('spots', () => {
  test('six cases at one spot make one spot "6" in the worst light: one red among five greens draws red', () => {
    const cases = [...Array.from({ length: 5 }, () => c({ light: 'green' })), c({ light: 'red' })];
    const spots = new CaseSpots();
    const view = spots.rebuild(cases, { zoom: 15, cellPx: SPOT_CELL_PX, visible: all });
    expect(view.filter(visible)).toHaveLength(1);
    const [s] = view;
    expect(s.count).toBe(6);
    expect(s.worst).toBe('red');
    expect(s.top?.light).toBe('red');
    expect(spots.casesOf(s).map((x) => x.light)).toEqual(['red', 'green', 'green', 'green', 'green', 'green']);
    // drawn as a cluster: bigger than a single marker, the count as its label
    expect(spotRadius(s)).toBeGreaterThan(spotRadius({ count: 1, worst: 'red' }));
    const set = new SpotLayerSet();
    set.build(view, view.filter((x) => x.count > 1), 1);
    const layers = set.frame(0, spots.redCount > 0);
    expect(spots.redCount).toBe(1);
    expect(layers.map((l) => l.id)).toEqual([SPOT_LAYER.pulse, SPOT_LAYER.points, SPOT_LAYER.counts]); // none urged: no ring
    const text = layers[2].props as unknown as { data: Spot[]; getText: (s: Spot) => string };
    expect(text.data.map(text.getText)).toEqual(['6']);
  });

  test('the worst light wins in any order; yellow beats green, any light beats none', () => {
    const order: (Light | null)[] = [null, 'green', 'yellow', 'red'];
    for (const a of order) for (const b of order) {
      expect(worseLight(a, b)).toBe(order[Math.max(order.indexOf(a), order.indexOf(b))]);
    }
    const spots = new CaseSpots();
    const [s] = spots.rebuild([c({ light: null }), c({ light: 'yellow' }), c({ light: 'green' })], { zoom: 16, cellPx: 48, visible: all });
    expect([s.count, s.worst]).toEqual([3, 'yellow']);
  });

  test('cases a cell apart stay apart; one case is drawn at its own place, a cluster at its cell\'s centre', () => {
    const z = 16;
    const [x, y] = toWorld(116.41, 39.91, z);
    const cell = (px: number, py: number) => fromWorld(px, py, z);
    const [lonA, latA] = cell(Math.floor(x / 48) * 48 + 10, Math.floor(y / 48) * 48 + 10);
    const [lonB, latB] = cell(Math.floor(x / 48) * 48 + 60, Math.floor(y / 48) * 48 + 10); // the next cell east
    const spots = new CaseSpots();
    const view = spots.rebuild([c({ lon: lonA, lat: latA }), c({ lon: lonA, lat: latA }), c({ lon: lonB, lat: latB })], { zoom: z, cellPx: 48, visible: all });
    const single = view.find((s) => s.count === 1)!;
    const pair = view.find((s) => s.count === 2)!;
    expect([single.lon, single.lat]).toEqual([lonB, latB]);
    const [cx, cy] = toWorld(pair.lon, pair.lat, z);
    expect([cx % 48, cy % 48].map((v) => Math.round(v))).toEqual([24, 24]);
  });

  test('a red case is never hidden: red spots are drawn last, and no spot can cover a neighbour cell\'s marker', () => {
    const cases: CaseSummary[] = [];
    for (let i = 0; i < 400; i++) {
      const light = (['green', 'yellow', 'red', null] as const)[i % 4];
      cases.push(c({ lon: 116.40 + (i % 20) * 0.0004, lat: 39.90 + Math.floor(i / 20) * 0.0003, light }));
    }
    const spots = new CaseSpots();
    const view = spots.rebuild(cases, { zoom: 15, cellPx: 48, visible: all });
    const ranks = view.map((s) => ({ red: 3, yellow: 2, green: 1 } as Record<string, number>)[s.worst ?? ''] ?? 0);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b)); // red last, so on top
    for (const s of view) if (spots.casesOf(s).some((x) => x.light === 'red')) expect(s.worst).toBe('red');
    // a cluster's radius leaves room for a red single marker between it and the cell edge
    expect(spotRadius({ count: 100_000, worst: 'red' }) + spotRadius({ count: 1, worst: 'red' })).toBeLessThanOrEqual(SPOT_CELL_PX / 2);
  });

  test('filtered-out cases count for nothing; an empty spot draws nothing', () => {
    const spots = new CaseSpots();
    const filter = { status: 'open' as const, lights: { ...ALL_LIGHTS, green: false } };
    const view = spots.rebuild([c({ light: 'green' }), c({ light: 'green' }), c({ light: 'yellow' })], { zoom: 15, cellPx: 48, visible: (x) => wallVisible(x, filter) });
    expect([view[0].count, view[0].worst]).toEqual([1, 'yellow']);
    const none = new CaseSpots().rebuild([c({ light: 'green' })], { zoom: 15, cellPx: 48, visible: (x) => wallVisible(x, filter) });
    expect(none[0].count).toBe(0);
    expect(spotRadius(none[0])).toBe(0);
  });
});

describe('one case changes: one row is restyled', () => {
  const spread = (count: number) => Array.from({ length: count }, (_, i) => c({ lon: 116.30 + (i % 300) * 0.0007, lat: 39.85 + Math.floor(i / 300) * 0.0006 }));

  test('a light change restyles its one spot in place and answers that row; the kept layers invalidate just that row', () => {
    const cases = spread(3000);
    const spots = new CaseSpots();
    const first = spots.rebuild(cases, { zoom: 16, cellPx: 48, visible: all });
    const before = [...first];
    const target = cases[1234];
    const rows = spots.update(target.id, { ...target, light: 'red', version: 2 })!;
    const row = first.findIndex((s) => s.members.some((m) => spots.caseAt(m)?.id === target.id));
    expect(rows).toEqual([row]);
    expect(spots.spots).toBe(first); // the same array and the same spot objects: nothing else recomputed
    first.forEach((s, i) => expect(s).toBe(before[i]));
    expect([first[row].worst, spots.redCount]).toEqual(['red', 1]);
    expect(spots.update(target.id, { ...target, light: 'green', version: 3 })).toEqual([row]);
    expect(spots.redCount).toBe(0);
    expect(spots.update('never-held', null)).toEqual([]);

    // The layers: the same instances frame after frame (only the pulse is a clone), and restyle hands each spot
    // layer's attribute manager the changed rows of the changed attributes only, merged into runs, then asks deck.gl
    // for an update. No case is urged: the urged ring is not in the frame (one draw call less).
    const set = new SpotLayerSet();
    set.build(first, first.filter((s) => s.count > 1), 1);
    const a = set.frame(0.2, true);
    const b = set.frame(0.4, true);
    expect(a.map((l) => l.id)).toEqual([SPOT_LAYER.pulse, SPOT_LAYER.points]);
    expect(shown(a)).toEqual([SPOT_LAYER.points]); // no red spot: the pulse is hidden even when the caller allows it
    expect(b[1]).toBe(a[1]);
    const calls: Record<string, { invalidated: [string, object][]; updates: number }> = {};
    const live = (layer: Layer) => { // as deck.gl would after matching it: an attribute manager
      const log: { invalidated: [string, object][]; updates: number } = (calls[layer.id] = { invalidated: [], updates: 0 });
      Object.assign(layer, {
        getAttributeManager: () => ({ invalidate: (name: string, r: object) => log.invalidated.push([name, r]) }),
        setNeedsUpdate: () => { log.updates++; },
      });
    };
    b.forEach(live);
    // Three spots turn red, one yellow (single cases: they stay where they are).
    const caseIn = (row: number) => spots.caseAt(first[row].members[0])!;
    const turned = spots.updateMany([[caseIn(3), 'red'], [caseIn(4), 'red'], [caseIn(5), 'red'], [caseIn(9), 'yellow']]
      .map(([k, light]) => [(k as CaseSummary).id, { ...(k as CaseSummary), light: light as Light, version: 9 }] as [string, CaseSummary]))!;
    expect(turned).toEqual([3, 4, 5, 9]);
    expect(set.restyle(turned)).toBe(false); // the same layers in the frame
    const each = (names: string[], r: object) => names.map((n) => [n, r]);
    // The spots: a single case's light sets its radius and fill (its outline stays); the pulse: the three rows that
    // turned red, every attribute of its look, and the same data; the urged ring: nothing.
    expect(calls[SPOT_LAYER.points]).toEqual({
      invalidated: [...each(['getRadius'], { startRow: 3, endRow: 6 }), ...each(['getRadius'], { startRow: 9, endRow: 10 }),
        ...each(['getFillColor'], { startRow: 3, endRow: 6 }), ...each(['getFillColor'], { startRow: 9, endRow: 10 })],
      updates: 1,
    });
    expect(calls[SPOT_LAYER.pulse]).toEqual({
      invalidated: each(['getRadius', 'getFillColor', 'getLineColor', 'getLineWidth'], { startRow: 3, endRow: 6 }),
      updates: 1,
    });
    expect(calls[SPOT_LAYER.urged]).toBeUndefined();
    expect(set.pulsing).toEqual([first[3], first[4], first[5]]);
    const withPulse = set.frame(0.4, true);
    expect(shown(withPulse)).toEqual([SPOT_LAYER.pulse, SPOT_LAYER.points]);
    expect(withPulse[1]).toBe(a[1]); // the spots layer is kept
    expect(dataOf(withPulse[0])).toBe(dataOf(a[0])); // the pulse's data too: the held spots, the spots layer's rows
    expect(dataOf(withPulse[0])).toBe(dataOf(a[1]));
    expect(drawnRows(withPulse[0])).toEqual([first[3], first[4], first[5]]);
    expect((withPulse[0].props as unknown as { opacity: number }).opacity).toBeCloseTo(0.85 * 0.6);
    // The same look again: nothing to recompute anywhere.
    set.restyle(spots.update(caseIn(9).id, { ...caseIn(9), version: 10 })!);
    expect(calls[SPOT_LAYER.points].updates).toBe(1);
    // A case joining a single spot makes it a cluster at its cell's centre: its place, size and outline, and not
    // its fill (a green joining a yellow: still yellow).
    const joined = spots.update('joins', { ...caseIn(9), id: 'joins', light: 'green' })!;
    expect(joined).toEqual([9]);
    calls[SPOT_LAYER.points].invalidated = [];
    set.restyle(joined);
    expect(calls[SPOT_LAYER.points].invalidated).toEqual([...each(['getRadius', 'getLineColor', 'getLineWidth', 'getPosition'], { startRow: 9, endRow: 10 })]);
    expect(calls[SPOT_LAYER.points].updates).toBe(2);
  });

  test('a light change in a cluster recomputes its fill colour only; the pulse\'s clones share one attribute manager, told once', () => {
    const cases = Array.from({ length: 6 }, () => c());
    const spots = new CaseSpots();
    const view = spots.rebuild(cases, { zoom: 16, cellPx: 48, visible: all });
    expect(view.map((s) => s.count)).toEqual([6]);
    const set = new SpotLayerSet();
    set.build(view, view, 1);
    const layers = [...set.frame(0, false), ...set.frame(0.5, false)]; // no red yet: the pulse hidden
    expect(layers.map((l) => l.id)).toEqual([SPOT_LAYER.pulse, SPOT_LAYER.points, SPOT_LAYER.counts, SPOT_LAYER.pulse, SPOT_LAYER.points, SPOT_LAYER.counts]);
    expect(shown(layers)).toEqual([SPOT_LAYER.points, SPOT_LAYER.counts, SPOT_LAYER.points, SPOT_LAYER.counts]);
    const invalidated: string[] = [];
    let updates = 0;
    const manager = { invalidate: (name: string) => invalidated.push(name) };
    Object.assign(layers[1], { getAttributeManager: () => manager, setNeedsUpdate: () => { updates++; } });
    // The pulse: its built instance and clones share one state in deck.gl (one attribute manager, told once).
    const shared: string[] = [];
    let pulseUpdates = 0;
    const pulseManager = { invalidate: (name: string) => shared.push(name) };
    const sharing = (p: Layer) => Object.assign(p, { getAttributeManager: () => pulseManager, setNeedsUpdate: () => { pulseUpdates++; } });
    sharing(layers[0]); sharing(layers[3]);
    expect(set.restyle(spots.update(cases[2].id, { ...cases[2], light: 'yellow', version: 2 })!)).toBe(false);
    expect([invalidated, updates, shared]).toEqual([['getFillColor'], 1, []]);
    // Red: the same layers and data; the pulse's one row is invalidated, every attribute of its look.
    expect(set.restyle(spots.update(cases[3].id, { ...cases[3], light: 'red', version: 2 })!)).toBe(false);
    expect([shared, pulseUpdates]).toEqual([['getRadius', 'getFillColor', 'getLineColor', 'getLineWidth'], 1]);
    expect(set.pulsing).toEqual(view);
    const pulses = [set.frame(0.1, true)[0], set.frame(0.2, true)[0]];
    expect(pulses.map((l) => [l.id, l.props.visible, dataOf(l)])).toEqual([[SPOT_LAYER.pulse, true, dataOf(layers[0])], [SPOT_LAYER.pulse, true, dataOf(layers[0])]]);
    pulses.forEach(sharing);
    // Still red, one case fewer: its radius in the pulse, told once; new count labels.
    shared.length = 0;
    expect(set.restyle(spots.update(cases[0].id, null)!)).toBe(true);
    expect([shared, pulseUpdates]).toEqual([['getRadius'], 2]);
    const labels = set.frame(0.3, true).at(-1)!.props as unknown as { data: Spot[]; getText: (s: Spot) => string };
    expect(labels.data.map(labels.getText)).toEqual(['5']);
    // Red no more: its row again; the pulse draws nothing and is hidden, and stays in the list.
    shared.length = 0;
    expect(set.restyle(spots.update(cases[3].id, { ...cases[3], light: 'green', version: 3 })!)).toBe(false);
    expect([set.hasRed, set.pulsing, shared, pulseUpdates]).toEqual([false, [], ['getRadius', 'getFillColor', 'getLineColor', 'getLineWidth'], 3]);
    const after = set.frame(0.4, true);
    expect([after.map((l) => l.id), shown(after)]).toEqual([[SPOT_LAYER.pulse, SPOT_LAYER.points, SPOT_LAYER.counts], [SPOT_LAYER.points, SPOT_LAYER.counts]]);
    expect(drawnRows(after[0])).toEqual([]);
  });

  test('the urged ring is in the frame only while a spot is urged; restyle says when the list of layers changed', () => {
    const cases = [c({ lon: 116.30 }), c({ lon: 116.31 })];
    const spots = new CaseSpots();
    const view = spots.rebuild(cases, { zoom: 16, cellPx: 48, visible: all });
    const set = new SpotLayerSet();
    set.build(view, [], 1);
    const ring = (layers: Layer[]) => layers.find((l) => l.id === SPOT_LAYER.urged);
    expect([set.hasUrged, set.frame(0, false).map((l) => l.id)]).toEqual([false, [SPOT_LAYER.pulse, SPOT_LAYER.points]]);
    expect(set.restyle(spots.update(cases[0].id, { ...cases[0], urged: true, version: 2 })!)).toBe(true);
    const withRing = set.frame(0, false);
    expect([set.hasUrged, withRing.map((l) => l.id)]).toEqual([true, [SPOT_LAYER.pulse, SPOT_LAYER.urged, SPOT_LAYER.points]]);
    expect(set.restyle(spots.update(cases[1].id, { ...cases[1], urged: true, version: 2 })!)).toBe(false); // a second one: the same list
    expect(ring(set.frame(0, false))).toBe(ring(withRing));
    expect(set.restyle(spots.update(cases[0].id, { ...cases[0], urged: false, version: 3 })!)).toBe(false);
    expect(set.restyle(spots.update(cases[1].id, { ...cases[1], urged: false, version: 3 })!)).toBe(true); // the last one: gone
    expect(set.frame(0, false).map((l) => l.id)).toEqual([SPOT_LAYER.pulse, SPOT_LAYER.points]);
    // Back again: a new instance (deck.gl finalised the one that left and cannot take it back).
    expect(set.restyle(spots.update(cases[1].id, { ...cases[1], urged: true, version: 4 })!)).toBe(true);
    const back = set.frame(0, false);
    expect(back.map((l) => l.id)).toEqual([SPOT_LAYER.pulse, SPOT_LAYER.urged, SPOT_LAYER.points]);
    expect(ring(back)).not.toBe(ring(withRing));
    // Built with an urged case: the ring is there from the start.
    set.build(spots.spots, [], 1);
    expect(set.frame(0, false).map((l) => l.id)).toEqual([SPOT_LAYER.pulse, SPOT_LAYER.urged, SPOT_LAYER.points]);
  });

  test('a one-case change restyles a cluster from its tally, no scan: after 3,000 random changes every spot is what a rebuild makes', () => {
    // 40 cells of ~40 cases; lights, urged, closing (hidden by the filter), removals and comebacks, at random.
    let seed = 7;
    const rnd = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
    const lights: (Light | null)[] = ['green', 'yellow', 'red', null];
    const cases = new Map<string, CaseSummary>();
    for (let i = 0; i < 1500; i++) {
      const k = c({ lon: 116.30 + Math.floor(rnd() * 8) * 0.004, lat: 39.85 + Math.floor(rnd() * 5) * 0.003, light: lights[i % 4] });
      cases.set(k.id, k);
    }
    const ids = [...cases.keys()];
    const gone = new Map<string, CaseSummary>();
    let looked = 0; // members the spots looked at
    const open = (k: CaseSummary) => wallVisible(k, { status: 'open', lights: ALL_LIGHTS });
    const spots = new CaseSpots();
    spots.rebuild(cases.values(), { zoom: 15, cellPx: 48, visible: (k) => { looked++; return open(k); } });
    let scans = 0;
    for (let r = 0; r < 3000; r++) {
      const id = ids[Math.floor(rnd() * ids.length)];
      const old = cases.get(id);
      const roll = rnd();
      let next: CaseSummary | null;
      if (!old) next = { ...gone.get(id)!, light: 'red' }; // back at its place
      else if (roll < 0.05) { next = null; gone.set(id, old); }
      else if (roll < 0.15) next = { ...old, status: old.status === 'closed' ? 'handling' : 'closed', version: old.version + 1 };
      else if (roll < 0.3) next = { ...old, urged: !old.urged, version: old.version + 1 };
      else next = { ...old, light: lights[Math.floor(rnd() * 4)], version: old.version + 1 };
      if (next) cases.set(id, next); else cases.delete(id);
      const before = looked;
      expect(spots.update(id, next)).not.toBeNull();
      if (looked - before > 2) scans++; // more than the case before and after: its spot's members were scanned
    }
    // A cluster is scanned only when its top case got better or left: some of the 3,000 changes, far from all.
    expect(scans).toBeGreaterThan(10);
    expect(scans).toBeLessThan(600);
    const fresh = new CaseSpots();
    fresh.rebuild(ids.flatMap((id) => cases.get(id) ?? []), { zoom: 15, cellPx: 48, visible: open }); // the same slot order
    const looks = (of: CaseSpots) => of.spots.filter((s) => s.count > 0)
      .map((s) => ({ cell: [s.cellLon, s.cellLat], count: s.count, worst: s.worst, urged: s.urged, top: s.top?.id ?? null, at: [s.lon, s.lat], cases: of.casesOf(s).map((k) => k.id).sort() }))
      .sort((x, y) => x.cell[0] - y.cell[0] || x.cell[1] - y.cell[1]);
    expect(looks(spots)).toHaveLength(40);
    expect(looks(spots)).toEqual(looks(fresh));
    expect(spots.redCount).toBe(fresh.redCount);
  });

  test('changed rows become deck.gl ranges: runs merged, end exclusive', () => {
    expect(rowRanges([])).toEqual([]);
    expect(rowRanges([0])).toEqual([{ startRow: 0, endRow: 1 }]);
    expect(rowRanges([1, 2, 3, 7, 8, 20])).toEqual([{ startRow: 1, endRow: 4 }, { startRow: 7, endRow: 9 }, { startRow: 20, endRow: 21 }]);
    expect(rowRanges([4, 4, 5])).toEqual([{ startRow: 4, endRow: 6 }]);
  });

  test('a new scale or new spots make new layers; without red the pulse is hidden', () => {
    const spots = new CaseSpots();
    const view = spots.rebuild(spread(50), { zoom: 16, cellPx: 48, visible: all });
    const set = new SpotLayerSet();
    set.build(view, [], 1);
    const [pulse1, points1] = set.frame(0, true);
    expect(points1.id).toBe(SPOT_LAYER.points);
    set.build(view, [], 2);
    const layers = set.frame(0, false);
    expect(layers.map((l) => l.id)).toEqual([SPOT_LAYER.pulse, SPOT_LAYER.points]); // nothing urged: no ring
    expect(shown(layers)).toEqual([SPOT_LAYER.points]);
    expect(layers[1]).not.toBe(points1);
    expect(dataOf(layers[0])).not.toBe(dataOf(pulse1)); // new spots held: new data for every layer
    expect((layers[1].props as unknown as { radiusScale: number }).radiusScale).toBe(2);
  });

  test('a case leaving (closed, filtered) lowers its spot\'s count; a new case in an occupied cell joins it; a move to an empty cell asks for a rebuild', () => {
    const a = c(); const b = c();
    const spots = new CaseSpots();
    const visibleOpen = (x: CaseSummary) => wallVisible(x, { status: 'open', lights: ALL_LIGHTS });
    spots.rebuild([a, b], { zoom: 15, cellPx: 48, visible: visibleOpen });
    const count = spots.countRev;
    expect(spots.update(a.id, { ...a, status: 'closed', light: null, version: 2 })).toEqual([0]);
    expect(spots.spots[0].count).toBe(1);
    expect(spots.countRev).toBeGreaterThan(count); // the count labels are rebuilt
    expect(spots.update('new', c({ id: 'new', light: 'yellow' }))).toEqual([0]);
    expect([spots.spots[0].count, spots.spots[0].worst]).toEqual([2, 'yellow']);
    expect(spots.update(b.id, { ...b, lon: 116.6, lat: 40.1 })).toBeNull();
  });
});

describe('the layers hold the spots near the view only', () => {
  // A 120 × 80 cell grid at zoom 16 (48 px cells), one case in each cell's middle: 9,600 single spots. Cell (i, j) is
  // at world pixels [(I0 + i) · 48, (J0 + j) · 48).
  const Z = 16;
  const CELL = 48;
  const [I0, J0] = toWorld(116.3, 39.95, Z).map((v) => Math.floor(v / CELL)); // Beijing
  const at = (i: number, j: number) => fromWorld((I0 + i + 0.5) * CELL, (J0 + j + 0.5) * CELL, Z);
  const grid = (light: (i: number, j: number) => Light = () => 'green') => {
    const cases: CaseSummary[] = [];
    for (let j = 0; j < 80; j++) for (let i = 0; i < 120; i++) { const [lon, lat] = at(i, j); cases.push(c({ id: `g${i}:${j}`, lon, lat, light: light(i, j) })); }
    return cases;
  };
  /** The view over cells [i, i + w) × [j, j + h) (fractions allowed). */
  const viewOver = (i: number, j: number, w: number, h: number): SpotView => {
    const [west, north] = fromWorld((I0 + i) * CELL, (J0 + j) * CELL, Z);
    const [east, south] = fromWorld((I0 + i + w) * CELL, (J0 + j + h) * CELL, Z);
    return { west, south, east, north, level: Z, cellPx: CELL };
  };
  const cellOf = (s: Spot) => { const [x, y] = toWorld(s.cellLon, s.cellLat, Z); return [Math.floor(x / CELL) - I0, Math.floor(y / CELL) - J0]; };
  const ids = (layers: Layer[]) => layers.map((l) => l.id);
  const track = (layers: Layer[]) => {
    const log: string[] = [];
    for (const layer of layers) {
      Object.assign(layer, {
        getAttributeManager: () => ({ invalidate: (name: string) => log.push(`${layer.id}:${name}`) }),
        setNeedsUpdate: () => { log.push(`${layer.id}:update`); },
      });
    }
    return log;
  };

  test('a 10 × 6 cell view holds the cells half a view round it and two edge cells more: 26 × 18 spots of 9,600, counted', () => {
    const spots = new CaseSpots();
    const all = spots.rebuild(grid(), { zoom: Z, cellPx: CELL, visible: all_ });
    expect(all).toHaveLength(9600);
    const set = new SpotLayerSet();
    set.build(all, null, 1, viewOver(50, 30, 10, 6));
    // x: the view [50, 60) grown by 5 cells each side, [45, 65), and a cell whose reach (its half and two cells)
    // meets that: centres in [42.5, 67.5], cells 42 .. 67; y: [30, 36) grown by 3, [27, 39): 24 .. 41.
    expect(SPOT_MARGIN_VIEWS).toBe(0.5);
    expect(set.held).toHaveLength(26 * 18);
    const cells = set.held.map(cellOf);
    expect(Math.min(...cells.map(([i]) => i))).toBe(42);
    expect(Math.max(...cells.map(([i]) => i))).toBe(67);
    expect(Math.min(...cells.map(([, j]) => j))).toBe(24);
    expect(Math.max(...cells.map(([, j]) => j))).toBe(41);
    const [pulse, points] = set.frame(0, true);
    expect(shown(set.frame(0, true))).toEqual([SPOT_LAYER.points]); // all green, single: no pulse drawn, no counts
    expect(dataOf(points)).toHaveLength(468);
    expect(dataOf(pulse)).toBe(dataOf(points));
    // Held in the spots' order (red drawn last stays true in the subset).
    expect(set.held.map((s) => s.index)).toEqual([...set.held.map((s) => s.index)].sort((a, b) => a - b));
    // No view (no map yet): every spot.
    set.build(all, null, 1, null);
    expect(set.held).toHaveLength(9600);
  });

  test('panning within the margin rebuilds nothing; leaving it holds the spots near the new view', () => {
    const spots = new CaseSpots();
    const all = spots.rebuild(grid(), { zoom: Z, cellPx: CELL, visible: all_ });
    const set = new SpotLayerSet();
    set.build(all, null, 1, viewOver(50, 30, 10, 6));
    const before = set.frame(0, true);
    const held = set.held;
    // Up to (a hair short of) half a view each way, and a bit of zoom out within the level: the same layers, the same
    // subset.
    for (const [i, j, w, h] of [[55, 30, 10, 6], [45.01, 27.01, 10, 6], [54.99, 32.99, 10, 6], [48, 29.5, 12, 7]]) {
      expect(set.covers(viewOver(i, j, w, h))).toBe(true);
      expect(set.setView(viewOver(i, j, w, h))).toBe(false);
    }
    const after = set.frame(0, true);
    after.forEach((l, k) => expect(k ? l : dataOf(l)).toBe(k ? before[k] : dataOf(before[k]))); // the pulse: a clone, its data kept
    expect(set.held).toBe(held);
    // Past the margin by a fraction of a cell: a new subset round the new view, new layers.
    expect(set.setView(viewOver(55.5, 30, 10, 6))).toBe(true);
    expect(set.frame(0, true)[1]).not.toBe(before[1]);
    const cells = set.held.map(cellOf);
    expect(Math.min(...cells.map(([i]) => i))).toBe(48); // [50.5, 70.5] grown by 2.5: centres in [48, 73], cells 48 .. 72
    expect(Math.max(...cells.map(([i]) => i))).toBe(72);
    expect(set.held).toHaveLength(25 * 18);
    // Another zoom level or cell size: another grid, a new subset even over the same place.
    expect(set.covers({ ...viewOver(55.5, 30, 10, 6), level: Z + 1 })).toBe(false);
  });

  test('every spot that can draw into a view within the margin is held: markers and pulses at the edge are never cut', () => {
    const spots = new CaseSpots();
    const all = spots.rebuild(grid((i, j) => ((i + j) % 7 === 0 ? 'red' : 'green')), { zoom: Z, cellPx: CELL, visible: all_ });
    const set = new SpotLayerSet();
    set.build(all, null, 1, viewOver(50, 30, 10, 6));
    const held = new Set(set.held);
    for (let k = 0; k < 40; k++) {
      const i = 45 + (k * 7.3) % 10;
      const j = 27 + (k * 3.7) % 6;
      expect(set.covers(viewOver(i, j, 10, 6))).toBe(true);
      // a spot draws within two cells of its own (its widest pulse ring at scale 1 is under one cell)
      for (const s of all) {
        const [ci, cj] = cellOf(s);
        if (ci + 3 > i && ci - 2 < i + 10 && cj + 3 > j && cj - 2 < j + 6) expect(held.has(s)).toBe(true);
      }
    }
    expect(2.2 * (spotRadius({ count: 100_000, worst: 'red' }) + 2) + 2).toBeLessThan(2 * CELL);
  });

  test('the pulse draws only the red spots of the subset', () => {
    const spots = new CaseSpots();
    const all = spots.rebuild(grid((i, j) => ((i * 3 + j) % 11 === 0 ? 'red' : (i + j) % 2 ? 'yellow' : 'green')), { zoom: Z, cellPx: CELL, visible: all_ });
    const set = new SpotLayerSet();
    set.build(all, null, 1, viewOver(50, 30, 10, 6));
    const reds = set.held.filter((s) => s.worst === 'red');
    expect(reds.length).toBeGreaterThan(10);
    expect(reds.length).toBeLessThan(spots.redCount);
    expect(set.pulsing).toEqual(reds);
    const [pulse] = set.frame(0.5, true);
    expect(pulse.id).toBe(SPOT_LAYER.pulse);
    expect(dataOf(pulse)).toBe(set.held);
    expect(drawnRows(pulse)).toEqual(reds);
    // The caller may turn the pulse off (no red anywhere by its count); without red near the view it is hidden.
    expect(shown(set.frame(0.5, false))).toEqual([SPOT_LAYER.points]);
    set.setView(viewOver(0, 0, 1, 1));
    expect(set.pulsing.every((s) => s.worst === 'red')).toBe(true);
  });

  test('a spot turning red or leaving red hands no layer new data: its pulse rows are invalidated; with no red held the pulse hides and the wall stops animating', () => {
    const spots = new CaseSpots();
    const cases = grid((i, j) => (i === 52 && j === 31 ? 'red' : 'green'));
    const all = spots.rebuild(cases, { zoom: Z, cellPx: CELL, visible: all_ });
    const set = new SpotLayerSet();
    set.build(all, null, 1, viewOver(50, 30, 10, 6));
    // deck.gl's attribute manager of each layer id (the pulse's clones share theirs), as deck.gl would hand them.
    const log: string[] = [];
    const managers = new Map<string, { invalidate: (name: string) => void }>();
    const frame = (phase: number) => {
      const layers = set.frame(phase, set.hasRed);
      for (const layer of layers) {
        if (!managers.has(layer.id)) managers.set(layer.id, { invalidate: (name: string) => log.push(`${layer.id}:${name}`) });
        Object.assign(layer, { getAttributeManager: () => managers.get(layer.id), setNeedsUpdate: () => { log.push(`${layer.id}:update`); } });
      }
      return layers;
    };
    const data = (layers: Layer[]) => new Map(layers.map((l) => [l.id, dataOf(l)]));
    const first = frame(0);
    const firstData = data(first);
    const newData = (layers: Layer[]) => layers.filter((l) => dataOf(l) !== firstData.get(l.id)).length;
    const pulseOf = (layers: Layer[]) => layers.find((l) => l.id === SPOT_LAYER.pulse)!;
    expect([set.hasRed, drawnRows(pulseOf(first)).length, shown(first)]).toEqual([true, 1, [SPOT_LAYER.pulse, SPOT_LAYER.points]]);
    const light = (id: string, l: Light, version: number) => set.restyle(spots.update(id, { ...cases.find((k) => k.id === id)!, light: l, version })!);
    // Three cases in view turn red, one at a time: each a row of the pulse and of the spots, no new data, no new list.
    ['g53:31', 'g54:32', 'g55:33'].forEach((id, k) => {
      log.length = 0;
      expect(light(id, 'red', 2)).toBe(false);
      expect(log).toEqual([
        `${SPOT_LAYER.points}:getRadius`, `${SPOT_LAYER.points}:getFillColor`, `${SPOT_LAYER.points}:update`,
        `${SPOT_LAYER.pulse}:getRadius`, `${SPOT_LAYER.pulse}:getFillColor`, `${SPOT_LAYER.pulse}:getLineColor`, `${SPOT_LAYER.pulse}:getLineWidth`, `${SPOT_LAYER.pulse}:update`,
      ]);
      const layers = frame(0.1 * (k + 1));
      expect([newData(layers), drawnRows(pulseOf(layers)).length]).toEqual([0, 2 + k]);
    });
    // Every red turns green: the pulse draws nothing, is hidden (no draw, and the wall's animation stops with hasRed), and
    // keeps its place in the list and its data.
    for (const id of ['g52:31', 'g53:31', 'g54:32', 'g55:33']) expect(light(id, 'green', 3)).toBe(false);
    const calm = frame(0.5);
    expect([set.hasRed, newData(calm), drawnRows(pulseOf(calm)).length]).toEqual([false, 0, 0]);
    expect([calm.map((l) => l.id), shown(calm)]).toEqual([[SPOT_LAYER.pulse, SPOT_LAYER.points], [SPOT_LAYER.points]]);
    // A red again: its rows in the same pulse (deck.gl held its state all along), drawn again.
    log.length = 0;
    expect(light('g57:34', 'red', 4)).toBe(false);
    expect(log.filter((e) => e.startsWith(SPOT_LAYER.pulse))).toEqual([
      `${SPOT_LAYER.pulse}:getRadius`, `${SPOT_LAYER.pulse}:getFillColor`, `${SPOT_LAYER.pulse}:getLineColor`, `${SPOT_LAYER.pulse}:getLineWidth`, `${SPOT_LAYER.pulse}:update`,
    ]);
    const again = frame(0.6);
    expect([set.hasRed, newData(again), drawnRows(pulseOf(again)).map((s) => s.top?.id), shown(again)])
      .toEqual([true, 0, ['g57:34'], [SPOT_LAYER.pulse, SPOT_LAYER.points]]);
  });

  test('a change to a spot outside the subset touches no layer; the spots still have it and it is drawn when the view comes', () => {
    const cases = grid();
    const spots = new CaseSpots();
    const all = spots.rebuild(cases, { zoom: Z, cellPx: CELL, visible: all_ });
    const set = new SpotLayerSet();
    set.build(all, null, 1, viewOver(10, 10, 10, 6));
    const frame = set.frame(0, true);
    const log = track(frame);
    const far = cases.find((k) => k.id === 'g110:70')!;
    const rows = spots.update(far.id, { ...far, light: 'red', urged: true, version: 2 })!;
    expect(rows).toHaveLength(1);
    expect([spots.redCount, spots.spots[rows[0]].worst]).toEqual([1, 'red']);
    expect(set.restyle(rows)).toBe(false);
    expect(log).toEqual([]);
    expect([set.hasRed, set.hasUrged, set.pulsing]).toEqual([false, false, []]);
    set.frame(0, true).forEach((l, k) => expect(k ? l : dataOf(l)).toBe(k ? frame[k] : dataOf(frame[k])));
    // A change inside the subset: its row only, in place.
    const near = cases.find((k) => k.id === 'g12:12')!;
    const nearRows = spots.update(near.id, { ...near, light: 'yellow', version: 2 })!;
    expect(set.restyle(nearRows)).toBe(false);
    expect(log).toEqual([`${SPOT_LAYER.points}:getRadius`, `${SPOT_LAYER.points}:getFillColor`, `${SPOT_LAYER.points}:update`]);
    // The view goes there: the red spot is held, pulses and is ringed.
    expect(set.setView(viewOver(105, 65, 10, 6))).toBe(true);
    expect(set.held).toContain(spots.spots[rows[0]]);
    expect(set.pulsing).toEqual([spots.spots[rows[0]]]);
    expect(ids(set.frame(0, true))).toEqual([SPOT_LAYER.pulse, SPOT_LAYER.urged, SPOT_LAYER.points]);
  });
});

describe('the cases store\'s change log', () => {
  beforeEach(() => { useCases.setState(useCases.getInitialState(), true); });

  test('live events and action answers log their one id; a list answer logs "everything"', () => {
    const s = useCases.getState();
    const start = s.changes.at(-1)!.seq;
    s.receive({ items: [c({ id: 'a' }), c({ id: 'b' })], total: 2 }, s.begin());
    const afterList = useCases.getState().changes.at(-1)!.seq;
    expect(changedSince(useCases.getState().changes, start)).toBeNull();
    useCases.getState().applyLive({ ...c({ id: 'a' }), version: 2 } as never);
    useCases.getState().applyCase({ ...useCases.getState().byId.b, version: 3 });
    expect(changedSince(useCases.getState().changes, afterList)?.sort()).toEqual(['a', 'b']);
    expect(changedSince(useCases.getState().changes, useCases.getState().changes.at(-1)!.seq)).toEqual([]);
  });

  test('the clock turning lights logs the turned cases only; a log too short to reach back says "everything"', () => {
    const s = useCases.getState();
    s.receive({ items: [c({ id: 'late', red_at: '2026-11-23T03:00:00Z' }), c({ id: 'fine' })], total: 2 }, s.begin());
    useCases.getState().tick(Date.parse('2026-11-23T02:00:00Z'));
    const seq = useCases.getState().changes.at(-1)!.seq;
    useCases.getState().tick(Date.parse('2026-11-23T04:00:00Z'));
    expect(changedSince(useCases.getState().changes, seq)).toEqual(['late']);
    for (let i = 0; i < 70; i++) useCases.getState().applyCase({ ...useCases.getState().byId.fine, version: 10 + i });
    expect(changedSince(useCases.getState().changes, seq)).toBeNull();
  });
});

describe('the sound alert and the scale', () => {
  test('beeps for a new urgent or red case and a case turning red; not for other changes', () => {
    const before = { a: c({ id: 'a', light: 'yellow' }), b: c({ id: 'b', light: 'red' }) };
    const after = {
      ...before, a: { ...before.a, light: 'red' as const }, b: { ...before.b, version: 2 },
      n1: c({ id: 'n1', urgent: true }), n2: c({ id: 'n2', light: 'red' }), n3: c({ id: 'n3' }),
    };
    expect(alertsFor(new Map(Object.entries(before)), after, ['a', 'b', 'n1', 'n2', 'n3'])).toEqual(['a', 'n1', 'n2']);
  });

  test('what a case was before comes from the change log of the store (byId is updated in place)', () => {
    useCases.getState().clear();
    const started = useCases.getState().begin({}, 'wall');
    useCases.getState().receive({ items: [c({ id: 'a', light: 'yellow', version: 1 }), c({ id: 'b', light: 'red', version: 1 })], total: 2 }, started);
    const seq = useCases.getState().changes.at(-1)!.seq;
    const held = useCases.getState().byId;
    useCases.getState().applyLive({ ...held.a, light: 'red', red_at: '2020-01-01T00:00:00Z', version: 2 } as never); // past its red time
    useCases.getState().applyLive({ ...held.b, version: 2 } as never);
    useCases.getState().applyLive({ ...c({ id: 'n', urgent: true }), version: 1 } as never);
    useCases.getState().applyLive({ ...useCases.getState().byId.a, version: 3 } as never); // a again: its first "before" counts
    const { byId, changes } = useCases.getState();
    expect(byId).toBe(held);
    const ids = changedSince(changes, seq)!;
    expect(alertsFor(beforeSince(changes, seq), byId, ids).sort()).toEqual(['a', 'n']);
  });

  test('the wall scales 1 up to 1920 px wide and 2 at 3840 px, no further', () => {
    expect([1280, 1920, 2880, 3840, 7680].map(wallScale)).toEqual([1, 1, 1.5, 2, 2]);
  });
});
