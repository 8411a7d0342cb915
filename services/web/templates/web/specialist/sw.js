{% load static %}/* 江津企业服务 — keeps the specialist's pages and their assets on the phone, so a visit can be logged
   without a signal. Pages: network first, the last copy when offline. Assets: the cached copy at once,
   refreshed in the background. Nothing else is touched; nothing is sent from here (visit.js does that). */
"use strict";

const CACHE = "jiangjin-{{ version }}";
const PAGES = [
  "{% url 'web:specialist-log-visit' %}",
  "{% url 'web:specialist-enterprises' %}",
];
const ASSETS = [
  "{% static 'web/site.css' %}",
  "{% static 'web/specialist/specialist.css' %}",
  "{% static 'web/specialist/register.js' %}",
  "{% static 'web/specialist/visit.js' %}",
  "{% static 'web/specialist/icon.svg' %}",
  "{% url 'web:manifest' %}",
];

function keep(cache, url, response) {
  if (response && response.ok && !response.redirected && response.type === "basic") {
    return cache.put(url, response);
  }
  return Promise.resolve();
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all(
        [...ASSETS, ...PAGES].map((url) =>
          fetch(url, { credentials: "same-origin" })
            .then((response) => keep(cache, url, response))
            .catch(() => undefined)
        )
      )
    ).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("jiangjin-") && name !== CACHE).map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PAGES.includes(url.pathname)) {
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        fetch(request)
          .then((response) => {
            keep(cache, url.pathname, response.clone());
            return response;
          })
          .catch(() => cache.match(url.pathname).then((cached) => cached || Response.error()))
      )
    );
    return;
  }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        cache.match(url.pathname).then((cached) => {
          const fresh = fetch(request)
            .then((response) => {
              keep(cache, url.pathname, response.clone());
              return response;
            })
            .catch(() => cached || Response.error());
          return cached || fresh;
        })
      )
    );
  }
});
