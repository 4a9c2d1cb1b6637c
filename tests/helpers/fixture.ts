// The fixture district every db/http test starts from: a small synthetic Dongcheng (real codes), committed once
// per engine; each test then works inside a transaction that is rolled back.
import { migrate } from '../../server/db/migrate.js';
import { parseDistributionMode } from '../../server/db/distribute.js';
import { loadClasses } from '../../server/services/classes.js';
import { loadDemo } from '../../server/services/demo.js';
import type { Queryable } from '../../server/db/types.js';

export const FIXTURE = { demo: 'dongcheng' as const, demo_grids: 250, demo_components: 3000 };

export async function seedFixture(db: Queryable): Promise<void> {
  // On a Citus coordinator the migrations end with the distribution step (GRIDLINE_DISTRIBUTED=none leaves it out).
  await migrate(db, undefined, { distributed: parseDistributionMode(process.env.GRIDLINE_DISTRIBUTED) });
  await loadClasses(db);
  await loadDemo(db, FIXTURE);
}

/** Drops and rebuilds the public schema of a test database; refuses any database whose name lacks "test". */
export async function resetAndSeedPostgres(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/test/i.test(name)) throw new Error(`TEST_DATABASE_URL must name a database containing "test"; got "${name}" (it is wiped)`);
  const { openPostgres } = await import('../../server/db/postgres.js');
  const db = await openPostgres(url, 2);
  try {
    const citus = (await db.query("select 1 from pg_extension where extname = 'citus'")).rows.length > 0;
    await db.exec(citus ? WIPE_PUBLIC_KEEPING_EXTENSIONS : 'drop schema if exists public cascade; create schema public;');
    await seedFixture(db);
  } finally {
    await db.close();
  }
}

/**
 * On a Citus coordinator the public schema holds members of the citus extension (the citus_tables and
 * citus_schemas views): dropping the schema would drop Citus itself. So drop every table, view, sequence, function
 * and type of public that belongs to no extension (distributed and reference tables take their shards with them).
 * The tables go in one statement: dropped one by one, a reference table would first turn the Citus local tables
 * that reference it back into plain tables, which Citus refuses for tables with identity columns.
 */
const WIPE_PUBLIC_KEEPING_EXTENSIONS = `do $$
declare stmt text;
begin
  select 'drop table if exists ' || string_agg(quote_ident(c.relname), ', ') || ' cascade' into stmt
    from pg_class c
   where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'f')
     and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e');
  if stmt is not null then execute stmt; end if;
  -- The rest is listed first, then run: a cascade may drop a later object, hence "if exists".
  for stmt in select unnest(array(
    (select format('drop %s if exists %s cascade', case c.relkind when 'v' then 'view' when 'm' then 'materialized view' else 'sequence' end,
                   quote_ident(c.relname))
      from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('v', 'm', 'S')
       and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
     order by c.relkind = 'S')
    union all
    select format('drop routine if exists %s cascade', p.oid::regprocedure)
      from pg_proc p
     where p.pronamespace = 'public'::regnamespace
       and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
    union all
    select format('drop type if exists %s cascade', quote_ident(t.typname))
      from pg_type t
     where t.typnamespace = 'public'::regnamespace and t.typtype in ('e', 'd', 'r')
       and not exists (select 1 from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')))
  loop
    execute stmt;
  end loop;
end $$;`;
