-- Plans one staged batch of a component import (server/db/import.ts): for every row of import_rows, what will
-- happen to it. The current unit grid covering the row's point (its point on surface for lines and polygons;
-- st_covers by the GiST index, "order by code" for points on a shared edge, as locate-grid.sql); the existing
-- component with the same source id; and, for rows outside every grid, whether the point with lon and lat
-- exchanged lies in one. Rows staged with swap_only hold out-of-range coordinates already exchanged: they are
-- only checked, never imported. Every lookup is a per-row index probe (grids_geom, components_source).
-- Returns how many rows got each outcome per district and class (one pass: the plan's own rows, not a second
-- scan of import_plan; the insert reserves its id ranges from these counts).
with planned as (
  insert into import_plan (row_no, class_code, outcome, existing_id, existing_class, grid_code, community_code, street_code, district_code, x, y, swap_grid)
  select s.row_no, s.class_code,
         case when s.swap_only then case when g.code is null then 'invalid_coordinates' else 'swapped_coordinates' end
              when g.code is null then case when w.code is null then 'outside_grids' else 'swapped_coordinates' end
              when c.id is null then 'insert'
              when c.class_code <> s.class_code then 'class_changed'
              else 'update' end,
         c.id, c.class_code, g.code, g.community_code, g.street_code, g.district_code,
         st_x(p.pt), st_y(p.pt),
         case when s.swap_only then g.code else w.code end
    from import_rows s
   cross join lateral (select case when geometrytype(s.geom) = 'POINT' then s.geom else st_pointonsurface(s.geom) end as pt) p
    left join lateral (select code, community_code, street_code, district_code
                         from grids
                        where valid_to is null and st_covers(geom, p.pt)
                        order by code
                        limit 1) g on true
    left join lateral (select code
                         from grids
                        where g.code is null and not s.swap_only and valid_to is null
                          and st_covers(geom, st_flipcoordinates(p.pt))
                        order by code
                        limit 1) w on true
    -- A lateral probe of components_source per row, never a join the planner might turn into a scan of components.
    -- A source id is unique within a district (0062): the row's component is the one with its source id in the
    -- district its point lies in; the same source id in another district is another component.
    left join lateral (select id, class_code
                         from components
                        where source_id = s.source_id and district_code = g.district_code and source_id is not null and not s.swap_only
                        limit 1) c on true
  returning outcome, district_code, class_code
)
select outcome, district_code, class_code, count(*)::int as n from planned group by outcome, district_code, class_code
