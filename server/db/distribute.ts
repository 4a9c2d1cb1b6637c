// The distribution step on Citus (issue 12; docs/citus.md): the only SQL that names Citus. Run by the migration
// runner after the migrations. On PGlite and on plain PostgreSQL it does nothing; on a Citus coordinator it makes
// the shared tables reference tables (a copy on every node, so district-scoped shards can join them locally) and
// distributes the district-scoped tables by district code, co-located: each only once Citus accepts it and the
// application's queries run on it unchanged.
//
// What Citus accepts today is decided by the schema, not by wishes: components and cases carry triggers (the
// tile-cache generations of 0028/0040, the per-grid counts of 0008, the grid-day counts of 0017), primary keys and
// unique constraints without district_code; Citus refuses both for a distributed table. grids is distributed since
// 0059 (plain district_code in its keys, no identity, no trigger since 0048). docs/citus.md lists, per table, the
// change each one needs. The tables linked to the reference tables by foreign keys become Citus local tables, the
// others stay plain PostgreSQL tables; both live on the coordinator, where their queries run as on PostgreSQL.
import type { Queryable } from './types.js';

/** GRIDLINE_DISTRIBUTED: 'citus' requires a Citus coordinator, 'none' never distributes, 'auto' (default) detects. */
export type DistributionMode = 'citus' | 'none' | 'auto';

export function parseDistributionMode(raw: string | undefined): DistributionMode {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if (v === 'citus') return 'citus';
  if (v === 'none' || v === '0' || v === 'off' || v === 'false') return 'none';
  throw new Error(`GRIDLINE_DISTRIBUTED must be citus, none or auto; got "${raw}"`);
}

/**
 * Shared by every district, small and read everywhere: replicated to every node, in this order (a reference table
 * may only reference reference tables). Their foreign keys link them to nearly every other table (cases, regions,
 * grids, components, …): Citus turns that whole linked set into Citus local tables (still on the coordinator, still
 * plain to the application) the moment the first of them becomes a reference table. That needed the statement
 * triggers to read their transition tables alone (migration 0042: Citus refuses a query joining a transition table
 * with a Citus table, "unrecognized RTE kind: 7"), and data_files' upsert to take its time as a parameter
 * (db/classes.ts markLoaded: no `now()` in `on conflict do update`), and the tile-generation triggers of grids,
 * regions and components to leave TRUNCATE to triggers of their own (migration 0043: Citus copies no trigger with a
 * TRUNCATE event to a Citus local table's shard, where the writes run). tests/server/db/citus.test.ts checks each.
 * regions last: a reference table since its tile-generation triggers left it (migration 0048: its writers bump the
 * tile sets, db/tile-bumps.ts); its own parent_code foreign key links it to itself, and the foreign keys of
 * grids, responsibility_grids, district_calendars and district_limits to it link Citus local tables to a reference
 * table. Not yet: places (docs/citus.md; its tile-generation trigger went with 0060).
 */
export const REFERENCE_TABLES: readonly string[] = [
  'classes', 'departments', 'class_departments', 'users', 'evaluation_settings', 'supervision_thresholds', 'data_files',
  'regions',
];

/**
 * The shared tables next in line (docs/citus.md, "the plan"): places once its tile-generation trigger leaves it;
 * district_calendars and district_limits (their foreign keys to regions, `on delete cascade`, already link a Citus
 * local table to a reference one) once db/district-rules.ts stops numbering a version with `insert … select
 * max(version) + 1 from` the table itself, which Citus refuses on a reference table.
 */
export const PLANNED_REFERENCE_TABLES = [
  'district_calendars', 'district_limits', 'public_settings', 'places',
] as const;

/**
 * District-scoped tables distributed by district code, all co-located with the first: a district's rows of every
 * one of them live on the same node, so joins on district_code run there.
 */
export const DISTRIBUTED_TABLES = [
  { table: 'component_sequences', column: 'district_code' },
  // Since 0059: district_code a plain column (checked against the code) in every key, id from a sequence.
  { table: 'grids', column: 'district_code' },
] as const;

export type CitusTable = { table: string; kind: 'reference' | 'distributed' | 'local'; column: string | null; colocation_id: number };

/**
 * A query over several shards of a distributed table runs over one connection per node, not several: a transaction
 * that read grids across shards (a locate without a district, a tile) and then writes a Citus local table linked
 * to a reference table by a foreign key (a case report: cases) is otherwise refused ("cannot modify table … because
 * there was a parallel operation on a distributed table"). The step sets it for the database, so for every session
 * started after it (a server running when the step first ran must reconnect). The shards of one node are then read
 * one after another; the nodes still work in parallel.
 */
const ONE_CONNECTION_PER_NODE = 'citus.max_adaptive_executor_pool_size=1';

/** True when the database is a Citus node (the extension is installed). */
export async function isCitus(db: Queryable): Promise<boolean> {
  if (db.engine !== 'postgres') return false;
  const { rows } = await db.query("select 1 from pg_extension where extname = 'citus'");
  return rows.length > 0;
}

/**
 * True when `table` is a distributed table of this Citus database (hash-distributed: DISTRIBUTED_TABLES, once the
 * step ran): the few queries Citus refuses on one take another way there (db/import.ts stageGrids). False on PGlite,
 * on PostgreSQL and for a reference or Citus local table.
 */
export async function isDistributed(db: Queryable, table: string): Promise<boolean> {
  if (!(await isCitus(db))) return false;
  const { rows } = await db.query("select 1 from pg_dist_partition where logicalrelid = to_regclass($1) and partmethod = 'h'", [table]);
  return rows.length > 0;
}

/**
 * ANALYZE one table, also inside a transaction on a Citus coordinator: there Citus refuses `analyze` of a Citus
 * local table once the transaction has written it ("a local execution has accessed a placement in the
 * transaction"), so its shard (where its rows are, whose statistics the coordinator plans its queries with) is
 * analysed directly. Elsewhere, and for any other table, a plain ANALYZE.
 */
export async function analyzeTable(db: Queryable, table: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`analyzeTable: not a table name: ${table}`);
  if (await isCitus(db)) {
    const { rows } = await db.query<{ shard: string }>(
      `select shard_name(p.logicalrelid, s.shardid) as shard
         from pg_dist_partition p join pg_dist_shard s on s.logicalrelid = p.logicalrelid
        where p.logicalrelid = to_regclass($1) and p.partmethod = 'n' and p.repmodel <> 't'`, [table]);
    if (rows.length === 1) {
      await db.exec(`analyze ${rows[0].shard}`);
      return;
    }
  }
  await db.exec(`analyze ${table}`);
}

/** Every table of the public schema that Citus knows, with its kind (reference, distributed, Citus local). */
export async function citusTables(db: Queryable): Promise<CitusTable[]> {
  const { rows } = await db.query<CitusTable>(
    `select c.relname as table,
            case when p.partmethod = 'h' then 'distributed' when p.repmodel = 't' then 'reference' else 'local' end as kind,
            case when p.partmethod = 'h' then column_to_column_name(p.logicalrelid, p.partkey) end as column,
            p.colocationid as colocation_id
       from pg_dist_partition p join pg_class c on c.oid = p.logicalrelid
      where c.relnamespace = 'public'::regnamespace
      order by c.relname`,
  );
  return rows;
}

/**
 * Converts what is not converted yet (idempotent: a second run changes nothing), in one transaction. Returns what
 * it did, e.g. ['reference classes', 'distributed component_sequences by district_code'].
 */
export async function distribute(db: Queryable, mode: DistributionMode = 'auto'): Promise<string[]> {
  if (mode === 'none') return [];
  const citus = await isCitus(db);
  if (!citus) {
    if (mode === 'citus') {
      throw new Error("GRIDLINE_DISTRIBUTED=citus but the database has no citus extension: point DATABASE_URL at a Citus coordinator (scripts/citus/cluster.sh start), or unset GRIDLINE_DISTRIBUTED");
    }
    return [];
  }
  const { rows: nodes } = await db.query<{ n: number }>("select count(*)::int as n from pg_dist_node where noderole = 'primary' and groupid <> 0");
  if (mode === 'auto' && nodes[0].n === 0) return []; // Citus installed but no worker: nothing to spread over yet
  const known = new Map((await citusTables(db)).map((t) => [t.table, t]));
  const { rows: present } = await db.query<{ relname: string }>(
    "select relname from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p')",
  );
  const exists = new Set(present.map((r) => r.relname));
  const references = REFERENCE_TABLES.filter((t) => exists.has(t) && known.get(t)?.kind !== 'reference');
  const distributed = DISTRIBUTED_TABLES.filter((d) => exists.has(d.table) && known.get(d.table)?.kind !== 'distributed');
  const { rows: [pool] } = await db.query<{ set: boolean }>(
    `select exists (select 1 from pg_db_role_setting s join pg_database d on d.oid = s.setdatabase
                     where d.datname = current_database() and s.setrole = 0 and $1 = any (s.setconfig)) as set`, [ONE_CONNECTION_PER_NODE]);
  if (!references.length && !distributed.length && pool.set) return [];
  const done: string[] = [];
  await db.transaction(async (tx) => {
    // DDL on reference and distributed tables in one transaction: one connection per node, in order.
    await tx.exec("set local citus.multi_shard_modify_mode to 'sequential'");
    // A table Citus already made a Citus local table (linked to a reference table by a foreign key) converts directly.
    for (const table of references) {
      await tx.query('select create_reference_table($1::regclass)', [table]);
      done.push(`reference ${table}`);
    }
    let colocateWith: string | null = DISTRIBUTED_TABLES.map((d) => d.table).find((t) => known.get(t)?.kind === 'distributed') ?? null;
    for (const { table, column } of distributed) {
      await tx.query('select create_distributed_table($1::regclass, $2, colocate_with => $3)', [table, column, colocateWith ?? 'default']);
      // The rows were copied to the shards; the coordinator's own copy is invisible from now on: free it.
      await tx.query('select truncate_local_data_after_distributing_table($1::regclass)', [table]);
      colocateWith ??= table;
      done.push(`distributed ${table} by ${column}`);
    }
    if (!pool.set) {
      await tx.exec(`do $$ begin execute format('alter database %I set ${ONE_CONNECTION_PER_NODE.replace('=', ' = ')}', current_database()); end $$`);
      done.push(`set ${ONE_CONNECTION_PER_NODE} for the database`);
    }
  });
  return done;
}
