// The ring checker (scripts/check-rings.ts, run by `npm test`) fails on each kind of violation and passes clean code.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { checkFile, checkRepo } from '../../scripts/check-rings.js';

const rules = (file: string, src: string) => checkFile(file, src).map((v) => v.rule);

describe('the ring checker', () => {
  test('domain: imports of db, services, http or I/O builtins fail; domain files and node:crypto pass', () => {
    expect(rules('server/domain/x.ts', `import { list } from '../db/grids.js';`)).toEqual(['domain-pure']);
    expect(rules('server/domain/x.ts', `import type { Queryable } from '../db/types.js';`)).toEqual(['domain-pure']);
    expect(rules('server/domain/x.ts', `import { readFileSync } from 'node:fs';`)).toEqual(['domain-pure']);
    expect(rules('server/domain/x.ts', `import pg from 'pg';`)).toEqual(['domain-pure']);
    expect(rules('server/domain/x.ts', `export { a } from '../services/cases.js';`)).toEqual(['domain-pure']);
    expect(rules('server/domain/x.ts', `const m = await import('node:net');`)).toEqual(['domain-pure']);
    expect(rules('server/domain/sub/x.ts', `import { DomainError } from '../errors.js';\nimport { createHash } from 'node:crypto';`)).toEqual([]);
    expect(rules('server/domain/x.ts', `export const t = () => Date.now();`)).toEqual(['domain-pure']);
    expect(rules('server/domain/x.ts', `export const t = () => new Date();`)).toEqual(['domain-pure']);
    expect(rules('server/domain/x.ts', `export const t = (ms: number) => new Date(ms);`)).toEqual([]);
  });

  test('SQL text and .query( / .copyFrom( / db.exec( outside server/db fail, with the line', () => {
    const v = checkFile('server/services/x.ts', `import type { Queryable } from '../db/types.js';\n\nexport async function f(db: Queryable) {\n  await db.query('select 1');\n}`);
    expect(v).toMatchObject([{ rule: 'sql-in-db', line: 4 }]);
    expect(rules('server/services/x.ts', "const q = `select g.code from grids g where g.code = ${1}`;")).toEqual(['sql-in-db']);
    expect(rules('server/services/x.ts', `const q = 'insert into regions (code) values ($1)';`)).toEqual(['sql-in-db']);
    expect(rules('server/services/x.ts', `const q = 'update cases set status = $1';`)).toEqual(['sql-in-db']);
    expect(rules('server/services/x.ts', `const q = 'delete from sessions';`)).toEqual(['sql-in-db']);
    expect(rules('server/http/routes/x.ts', `await tx.copyFrom('grids', ['code'], text);`)).toEqual(['sql-in-db']);
    expect(rules('scripts/x.ts', `await db.exec(sqlText);`)).toEqual(['sql-in-db']);
    expect(rules('server/services/x.ts', `await client.exec('vacuum analyze');`)).toEqual(['sql-in-db']);
  });

  test('regex .exec, prose and SQL inside server/db or the listed bench scripts pass', () => {
    expect(rules('server/services/x.ts', `const m = /^(\\d+)$/.exec(s); const n = DATE_RE.exec(s);`)).toEqual([]);
    expect(rules('server/services/x.ts', `throw new Error('Select a file from the list and try again');`)).toEqual([]);
    expect(rules('server/services/x.ts', `const t = 'Update the class table, then import again';`)).toEqual([]);
    expect(rules('server/services/x.ts', `const t = 'select a photo from the gallery, or delete from the list the ones to drop';`)).toEqual([]);
    expect(rules('server/db/x.ts', `export const q = (db) => db.query('select code from grids');`)).toEqual([]);
    expect(rules('scripts/bench/x.ts', `await db.exec('drop table if exists bench_x');`)).toEqual([]);
  });

  test('http: a value import of server/db fails; services, domain and `import type` of db/types pass', () => {
    expect(rules('server/http/routes/x.ts', `import * as grids from '../../db/grids.js';`)).toEqual(['http-no-db']);
    expect(rules('server/http/routes/x.ts', `import type { GridFeature } from '../../db/grids.js';`)).toEqual(['http-no-db']);
    expect(rules('server/http/routes/x.ts', `import { type Queryable, engineOf } from '../../db/types.js';`)).toEqual(['http-no-db']);
    expect(rules('server/http/deps.ts', `import type { Queryable } from '../db/types.js';`)).toEqual([]);
    expect(rules('server/http/routes/x.ts', `import { type Queryable } from '../../db/types.js';\nimport * as g from '../../services/grids.js';\nimport { parseBbox } from '../../domain/coords.js';`)).toEqual([]);
  });

  test('inner rings: db importing services or http, services importing http, the client importing server code fail', () => {
    expect(rules('server/db/x.ts', `import { loadWorkRules } from '../services/work-rules.js';`)).toEqual(['inner-rings']);
    expect(rules('server/db/x.ts', `import type { SimulatedCase } from '../demo/history.js';\nimport { lightAt } from '../domain/lights.js';`)).toEqual([]);
    expect(rules('server/services/x.ts', `import { toHttp } from '../http/errors.js';`)).toEqual(['inner-rings']);
    expect(rules('client/src/x.ts', `import { list } from '../../server/db/grids.js';`)).toEqual(['client']);
    expect(rules('client/src/x.ts', `import { lightAt } from '../../server/domain/lights.js';`)).toEqual([]);
    expect(rules('client/src/x.ts', `import type { CaseBody } from '../../server/http/schemas/cases.js';`)).toEqual([]);
    expect(rules('client/src/x.ts', `import { CaseBody } from '../../server/http/schemas/cases.js';`)).toEqual(['client']);
    expect(rules('server/services/x.ts', `import type { FastifyRequest } from 'fastify';`)).toEqual(['inner-rings']);
    expect(rules('server/db/x.ts', `import fastify from 'fastify';`)).toEqual(['inner-rings']);
    expect(rules('server/http/routes/x.ts', `import pg from 'pg';`)).toEqual(['http-no-db']);
    expect(rules('server/services/x.ts', `import { PGlite } from '@electric-sql/pglite';`)).toEqual(['sql-in-db']);
  });

  test('the command exits 1 on a repository with a violation and 0 on a clean one', () => {
    const root = mkdtempSync(join(tmpdir(), 'rings-'));
    try {
      mkdirSync(join(root, 'server/domain'), { recursive: true });
      writeFileSync(join(root, 'server/domain/ok.ts'), `export const one = 1;\n`);
      expect(checkRepo(root)).toEqual([]);
      const run = () => spawnSync(process.execPath, ['--import', 'tsx', join(process.cwd(), 'scripts/check-rings.ts'), root], { encoding: 'utf8' });
      expect(run().status).toBe(0);
      writeFileSync(join(root, 'server/domain/bad.ts'), `import { readFileSync } from 'node:fs';\nexport const t = readFileSync('x');\n`);
      expect(checkRepo(root)).toMatchObject([{ file: 'server/domain/bad.ts', line: 1, rule: 'domain-pure' }]);
      const r = run();
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('server/domain/bad.ts:1  domain-pure');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);

  test('this repository keeps the rings', () => {
    expect(checkRepo(process.cwd())).toEqual([]);
  }, 120_000);
});
