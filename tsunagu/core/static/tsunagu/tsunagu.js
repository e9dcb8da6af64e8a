// Tsunagu: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Close open menus on Escape or a click elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });

  // File inputs (core/widgets/file.html): the chosen file's name beside the button.
  function showFileName(input) {
    var box = input.closest("[data-file]");
    var name = box && box.querySelector("[data-file-name]");
    if (!name) return;
    var names = Array.prototype.map.call(input.files || [], function (file) { return file.name; });
    name.textContent = names.length ? names.join(", ") : name.getAttribute("data-empty");
    name.classList.toggle("file__name--chosen", names.length > 0);
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.type === "file") showFileName(input);
  });
  document.addEventListener("reset", function (event) {
    var form = event.target;
    // The form's fields are emptied after the event: read them once it has run.
    setTimeout(function () {
      form.querySelectorAll("[data-file] input[type=file]").forEach(showFileName);
    }, 0);
  });
  // Back and forward keep a chosen file in some browsers: show its name again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[data-file] input[type=file]").forEach(showFileName);
  });

  // The service worker (push/templates/push/sw.js): the offline page, static files, pushes.
  var worker = document.currentScript && document.currentScript.getAttribute("data-service-worker");
  if (worker && "serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(worker).catch(function () {});
    });
  }

  // The network socket: live unread counts (the bell's, and those beside the navigation's links);
  // reconnects with backoff.
  var holder = document.querySelector("[data-network-socket]");
  if (!holder || !("WebSocket" in window)) return;
  var slug = holder.getAttribute("data-network-socket");
  var badge = holder.querySelector("[data-unread-count]");
  var delay = 1000;

  function setUnread(count) {
    if (!badge) return;
    badge.textContent = String(count);
    badge.hidden = count === 0;
    document.dispatchEvent(new CustomEvent("tsunagu:unread", { detail: { count: count } }));
  }

  // A count beside a link of the navigation ({"type": "count", "link": key, "count": n, "at": ms},
  // pushed by the app behind the link): the badge's number is part of the link's name, so what a
  // screen reader reads follows what is shown. A push read earlier than one already shown is
  // late and left out.
  var countsAt = {};
  function setCount(event) {
    var key = String(event.link || "");
    var count = Number(event.count);
    if (!/^[a-z_]+$/.test(key) || !(count >= 0)) return;
    var at = Number(event.at) || 0;
    if (at < (countsAt[key] || 0)) return;
    countsAt[key] = at;
    document.querySelectorAll('[data-count-of="' + key + '"]').forEach(function (badge) {
      badge.textContent = String(count);
      badge.hidden = count === 0;
    });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws/n/" + slug + "/");
    socket.addEventListener("open", function () {
      delay = 1000;
      holder.setAttribute("data-socket-open", "");
    });
    socket.addEventListener("message", function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (event.type === "notifications") setUnread(event.unread);
      if (event.type === "count") setCount(event);
      document.dispatchEvent(new CustomEvent("tsunagu:event", { detail: event }));
    });
    socket.addEventListener("close", function (closed) {
      holder.removeAttribute("data-socket-open");
      if (closed.code === 4401 || closed.code === 4403) return; // not allowed: do not retry
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  connect();
})();
