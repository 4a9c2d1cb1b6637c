-- cases.component_id references components (id) on delete set null, with no index on it: deleting a component
-- scanned every case to null its references (the province bench, issue 12: deleting 10,000 components against 100,000
-- cases ran over 11 minutes). A partial index, as cases_merged_into has: most cases name no component.
create index cases_component on cases (component_id) where component_id is not null;
