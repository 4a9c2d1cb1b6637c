// The rings of docs/style.md, enforced (`npm run lint`, part of `npm test`): a real TypeScript parser (oxc, through
// rolldown's parseAst, which comes with vite) reads every file under server/, scripts/ and client/src/ and checks
//   domain-pure    server/domain imports only server/domain and the pure builtins in DOMAIN_BUILTINS (no I/O),
//                  and reads no clock (no Date.now(), no argument-less new Date(): the caller passes `now`);
//   sql-in-db      SQL text (select … from, insert into, update … set, delete from, DDL) and `.query(` / `.copyFrom(`
//                  / `db.exec(` calls appear only in server/db (and the files in SQL_ALLOWED, each with its reason);
//   http-no-db     server/http imports services and domain, never server/db, except `import type` of
//                  server/db/types.ts (the Queryable interface routes pass along, no SQL);
//   inner-rings    server/db imports only db and domain (and `import type` of the row shapes of server/demo's
//                  simulator); services, live and demo never import server/http; fastify stays in server/http (and
//                  app.ts), pg and PGlite in server/db (and the composition roots main.ts, scripts/);
//   client         client/src imports from server/ only server/domain (pure code shared with the browser) and
//                  `import type` of server/http/schemas.
// ESLint's TypeScript parser needs the `typescript` compiler API, which TypeScript 7 (the native compiler) no longer
// ships, hence this checker. It fails (exit 1) on any violation, naming file, line, rule and what to do instead.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAst } from 'rolldown/parseAst';

export type Violation = { file: string; line: number; rule: 'domain-pure' | 'sql-in-db' | 'http-no-db' | 'inner-rings' | 'client' | 'parse'; message: string };

/** Node builtins the domain may use: pure computation, no I/O (no fs, net, child_process, pg …). */
export const DOMAIN_BUILTINS = ['node:crypto', 'node:buffer', 'node:util'];

/** Files outside server/db that may hold SQL, and why. Paths relative to the repository, `/` separated. */
export const SQL_ALLOWED: Record<string, string> = {
  'scripts/bench/': 'benchmarks build and drop their own scratch tables and run ANALYZE/VACUUM, timing the SQL itself',
};

/** Lower-case SQL as the code writes it; English prose ("Select a file from …", "delete it from the list") starts with a
 * capital, lacks the shape, or names no table after from/into (an article instead). */
const NOT_ARTICLE = '(?!(?:the|a|an|this|that|your|its|their|our|my|each|every|any)\\b)';
const SQL_TEXT = new RegExp(
  `\\b(?:select\\s+(?:distinct\\s+)?[\\w*.(),:\\s'"-]+?\\s+from\\s+${NOT_ARTICLE}[a-z_(]|insert\\s+into\\s+${NOT_ARTICLE}[a-z_]+`
  + `|update\\s+${NOT_ARTICLE}[a-z_]+\\s+set\\s|delete\\s+from\\s+${NOT_ARTICLE}[a-z_]+|create\\s+(?:unique\\s+)?(?:table|index)\\s|alter\\s+table\\s|drop\\s+table\\s)`,
);

const SOURCE_EXT = /\.(?:ts|tsx|mts|cts|js|mjs)$/;
const SCAN_ROOTS = ['server', 'scripts', 'client/src'];

const posix = (p: string) => p.split(sep).join('/');

/** Which ring a repository path (posix, relative) lies in. */
function ring(path: string): 'domain' | 'db' | 'http' | 'services' | 'client' | 'scripts' | 'other' {
  if (path.startsWith('server/domain/')) return 'domain';
  if (path.startsWith('server/db/')) return 'db';
  if (path.startsWith('server/http/')) return 'http';
  if (/^server\/(?:services|live|demo)\//.test(path)) return 'services';
  if (path.startsWith('client/')) return 'client';
  if (path.startsWith('scripts/')) return 'scripts';
  return 'other';
}

/** The repository path an import specifier of `file` points at (extension-less), or null for a package/builtin. */
function target(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return posix(join(dirname(file), spec)).replace(/\.(?:js|ts|mjs|tsx)$/, '');
}

type Node = { type: string; start: number; end: number; [k: string]: unknown };

function walk(node: unknown, visit: (n: Node) => void): void {
  if (Array.isArray(node)) {
    for (const c of node) walk(c, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as Node;
  if (typeof n.type === 'string') visit(n);
  for (const k in n) {
    if (k === 'type' || k === 'start' || k === 'end') continue;
    const v = n[k];
    if (v && typeof v === 'object') walk(v, visit);
  }
}

/** The violations of one file; `file` is its repository path (posix, relative), `source` its text. */
export function checkFile(file: string, source: string): Violation[] {
  const where = ring(file);
  const out: Violation[] = [];
  const lineOf = (pos: number) => source.slice(0, pos).split('\n').length;
  const add = (pos: number, rule: Violation['rule'], message: string) => out.push({ file, line: lineOf(pos), rule, message });
  let ast: unknown;
  try {
    ast = parseAst(source, { lang: /\.tsx$/.test(file) ? 'tsx' : /\.(?:m?js)$/.test(file) ? 'js' : 'ts' }, file);
  } catch (e) {
    return [{ file, line: 1, rule: 'parse', message: `cannot parse: ${(e as Error).message.split('\n')[0]}` }];
  }
  const sqlAllowed = where === 'db' || Object.keys(SQL_ALLOWED).some((p) => file.startsWith(p));

  const checkImport = (pos: number, spec: string, typeOnly: boolean) => {
    const to = target(file, spec);
    const inside = (prefix: string) => to !== null && (to + '/').startsWith(prefix);
    if (where === 'domain') {
      if (to === null ? !DOMAIN_BUILTINS.includes(spec) : !inside('server/domain/')) {
        add(pos, 'domain-pure', `server/domain must stay pure: "${spec}" is outside it; move the I/O to server/services or server/db and pass the data in`);
      }
    } else if (where === 'http') {
      if (inside('server/db/') && !(typeOnly && to === 'server/db/types')) {
        add(pos, 'http-no-db', `routes go through services: import from server/services instead of "${spec}" (only \`import type\` of server/db/types is allowed)`);
      }
    } else if (where === 'db') {
      if (to !== null && !inside('server/db/') && !inside('server/domain/') && !(typeOnly && inside('server/demo/'))) {
        add(pos, 'inner-rings', `server/db imports only server/db and server/domain (and types of server/demo's simulated rows); "${spec}" is an outer ring`);
      }
    } else if (where === 'services') {
      if (inside('server/http/')) add(pos, 'inner-rings', `services must not depend on the HTTP layer ("${spec}"); pass plain values in`);
    } else if (where === 'client') {
      if (inside('server/') && !inside('server/domain/') && !(typeOnly && inside('server/http/schemas/'))) {
        add(pos, 'client', `the client may share only server/domain (and \`import type\` of server/http/schemas); "${spec}" is server code`);
      }
    }
    const pkg = to === null ? spec : '';
    if ((where === 'db' || where === 'services') && /^(?:fastify|@fastify\/)/.test(pkg)) {
      add(pos, 'inner-rings', `"${spec}" belongs to server/http: ${where === 'db' ? 'server/db' : 'services'} must not know about HTTP`);
    }
    if ((where === 'http' || where === 'services') && /^(?:pg|pg-copy-streams|@electric-sql\/.*)$/.test(pkg)) {
      add(pos, where === 'http' ? 'http-no-db' : 'sql-in-db', `"${spec}" is the database driver: only server/db talks to it`);
    }
  };

  walk(ast, (n) => {
    switch (n.type) {
      case 'ImportDeclaration': {
        const specs = (n.specifiers as { importKind?: string }[] | undefined) ?? [];
        const typeOnly = n.importKind === 'type' || (specs.length > 0 && specs.every((s) => s.importKind === 'type'));
        checkImport(n.start, (n.source as { value: string }).value, typeOnly);
        break;
      }
      case 'ExportNamedDeclaration':
      case 'ExportAllDeclaration':
        if (n.source) checkImport(n.start, (n.source as { value: string }).value, n.exportKind === 'type');
        break;
      case 'ImportExpression': {
        const src = n.source as Node & { value?: unknown };
        if (src.type === 'Literal' && typeof src.value === 'string') checkImport(n.start, src.value, false);
        else if (where === 'domain') add(n.start, 'domain-pure', 'server/domain must not load modules dynamically');
        break;
      }
      case 'NewExpression': {
        const callee = n.callee as Node & { name?: string };
        if (where === 'domain' && callee.type === 'Identifier' && callee.name === 'Date' && !(n.arguments as unknown[]).length) {
          add(n.start, 'domain-pure', 'server/domain reads no clock: take `now` as a parameter instead of new Date()');
        }
        break;
      }
      case 'CallExpression': {
        const c = n.callee as Node & { object?: Node & { name?: string }; property?: { name?: string } };
        if (where === 'domain' && c.type === 'MemberExpression' && c.object?.type === 'Identifier' && c.object.name === 'Date' && c.property?.name === 'now') {
          add(n.start, 'domain-pure', 'server/domain reads no clock: take `now` as a parameter instead of Date.now()');
        }
        if (sqlAllowed) break;
        const callee = n.callee as Node & { object?: Node & { name?: string; regex?: unknown }; property?: { name?: string }; computed?: boolean };
        if (callee.type !== 'MemberExpression' || callee.computed) break;
        const name = callee.property?.name;
        const obj = callee.object;
        const args = (n.arguments as Node[]) ?? [];
        const firstIsText = args[0] && (args[0].type === 'TemplateLiteral' || (args[0].type === 'Literal' && typeof (args[0] as { value?: unknown }).value === 'string'));
        const dbLike = obj && obj.type === 'Identifier' && /^(?:db|tx|client|pool|conn)$/i.test(obj.name ?? '');
        if (name === 'query' || name === 'copyFrom' || (name === 'exec' && (dbLike || firstIsText) && !(obj && 'regex' in obj && obj.regex))) {
          add(n.start, 'sql-in-db', `\`.${name}(\` outside server/db: put the statement in a server/db module and call that`);
        }
        break;
      }
      case 'Literal':
        if (!sqlAllowed && typeof n.value === 'string' && SQL_TEXT.test(n.value)) {
          add(n.start, 'sql-in-db', `SQL text outside server/db ("${String(n.value).slice(0, 40).replace(/\s+/g, ' ')}…"): move it to a server/db module`);
        }
        break;
      case 'TemplateLiteral': {
        if (sqlAllowed) break;
        const text = (n.quasis as { value: { raw: string } }[]).map((q) => q.value.raw).join(' ');
        if (SQL_TEXT.test(text)) add(n.start, 'sql-in-db', `SQL text outside server/db ("${text.slice(0, 40).replace(/\s+/g, ' ')}…"): move it to a server/db module`);
        break;
      }
    }
  });
  return out;
}

function* sourceFiles(root: string, dir: string): Generator<string> {
  let names: string[];
  try {
    names = readdirSync(join(root, dir));
  } catch {
    return;
  }
  for (const name of names.sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const rel = `${dir}/${name}`;
    const st = statSync(join(root, rel));
    if (st.isDirectory()) yield* sourceFiles(root, rel);
    else if (SOURCE_EXT.test(name) && !name.endsWith('.d.ts')) yield rel;
  }
}

/** Every violation under server/, scripts/ and client/src/ of the repository at `root`. */
export function checkRepo(root: string): Violation[] {
  const out: Violation[] = [];
  for (const dir of SCAN_ROOTS) for (const file of sourceFiles(root, dir)) out.push(...checkFile(file, readFileSync(join(root, file), 'utf8')));
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // The repository this script is in, or the directory given as the first argument.
  const root = resolve(process.argv[2] ?? resolve(dirname(fileURLToPath(import.meta.url)), '..'));
  const found = checkRepo(root);
  for (const v of found) console.error(`${v.file}:${v.line}  ${v.rule}  ${v.message}`);
  if (found.length) {
    console.error(`check-rings: ${found.length} violation${found.length === 1 ? '' : 's'} of the rings (docs/style.md)`);
    process.exitCode = 1;
  } else {
    console.log(`check-rings: the rings hold (${relative(process.cwd(), root) || '.'})`);
  }
}
