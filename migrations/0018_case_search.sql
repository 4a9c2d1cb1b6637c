-- Case search (docs/leader-api.md §Case search): `q` matches a case-number prefix, or text anywhere in the
-- description or the address (ILIKE '%…%').
--
-- A prefix LIKE on case_no uses a text_pattern_ops btree whatever the collation. ILIKE '%…%' can use an index only
-- through pg_trgm (GIN, gin_trgm_ops): it is created where the extension is available (PostgreSQL with contrib; PGlite
-- when it is opened with the pg_trgm extension), and skipped elsewhere, where the text test scans only the rows the
-- other filters and the caller's visibility leave. Results are the same either way: the index only finds candidates,
-- the ILIKE itself decides.
create index cases_case_no_pattern on cases (case_no text_pattern_ops);
create index cases_community on cases (community_code);
create index cases_street on cases (street_code);
create index cases_class on cases (class_code);

do $$
begin
  begin
    create extension if not exists pg_trgm;
  exception when others then
    raise notice 'pg_trgm is not available (%); case text search runs without a trigram index', sqlerrm;
  end;
  if exists (select 1 from pg_extension where extname = 'pg_trgm') then
    execute 'create index cases_description_trgm on cases using gin (description gin_trgm_ops)';
    execute 'create index cases_address_trgm on cases using gin (address gin_trgm_ops)';
  end if;
end $$;
