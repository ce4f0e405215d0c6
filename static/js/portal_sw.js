// The client's program, offline: the pages of this link and the product's own static
// files are kept in the phone's cache and shown from it when there is no connection.
// Nothing is fetched from anywhere but this site; entries are queued by the page.
const CACHE = "kc-portal-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const scope = new URL(self.registration.scope);
  const ours = url.pathname.startsWith(scope.pathname) || url.pathname.startsWith("/static/");
  if (!ours) return;
  // The network first, so the page is always fresh when online; the cache when not.
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.match(request).then((hit) => hit || Response.error()))
  );
});
