// Gridline's service worker (issue 9): the app works offline after its first load.
// - The app shell: index.html and the built assets it names (read from index.html at install; the hashed files under
//   /assets/ never change, so they are served from the cache first; chunks loaded later are cached as they come).
//   Navigations go to the network first (a new build shows at once) and fall back to the cached shell.
// - Reference data (GET /api/classes, /api/config, /api/regions, /api/departments: the same for every user) and map tiles (GET /api/tiles/…: the ones visited and
//   those of the inspector's own grids, fetched after sign-in by client/src/state/offline-tiles.ts; empty 204 ones too;
//   at most TILE_CAP of them): network first, the cached copy when the network fails or is slow.
// - Nothing else of the API is touched: writes (POST …) and the live stream go straight to the network, never cached;
//   the outbox (client/src/state/outbox.ts) keeps the writes until they are sent.
// - The inspector's cases and their photos are not cached here: a Cache Storage entry knows no user, and a photo's
//   signed link changes and expires. client/src/state/offline-cases.ts keeps them in IndexedDB per user instead.
// Served with `Cache-Control: no-cache` (server/app.ts) so a new worker is picked up at the next visit.
const SHELL = 'gridline-shell-v1';
const DATA = 'gridline-data-v1';
const TILES = 'gridline-tiles-v1';
const TILE_CAP = 3000;
const DATA_CAP = 200;
const ASSET_CAP = 300;
/** How long a navigation or a data request may wait for the network before a cached copy is used. */
const SLOW_MS = 4000;

const STATIC = ['/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png'];

async function cacheShell() {
  const cache = await caches.open(SHELL);
  const res = await fetch('/index.html', { cache: 'no-store' });
  if (!res.ok) return;
  const html = await res.clone().text();
  await cache.put('/index.html', res);
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  await Promise.all([...STATIC, ...assets].map(async (url) => {
    try {
      const r = await fetch(url);
      if (r.ok) await cache.put(url, r);
    } catch { /* cached when next used */ }
  }));
  // The reference data the report form needs, so that a phone that never reloaded still has it offline.
  const data = await caches.open(DATA);
  await Promise.all(['/api/config', '/api/classes?kind=matter'].map(async (url) => {
    try {
      const r = await fetch(url);
      if (r.ok) await data.put(url, r);
    } catch { /* cached when next used */ }
  }));
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = new Set([SHELL, DATA, TILES]);
    for (const name of await caches.keys()) if (!keep.has(name)) await caches.delete(name);
    await self.clients.claim();
  })());
});

/** Drops the oldest entries above `cap` (keys come back in insertion order). */
async function trim(cache, cap) {
  const keys = await cache.keys();
  for (let i = 0; i < keys.length - cap; i++) await cache.delete(keys[i]);
}

/** The network's answer (cached when good), or the cached copy when the network fails or takes longer than SLOW_MS. */
async function networkFirst(request, cacheName, cap, key = request) {
  const cache = await caches.open(cacheName);
  const network = fetch(request).then(async (res) => {
    if (res.status === 200 || res.status === 204) { // 204: an empty tile, kept too (no signal must not mean an error)
      await cache.delete(key); // re-inserted last: the trim drops the least recently fetched
      await cache.put(key, res.clone());
      void trim(cache, cap);
    }
    return res;
  });
  const slow = new Promise((resolve) => setTimeout(resolve, SLOW_MS, 'slow'));
  try {
    const first = await Promise.race([network, slow]);
    if (first !== 'slow') return first;
    const cached = await cache.match(key);
    return cached ?? (await network);
  } catch (e) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw e;
  }
}

async function cacheFirst(request, cacheName, cap) {
  const cache = await caches.open(cacheName);
  const cached = await cache.match(request);
  if (cached) return cached;
  const res = await fetch(request);
  if (res.ok && res.status === 200) {
    await cache.put(request, res.clone());
    void trim(cache, cap);
  }
  return res;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return; // writes: straight to the network
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (request.mode === 'navigate') {
    if (path.startsWith('/api/') || path.startsWith('/ogc')) return;
    event.respondWith(networkFirst(request, SHELL, ASSET_CAP, '/index.html'));
    return;
  }
  if (path.startsWith('/assets/')) { event.respondWith(cacheFirst(request, SHELL, ASSET_CAP)); return; }
  if (STATIC.includes(path)) { event.respondWith(networkFirst(request, SHELL, ASSET_CAP)); return; }
  if (path.startsWith('/api/tiles/')) { event.respondWith(networkFirst(request, TILES, TILE_CAP)); return; }
  if (path === '/api/classes' || path === '/api/config' || path === '/api/regions' || path === '/api/departments') {
    event.respondWith(networkFirst(request, DATA, DATA_CAP));
  }
});
