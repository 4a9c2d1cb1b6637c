// What a user kept to a district, street or community is offered (issue 12, client/src/state/kept-region.ts), and the
// configuration store keeping only the latest answer (it is asked again when the user changes).
import { beforeEach, expect, test } from 'vitest';
import { keptRegion, keptScope, regionsWithin } from '../../client/src/state/kept-region.js';
import { useConfig } from '../../client/src/state/config-store.js';
import type { ClientConfig } from '../../client/src/api/types.js';

const streets = [{ code: '110101001' }, { code: '110101002' }, { code: '110102001' }, { code: '110102002' }];
const communities = [{ code: '110101001001' }, { code: '110102001001' }, { code: '110102001002' }, { code: '110102002001' }];
const codes = (l: { code: string }[]) => l.map((r) => r.code);

test('a user of every district is offered every region', () => {
  expect(codes(regionsWithin(streets, keptRegion({ region_code: null })))).toEqual(codes(streets));
  expect(codes(regionsWithin(streets, keptRegion({})))).toEqual(codes(streets)); // a session stored before issue 12
  expect(keptRegion(null)).toBeNull();
});

test('a user kept to a district is offered its streets and communities only', () => {
  expect(codes(regionsWithin(streets, '110102'))).toEqual(['110102001', '110102002']);
  expect(codes(regionsWithin(communities, '110102'))).toEqual(['110102001001', '110102001002', '110102002001']);
});

test('a user kept to a street is offered that street and its communities', () => {
  expect(codes(regionsWithin(streets, '110102001'))).toEqual(['110102001']);
  expect(codes(regionsWithin(communities, '110102001'))).toEqual(['110102001001', '110102001002']);
});

test.each([
  // region picked, kept to, scope
  [null, null, null],
  ['110101001', null, '110101001'],
  [null, '110102', null],
  ['110102002', '110102', '110102002'],
  ['110101001', '110102', null],
  [null, '110102001', '110102001'],
  ['110102002', '110102001', '110102001'],
  ['110102001002', '110102001', '110102001002'],
  [null, '110102001002', '110102001002'],
] as const)('scope %s for a user kept to %s is %s', (region, kept, scope) => {
  expect(keptScope(region, kept)).toBe(scope);
});

const cfg = (code: string): ClientConfig => ({ basemap_url: null, district: { code, name: code, bbox: null }, time_zone: 'Asia/Shanghai' });

beforeEach(() => useConfig.setState(useConfig.getInitialState(), true));

test('the configuration asked for last wins, whichever answer arrives first', async () => {
  let answerFirst!: (c: ClientConfig) => void;
  const first = useConfig.getState().load(() => new Promise((resolve) => { answerFirst = resolve; }));
  const second = useConfig.getState().load(async () => cfg('110102'));
  await second;
  answerFirst(cfg('110101'));
  await first;
  expect(useConfig.getState()).toMatchObject({ status: 'ready', config: { district: { code: '110102' } } });
});
