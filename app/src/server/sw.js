// Athar service worker. Generated per build by the server: BUILD and PRECACHE are filled in.
//
// - install: cache the data-free offline shell and this build's static files, under a cache
//   named after the build (hashed files an older build's cache holds are copied from it).
// - fetch: page navigations go to the network first (the server renders them with the user's
//   data); when the network fails, the offline shell answers and the app draws the page from
//   device storage. Static files come from the cache first: their names change with every build.
//   Server functions and data are never cached here (the app keeps data in device storage).
// - a new build's worker waits: the page tells it to take over ({type: "take-over"}) when nothing
//   is waiting to be sent, or when the user agrees and this build can read what waits. The page
//   asks ({type: "about"}, with a reply port) which device storage layouts this build reads.
//   The previous build's cache is kept (older ones are dropped): a page still running the
//   previous build fetches its code chunks on demand, by their hashed names, from any of the
//   caches.
const BUILD = "__BUILD_ID__";
// [oldest, newest] layout of device storage (`athar/layout`) this build reads or migrates.
const LAYOUTS = __LAYOUTS__;
const CACHE = "athar-" + BUILD;
const SHELL = "/offline-shell";
const PRECACHE = __PRECACHE__;

// A file whose name holds a hash of its content never changes: one an older build's cache holds
// is copied from there, so an update downloads only the files that changed.
const HASHED = /^\/pkg\/[^/]+\.[A-Za-z0-9_-]{16,}\.(js|wasm|css|json)$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const fetched = [SHELL];
      for (const url of PRECACHE) {
        const kept = HASHED.test(url) ? await caches.match(url) : undefined;
        if (kept) await cache.put(url, kept);
        else fetched.push(url);
      }
      await cache.addAll(fetched);
    })()
  );
});

self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  if (type === "take-over") {
    // Keep the worker alive until the hand-over is done: without waitUntil the browser may stop
    // an idle waiting worker before skipWaiting takes effect.
    event.waitUntil(self.skipWaiting());
  } else if (type === "claim") {
    // A page that loaded while this worker was still installing can miss the claim made at
    // activation (it was between two documents): it asks, so an offline reload still opens.
    event.waitUntil(self.clients.claim());
  } else if (type === "about" && event.ports[0]) {
    event.ports[0].postMessage({ build: BUILD, layouts: LAYOUTS });
  }
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => {
        // keys() lists caches in the order they were made: keep the newest of the others.
        const older = keys.filter((k) => k.startsWith("athar-") && k !== CACHE);
        return Promise.all(older.slice(0, -1).map((k) => caches.delete(k)));
      })
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate") {
    event.respondWith(
      fetch(req).catch(() =>
        caches.open(CACHE).then((c) => c.match(SHELL)).then((r) => r || Response.error())
      )
    );
    return;
  }
  if (url.pathname.startsWith("/api/") || url.pathname === "/healthz" || url.pathname === "/sw.js") return;
  event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
});
