// The migrated, seeded fixture PGlite as a data-directory image, built once and reused by every test file (a file
// starts its PGlite from the image in a few seconds instead of migrating and seeding it again: 7 s + 7 s on a loaded
// 2-core machine). The image is keyed by the contents of everything the seed runs (migrations, server code, data,
// these helpers) and the PGlite versions, so any change to them builds a new one; an image whose key does not match
// is never used. Two workers that find none build one each and the last rename wins: both images are equal.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = join(ROOT, 'node_modules', '.cache', 'gridline-tests');
const INPUTS = ['migrations', 'server', 'data', 'tests/helpers', 'node_modules/@electric-sql/pglite/package.json',
  'node_modules/@electric-sql/pglite-postgis/package.json'];

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full, { throwIfNoEntry: false })) return [];
  if (statSync(full).isFile()) return [full];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The key of the image: a hash of the names and contents of every input file. */
export function templateKey(): string {
  const h = createHash('sha256');
  for (const f of INPUTS.flatMap(files)) {
    h.update(relative(ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 24);
}

const pathOf = (key: string) => join(DIR, `fixture-${key}.tar`);

/** The image for this key, or null when none was built yet. */
export function readTemplate(key: string): Blob | null {
  try {
    return new Blob([readFileSync(pathOf(key))]);
  } catch {
    return null;
  }
}

/** Stores the image under its key (atomically: written beside, then renamed) and drops images of other keys. */
export async function writeTemplate(key: string, image: Blob): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const tmp = join(DIR, `.fixture-${key}-${process.pid}-${Date.now()}.tar`);
  writeFileSync(tmp, Buffer.from(await image.arrayBuffer()));
  renameSync(tmp, pathOf(key));
  for (const name of readdirSync(DIR)) {
    const stale = name.startsWith('fixture-') && name !== `fixture-${key}.tar`;
    const abandoned = name.startsWith('.fixture-') && Date.now() - statSync(join(DIR, name)).mtimeMs > 600_000;
    if (stale || abandoned) rmSync(join(DIR, name), { force: true });
  }
}
