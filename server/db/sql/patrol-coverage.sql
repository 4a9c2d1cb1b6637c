-- Patrol coverage of one local day [$1, $2) per inspector (issue 9); $3 = now (an open duty period counts up to it);
-- $4 = a district: only its inspectors (kept to it, or of every district: users.region_code null; issue 12), null = all.
--   unit_grids / visited_grids: the unit grids of the inspector's responsibility grids, and those holding at least
--     one of its fixes of the day (patrol_positions.grid_code: the grid covering the fix, located when it arrived);
--   distance_m: the sum of the day's steps (patrol_positions.step_m, set at arrival by domain/patrol.ts
--     stepLength_m: haversine from the previous fix, 0 across duty periods or faster than 30 m/s);
--   duty_seconds: duty periods clipped to the day and to now.
-- Each inspector's fixes of the day are one range scan of patrol_positions_user_at: the cost grows with the day's
-- fixes, not with the 90 days kept.
with inspectors as (
  select id, username, display_name from users
   where 'inspector' = any (roles) and not disabled
     and ($4::text is null or region_code is null or left(region_code, 6) = $4)
),
resp as (
  select rg.inspector_id as user_id, count(distinct rg.code)::int as responsibility_grids, count(m.grid_code)::int as unit_grids,
         coalesce(array_agg(m.grid_code) filter (where m.grid_code is not null), '{}') as codes
    from responsibility_grids rg
    left join responsibility_grid_members m on m.responsibility_code = rg.code
   where rg.inspector_id is not null
   group by rg.inspector_id
),
duty as (
  select user_id,
         sum(greatest(0, extract(epoch from least(coalesce(ended_at, $3), $2, $3) - greatest(started_at, $1))))::float8 as duty_seconds
    from patrol_duties
   where started_at < $2 and (ended_at is null or ended_at > $1)
   group by user_id
)
select i.id::int as user_id, i.username, i.display_name,
       coalesce(r.responsibility_grids, 0) as responsibility_grids,
       coalesce(r.unit_grids, 0) as unit_grids,
       f.visited_grids,
       f.fix_count,
       f.distance_m,
       round(coalesce(t.duty_seconds, 0))::int as duty_seconds
  from inspectors i
  left join resp r on r.user_id = i.id
  left join duty t on t.user_id = i.id
 cross join lateral (
   select count(*)::int as fix_count,
          (count(distinct p.grid_code) filter (where p.grid_code = any (r.codes)))::int as visited_grids,
          coalesce(sum(p.step_m), 0)::float8 as distance_m
     from patrol_positions p
    where p.user_id = i.id and p.at >= $1 and p.at < $2
 ) f
 order by i.username;
