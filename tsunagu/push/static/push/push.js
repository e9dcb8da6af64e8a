// Turning pushes on and off for this device, in the devices block (push/_devices.html).
(function () {
  "use strict";
  var box = document.querySelector("[data-push-devices]");
  if (!box) return;
  var state = box.querySelector("[data-push-state]");
  var start = box.querySelector("[data-push-subscribe]");
  var stop = box.querySelector("[data-push-unsubscribe]");
  var text = function (name) { return box.getAttribute("data-text-" + name) || ""; };

  function say(message) { state.textContent = message; }

  function refused(message) {
    var error = new Error(message);
    error.fromServer = true;
    return error;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": box.getAttribute("data-csrf-token") },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw refused(data.error || text("failed"));
        return data;
      });
    });
  }

  function serverKey() {
    var base64 = box.getAttribute("data-vapid-key").replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function sameKey(subscription, key) {
    var own = subscription.options && subscription.options.applicationServerKey;
    if (!own) return true;
    var bytes = new Uint8Array(own);
    return bytes.length === key.length && bytes.every(function (b, i) { return b === key[i]; });
  }

  // The list names endpoints by the first 32 hex digits of their SHA-256 (templatetags/push.py).
  function endpointKey(endpoint) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(endpoint)).then(function (digest) {
      return Array.from(new Uint8Array(digest)).map(function (b) {
        return b.toString(16).padStart(2, "0");
      }).join("").slice(0, 32);
    });
  }

  function show(on) {
    start.hidden = on;
    stop.hidden = !on;
    start.disabled = stop.disabled = false;
    say(text(on ? "on" : "off"));
  }

  function fail(error) {
    say(error && error.fromServer ? error.message : text("failed"));
    start.disabled = stop.disabled = false;
  }

  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (!supported || !window.crypto || !crypto.subtle) {
    box.querySelector("[data-push-unsupported]").hidden = false;
    return;
  }
  if (Notification.permission === "denied") {
    say(text("denied"));
    return;
  }

  navigator.serviceWorker.ready
    .then(function (registration) { return registration.pushManager.getSubscription(); })
    .then(function (subscription) {
      if (!subscription) return show(false);
      return endpointKey(subscription.endpoint).then(function (key) {
        var mine = box.querySelector('[data-device="' + key + '"]');
        if (mine) mine.querySelector("[data-this-device]").hidden = false;
        // Kept in this browser but not for this account (another one signed out): off here.
        show(Boolean(mine) && sameKey(subscription, serverKey()));
      });
    })
    .catch(function () { show(false); });

  start.addEventListener("click", function () {
    start.disabled = true;
    say(text("working"));
    var key = serverKey();
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") throw refused(text("denied"));
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        var manager = registration.pushManager;
        return manager.getSubscription().then(function (existing) {
          if (existing && sameKey(existing, key)) return existing;
          var cleared = existing ? existing.unsubscribe() : Promise.resolve(true);
          return cleared.then(function () {
            return manager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
          });
        });
      })
      .then(function (subscription) { return post(box.getAttribute("data-subscribe-url"), subscription.toJSON()); })
      .then(function () { window.location.reload(); })
      .catch(fail);
  });

  stop.addEventListener("click", function () {
    stop.disabled = true;
    say(text("working"));
    navigator.serviceWorker.ready
      .then(function (registration) { return registration.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) return null;
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () {
          return post(box.getAttribute("data-unsubscribe-url"), { endpoint: endpoint });
        });
      })
      .then(function () { window.location.reload(); })
      .catch(fail);
  });
})();
