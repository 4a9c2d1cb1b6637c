-- PostGIS for every geometry (domain.md §4: WGS84, EPSG:4326).
create extension if not exists postgis;
