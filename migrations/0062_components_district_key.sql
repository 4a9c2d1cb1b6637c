-- components takes the keys a Citus distributed table needs (issue 12, docs/citus.md "the plan", the components row),
-- on every engine, so the distribution step can later distribute it by district_code, co-located with grids:
-- - primary key (id, district_code), id first: a lookup by id alone (a component's card, OGC, the map) keeps using it.
--   The same rows are unique as before: the id embeds the district (components_check: left(id, 6) = district_code);
-- - unique (source_id, district_code) where source_id is not null: a source id is unique within a district, not
--   across districts. Each district's inventory numbers its own parts (often 1, 2, 3 …), so the same source id in two
--   districts is two components; the import matches a row to the component with its source id in the district its
--   point lies in (db/sql/import-plan*.sql), and a row whose point lies in another district than its earlier
--   import's becomes a new component there (the id embeds the district: it could never keep its id);
-- - cases' foreign key becomes (component_id, district_code) → components (id, district_code): a case cites a
--   component of its own district only (the writers refuse another district's with a 422 first: services/cases.ts).
--   No `on delete set null` any more: Citus refuses SET NULL and SET DEFAULT on a foreign key that includes the
--   distribution column, PostgreSQL 15's column list `set null (component_id)` too (Citus 13.0.5,
--   EnsureSupportedFKeyOnDistKey; tests/server/db/citus.test.ts keeps it in view). The one writer that deletes
--   components (db/components.ts deleteBySource) clears the citations of the cases first, in its transaction, as
--   the old `on delete set null` did (the case's district stays); a delete of a cited component elsewhere is refused.
-- Nothing else references components; the partial index cases_component (0058) serves the foreign key's check.
-- Plain constraint changes, statement by statement, so a Citus database distributed before this migration (where
-- components and cases are Citus local tables) takes it in place: the foreign key goes first (it depends on the old
-- primary key) and comes back last.
alter table cases drop constraint cases_component_id_fkey;
alter table components drop constraint components_pkey;
alter table components add constraint components_pkey primary key (id, district_code);
drop index components_source;
create unique index components_source on components (source_id, district_code) where source_id is not null;
-- A case that already cites another district's component (intake checked only that the component existed) loses the
-- citation, which the new key cannot hold; its district is its point's, the component's is in its id.
update cases set component_id = null where component_id is not null and left(component_id, 6) <> district_code;
alter table cases add constraint cases_component_fkey foreign key (component_id, district_code)
  references components (id, district_code);
