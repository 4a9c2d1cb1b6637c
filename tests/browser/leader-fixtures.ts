// Seed for the leader-screen browser test: live cases through the real workflow (reports by inspectors, the public and
// the hotline; acceptance, filing, dispatch to crew1's department or the suggested one; feedback, check, closing), so
// the headline, the evaluation tables and the statistics map have true figures to show.
import { gridPoints, loginApi, photoPng, type Api } from './case-fixtures.js';

const CLASSES: { code: string; kind: 'event' | 'component_anomaly'; text: string }[] = [
  { code: '06010', kind: 'event', text: '路边垃圾堆放，影响通行' },
  { code: '06012', kind: 'event', text: '路面油污，需清扫' },
  { code: '06011', kind: 'event', text: '渣土堆积' },
  { code: '06013', kind: 'event', text: '人行道砖破损约2平方米' },
  { code: '01001', kind: 'component_anomaly', text: '供水井盖破损' },
];

async function tryAct(apis: Api[], id: string, action: string, fields: Record<string, unknown> = {}): Promise<void> {
  let last: unknown = null;
  for (const a of apis) {
    try { await a.act(id, action, fields); return; } catch (e) { last = e; }
  }
  throw last;
}

/**
 * Reports `n` cases clustered in a few grids (so the hot-spot view has a cluster) and moves them along: about half
 * closed (after the crew's feedback and the inspector's check), some being handled, some waiting for filing.
 * Returns the ids of the closed cases.
 */
export async function seedLeaderCases(base: string, n = 40): Promise<{ closed: string[]; all: string[] }> {
  const [insp1, insp2, op, lead, disp, crew] = await Promise.all(
    ['inspector1', 'inspector2', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1'].map((u) => loginApi(base, u)));
  // The demo inspectors patrol the first ~36 unit grids in code order (services/demo-users.ts): reports there can be
  // verified and checked; a third of the cases lie anywhere else in the district and stop short of the check.
  const points = (await gridPoints(base)).sort((a, b) => a.code.localeCompare(b.code));
  const patrolled = points.slice(0, 30);
  const hot = patrolled.slice(8, 14);
  const after = await crew.photo(photoPng(240, 180, 3));
  const closed: string[] = [];
  const all: string[] = [];
  for (let i = 0; i < n; i++) {
    const elsewhere = i % 3 === 0;
    const p = elsewhere ? points[36 + ((i * 37) % (points.length - 36))] : i % 2 ? hot[i % hot.length] : patrolled[(i * 7) % patrolled.length];
    const cls = CLASSES[i % CLASSES.length];
    const body = { kind: cls.kind, class_code: cls.code, lon: p.lon + ((i % 5) - 2) * 0.00004, lat: p.lat + ((i % 3) - 1) * 0.00003, description: cls.text };
    const key = { 'idempotency-key': `leader-seed-${i}-${Date.now()}` };
    let id: string;
    if (!elsewhere && i % 7 === 3) {
      const res = await fetch(`${base}/api/cases`, { method: 'POST', headers: { 'content-type': 'application/json', ...key }, body: JSON.stringify({ ...body, source: 'public' }) });
      if (!res.ok) throw new Error(`public report: ${res.status} ${await res.text()}`);
      id = ((await res.json()) as { id: string }).id;
    } else if (!elsewhere && i % 7 === 5) {
      id = (await op.post<{ id: string }>('/api/cases', { ...body, source: 'hotline' }, key)).id;
    } else {
      id = (await (i % 2 ? insp2 : insp1).post<{ id: string }>('/api/cases', body, key)).id;
    }
    all.push(id);
    const stage = i % 10;
    if (stage === 9) continue;                        // waits for acceptance
    if (!elsewhere && (i % 7 === 3 || i % 7 === 5)) { // a public or hotline report is verified by its grid's inspector (核实)
      await op.act(id, 'send_verify');
      await tryAct([insp1, insp2], id, 'verify', { found: true });
    }
    await op.act(id, 'accept');
    if (stage === 8) continue;                        // waits for filing
    await lead.act(id, 'file');
    const toCrew = !elsewhere && stage < 7 && crew.user.department_id;
    await disp.act(id, 'dispatch', toCrew ? { department_id: crew.user.department_id } : {});
    if (!toCrew) continue;                            // being handled elsewhere
    await crew.act(id, 'feedback', { note: '已处置完毕', photo_ids: [after.id] });
    await op.act(id, 'send_check');
    await tryAct([insp1, insp2], id, 'check', { passed: true }); // 核查, by the grid's inspector
    await lead.act(id, 'close');
    closed.push(id);
  }
  return { closed, all };
}
