// Tsunagu's service worker. It keeps static files and the offline page, nothing else: pages are
// always asked from the network, and when there is none the offline page is shown. A page a
// member opened (their network, their messages) is never put into a cache.
"use strict";
const CONFIG = {{ config|safe }};
const CACHE = CONFIG.cache;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll([...CONFIG.precache, CONFIG.offline]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("tsunagu-") && name !== CACHE)
          .map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.startsWith(CONFIG.static);
}

function keep(request, response) {
  // Only complete answers of this site's own static files.
  if (response.ok && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    // The network, always; its answer is not kept. Offline: the offline page.
    event.respondWith(
      fetch(request).catch(() =>
        caches.match(CONFIG.offline).then((page) => page || Response.error())
      )
    );
    return;
  }
  const url = new URL(request.url);
  if (!isStatic(url)) return; // everything else: the browser as usual, no cache of ours
  if (CONFIG.hashed) {
    event.respondWith(
      caches.match(request).then((hit) => hit || fetch(request).then((r) => keep(request, r)))
    );
  } else {
    event.respondWith(
      fetch(request)
        .then((r) => keep(request, r))
        .catch(() => caches.match(request).then((hit) => hit || Response.error()))
    );
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  const title = typeof data.title === "string" && data.title ? data.title : "Tsunagu";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.body === "string" ? data.body : "",
      tag: typeof data.tag === "string" ? data.tag : undefined,
      icon: CONFIG.icon,
      data: { url: typeof data.url === "string" ? data.url : "/" },
    })
  );
});

function sameSite(path) {
  // Only a page of this site, whatever the push said.
  try {
    const url = new URL(path, self.location.origin);
    return url.origin === self.location.origin ? url.href : self.location.origin + "/";
  } catch (error) {
    return self.location.origin + "/";
  }
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = sameSite(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === target && "focus" in client) return client.focus();
      }
      return self.clients.openWindow(target);
    })
  );
});
