// The migration runner's statement splitter (server/db/migrate.ts splitSql): it sends a migration statement by
// statement, because a Citus worker refuses a DDL text of several commands (issue 12). Every migration is split and
// run that way on both engines by every database test; these check the edges of the SQL it must not cut.
import { describe, expect, test } from 'vitest';
import { readMigrations, splitSql } from '../../../server/db/migrate.js';

describe('splitSql', () => {
  test('splits at top-level semicolons and leaves out pieces with only comments or blanks', () => {
    expect(splitSql('create table a (x int);\n\n  insert into a values (1) ;\n-- the end;\n')).toEqual(['create table a (x int)', 'insert into a values (1)']);
    expect(splitSql('select 1')).toEqual(['select 1']);
    expect(splitSql('-- only a comment; nothing else\n/* and; this */\n;;')).toEqual([]);
  });

  test('keeps semicolons inside strings, E-strings, quoted names, dollar quotes and comments', () => {
    const sql = [
      "comment on table t is 'a; b'' c;'",
      "comment on table u is E'it\\'s; escaped'",
      'select 1 as "odd; name"',
      'create function f() returns int language plpgsql as $$ begin return 1; end $$',
      'create function g() returns int language plpgsql as $body$ begin perform $$x;$$; return 2; end $body$',
      'select /* a; /* nested; */ still; */ 2 -- tail; comment\n + 3',
    ];
    expect(splitSql(sql.join(';\n') + ';')).toEqual(sql);
  });

  test('a $n parameter or a name with $ in it is no dollar quote', () => {
    expect(splitSql('prepare p as select $1::int; select a$b from t')).toEqual(['prepare p as select $1::int', 'select a$b from t']);
  });

  test('every migration splits into statements that join back into its text, apart from comments and blanks', () => {
    for (const m of readMigrations()) {
      const parts = splitSql(m.sql);
      expect(parts.length, m.name).toBeGreaterThan(0);
      let at = 0;
      for (const p of parts) {
        const found = m.sql.indexOf(p, at);
        expect(found, `${m.name}: ${p.slice(0, 60)}`).toBeGreaterThanOrEqual(at);
        at = found + p.length;
      }
    }
  });
});
