// The distribution step on Citus (issue 12; docs/citus.md): the only SQL that names Citus. Run by the migration
// runner after the migrations. On PGlite and on plain PostgreSQL it does nothing; on a Citus coordinator it makes
// the shared tables reference tables (a copy on every node, so district-scoped shards can join them locally) and
// distributes the district-scoped tables by district code, co-located: each only once Citus accepts it and the
// application's queries run on it unchanged.
//
// What Citus accepts is decided by the schema, not by wishes: a distributed table needs the distribution column in
// every primary key, unique constraint and foreign key, no identity column, and no trigger that reaches other
// tables. grids since 0059; components (0062), cases and every case_* table (0063-0066) since then: district_code in
// every key, ids from sequences, case numbers counted per district, the tile generations and per-grid counts kept by
// the writers (0060, 0061). docs/citus.md lists the rest. The tables linked to the reference tables by foreign keys
// and not distributed become Citus local tables, the others stay plain PostgreSQL tables; both live on the
// coordinator, where their queries run as on PostgreSQL.
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
 * regions next: a reference table since its tile-generation triggers left it (migration 0048: its writers bump the
 * tile sets, db/tile-bumps.ts); its own parent_code foreign key links it to itself, and grids (distributed) and
 * responsibility_grids reference it.
 * Then the last shared tables, after the tables they reference (docs/citus.md, "the plan"): district_calendars and
 * district_limits (→ regions, `on delete cascade`; db/district-rules.ts reads a version's number before inserting
 * it, Citus refusing an insert into a reference table that selects from the table itself), public_settings (→
 * users), places (no foreign key; db/drawing.ts insertRoads finds the new roads before inserting them), and the two
 * that the district-scoped tables reference, which must be reference tables before those are distributed (a
 * distributed table may reference only a co-located or a reference table): open311_keys (→ users; open311_requests
 * → it) and photos (→ users; public_photo_approvals, and the Citus local photo_uploads and public_ticket_photos, →
 * it). tests/server/db/citus-reference.test.ts checks them and their writers.
 * Last the responsibility grids (责任网格): responsibility_grids (→ regions, users) and its unit grids,
 * responsibility_grid_members (→ responsibility_grids, `on delete cascade`). Written rarely (the admin assigning
 * inspectors, the demo loader) and read by an inspector's every case list, evaluation and intake: as Citus local
 * tables each of those joins with the distributed cases and grids ran the coordinator's read first and shipped its
 * result to the shard (a distributed subplan); as reference tables the join runs on the district's shard alone.
 */
export const REFERENCE_TABLES: readonly string[] = [
  'classes', 'departments', 'class_departments', 'users', 'evaluation_settings', 'supervision_thresholds', 'data_files',
  'regions', 'district_calendars', 'district_limits', 'public_settings', 'places', 'open311_keys', 'photos',
  'responsibility_grids', 'responsibility_grid_members',
];

/**
 * District-scoped tables distributed by district code, all co-located with the first: a district's rows of every
 * one of them live on the same node, so joins on district_code run there.
 */
export const DISTRIBUTED_TABLES = [
  { table: 'component_sequences', column: 'district_code' },
  // Since 0059: district_code a plain column (checked against the code) in every key, id from a sequence.
  { table: 'grids', column: 'district_code' },
  // Since 0062-0066: district_code in every key and in every foreign key between them (cases' to components and to
  // itself, every case_* table's to cases), ids from sequences, per-district case numbers (case_no_counters), the
  // per-grid counts kept by the writers (0061). Distributed together: Citus refuses a foreign key from a Citus local
  // table to a distributed one, so the step drops the keys among them, distributes each and adds the keys back.
  ...[
    'components', 'cases', 'case_no_counters', 'case_trail', 'case_events', 'case_steps', 'case_dispatches', 'case_suspensions',
    'case_tracking', 'case_contacts', 'case_public_replies', 'case_ratings', 'open311_requests', 'public_photo_approvals',
    'notification_optins', 'grid_component_counts', 'case_grid_days',
  ].map((table) => ({ table, column: 'district_code' })),
] as const;

/**
 * Tables kept on the coordinator whose foreign keys to cases Citus refuses once cases is distributed (a local table
 * cannot reference a distributed one): the step drops those keys. Each is read or written before its case's
 * district is known (an idempotency key and a public ticket by their own key, the outbox claimed across districts),
 * docs/citus.md. What the key did, the writers do: a case is never deleted by the application.
 */
export const COORDINATOR_TABLES_CITING_CASES = ['idempotency_keys', 'public_tickets', 'notification_outbox'] as const;

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

type ForeignKey = { name: string; table: string; ref: string; def: string };

/** The foreign keys from or to `tables`, with their definitions (to add them back as they were). */
async function keysOf(db: Queryable, tables: readonly string[]): Promise<ForeignKey[]> {
  const { rows } = await db.query<ForeignKey>(
    `select c.conname as name, r.relname as table, f.relname as ref, pg_get_constraintdef(c.oid) as def
       from pg_constraint c join pg_class r on r.oid = c.conrelid join pg_class f on f.oid = c.confrelid
      where c.contype = 'f' and r.relnamespace = 'public'::regnamespace
        and (r.relname = any($1::text[]) or f.relname = any($1::text[]))
      order by r.relname, c.conname`, [tables]);
  return rows;
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
    const keys = distributed.length ? await keysOf(tx, distributed.map((d) => d.table)) : [];
    const inGroup = new Set<string>([...DISTRIBUTED_TABLES.map((d) => d.table)]);
    // Keys between tables of the group: dropped now, added back once both ends are distributed. Keys from a
    // coordinator table to one of the group: dropped for good (COORDINATOR_TABLES_CITING_CASES).
    for (const k of keys) {
      if (inGroup.has(k.table) && inGroup.has(k.ref)) {
        await tx.exec(`alter table ${k.table} drop constraint ${k.name}`);
      } else if (inGroup.has(k.ref)) {
        if (!(COORDINATOR_TABLES_CITING_CASES as readonly string[]).includes(k.table)) {
          throw new Error(`distribute: ${k.table} references ${k.ref} (${k.name}), which is about to be distributed; a table left on the coordinator cannot reference a distributed one: add it to the distributed tables or to COORDINATOR_TABLES_CITING_CASES`);
        }
        await tx.exec(`alter table ${k.table} drop constraint ${k.name}`);
        done.push(`dropped ${k.table}.${k.name} (a coordinator table cannot reference a distributed one)`);
      }
    }
    // case_trail's append-only guard (a row trigger that only raises) is copied to its shards: Citus refuses to
    // distribute a table with triggers unless told the triggers are safe there.
    await tx.exec('set local citus.enable_unsafe_triggers to on');
    for (const { table, column } of distributed) {
      await tx.query('select create_distributed_table($1::regclass, $2, colocate_with => $3)', [table, column, colocateWith ?? 'default'])
        .catch((e: Error) => { throw Object.assign(new Error(`distribute ${table}: ${e.message}`), { cause: e }); });
      // The rows were copied to the shards; the coordinator's own copy is invisible from now on: free it.
      await tx.query('select truncate_local_data_after_distributing_table($1::regclass)', [table]);
      colocateWith ??= table;
      done.push(`distributed ${table} by ${column}`);
    }
    for (const k of keys) {
      if (!(inGroup.has(k.table) && inGroup.has(k.ref))) continue;
      await tx.exec(`alter table ${k.table} add constraint ${k.name} ${k.def}`)
        .catch((e: Error) => { throw Object.assign(new Error(`distribute: adding back ${k.table}.${k.name}: ${e.message}`), { cause: e }); });
    }
    if (!pool.set) {
      await tx.exec(`do $$ begin execute format('alter database %I set ${ONE_CONNECTION_PER_NODE.replace('=', ' = ')}', current_database()); end $$`);
      done.push(`set ${ONE_CONNECTION_PER_NODE} for the database`);
    }
  });
  return done;
}
