// Tsunagu talk rooms: live messages, stamps, typing and read markers over the talk socket.
// The pages work without this file (forms post as usual). With it, nothing typed is lost: every
// message carries a client id and stays in an outbox (kept in sessionStorage) until the server
// acknowledges it; after a reconnect the outbox is sent again and the room asks for everything
// after the last sequence number it has seen.
//
// Without storms: the outbox goes out one message at a time, in order, each sent again only when
// it went unanswered for RESEND_MS or its socket closed; every frame passes a pace of PACE a
// second, half the server's limit (BUCKET_RATE in consumers.py), so a long outbox never trips
// the server's flood limit; after a `rate` or `flood` refusal the browser waits the
// `retry_after` it was given and sends only the refused frame again; reconnects back off with
// jitter, so browsers do not all return in the same instant after a restart.
(function () {
  "use strict";
  var holder = document.querySelector("[data-talk-socket]");
  if (!holder || !("WebSocket" in window)) return;

  var slug = holder.getAttribute("data-talk-socket");
  var me = Number(holder.getAttribute("data-talk-member"));
  var roomId = Number(holder.getAttribute("data-talk-room") || 0);
  var live = holder.getAttribute("data-live") === "1";
  // The network's choice: Enter sends (Shift+Enter starts a new line), or Ctrl/Cmd+Enter does.
  var enterSends = holder.hasAttribute("data-enter-sends");
  var list = holder.querySelector("[data-messages]");
  var typingLine = holder.querySelector("[data-typing]");
  var compose = holder.querySelector("[data-compose]");
  var sample = holder.querySelector("template[data-talk-message]");
  var strings = {};
  try { strings = JSON.parse(document.getElementById("talk-strings").textContent); } catch (e) { /* index page */ }
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var base = "/n/" + slug + "/talk/";
  var lastSeq = Number(holder.getAttribute("data-last-seq") || 0);
  var storeKey = "tsunagu.talk.outbox." + slug;
  var outbox = loadOutbox();
  var PACE = 10; // frames a second
  var RESEND_MS = 5000;
  var socket = null;
  var open = false;
  var generation = 0; // counts sockets: a message sent on a closed one goes again on the next
  var attempts = 0; // failed connections in a row, for the backoff
  var reconnectTimer = null;
  var tokens = PACE;
  var tokensAt = Date.now();
  var controls = []; // frames other than messages, waiting for their turn
  var inflight = null; // {client_id, at, socket}: the message sent and not answered yet
  var pauseUntil = 0; // after a flood refusal: no frame at all before this
  var holdUntil = 0; // after a rate refusal: no message before this
  var holdNotice = false;
  var pumpTimer = null;
  var resuming = false;
  var resumeAgain = false;
  var highest = 0; // the highest number heard live in this room
  var lastTyping = 0;
  var readTimer = null;
  var typers = {};
  var seen = {};

  function loadOutbox() {
    try { return JSON.parse(sessionStorage.getItem(storeKey) || "[]"); } catch (e) { return []; }
  }
  function saveOutbox() {
    try { sessionStorage.setItem(storeKey, JSON.stringify(outbox)); } catch (e) { /* private mode */ }
  }
  function newClientId() {
    if (window.crypto && crypto.randomUUID) return "c-" + crypto.randomUUID();
    return "c-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  function send(frame) {
    if (!open) return false;
    controls.push(frame);
    pump();
    return true;
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function fmt(template, values) {
    return String(template || "").replace(/%\((\w+)\)[sd]/g, function (_, key) { return values[key]; });
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  // Times in the zone the page was rendered in (data-zone), as the server writes them: 04/01 09:30.
  var clock = null;
  try {
    clock = new Intl.DateTimeFormat("en-GB", {
      timeZone: holder.getAttribute("data-zone") || undefined,
      month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    });
  } catch (e) { /* an unknown zone: the browser's own */ }
  function when(iso) {
    var d = new Date(iso);
    if (!clock) return pad(d.getMonth() + 1) + "/" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
    var p = {};
    clock.formatToParts(d).forEach(function (part) { p[part.type] = part.value; });
    return p.month + "/" + p.day + " " + p.hour + ":" + p.minute;
  }
  function size(bytes) {
    var units = ["byte", "kilobyte", "megabyte", "gigabyte"];
    var i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i += 1; }
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined,
        { style: "unit", unit: units[i], maximumFractionDigits: 1 }).format(bytes);
    } catch (e) { return Math.round(bytes) + " " + ["B", "KB", "MB", "GB"][i]; }
  }

  // --- Unread counts (room list) ----------------------------------------------------------------
  // The total in the navigation comes from the server over the network socket, on every page
  // (tsunagu.js, a "count" event): it is the one number a page reload would show.
  // The room list's line under a room: who wrote its newest message, its start and when (the
  // server cut the text: the frame's "excerpt"; talk/_room_row.html writes the same line).
  function showLast(msg) {
    var line = document.querySelector('[data-room="' + msg.room + '"] [data-room-last]');
    if (!line || msg.thread || msg.deleted || msg.hidden) return;
    line.querySelector("[data-last-name]").textContent = msg.name || strings.former || "";
    line.querySelector("[data-last-text]").textContent = msg.excerpt || strings.file || "";
    var time = line.querySelector("[data-last-at]");
    time.setAttribute("datetime", msg.created);
    time.textContent = when(msg.created);
    line.hidden = false;
  }
  function bumpRoom(room) {
    var item = document.querySelector('[data-room="' + room + '"] [data-room-unread]');
    if (item) {
      var n = Number(item.textContent || 0) + 1;
      item.textContent = String(n);
      item.hidden = false;
    }
  }

  // --- Rendering --------------------------------------------------------------------------------
  // A message that arrives live is a copy of the page's sample (talk/_message.html, rendered by
  // the server for this reader, numbered 0, with every optional part), filled with text and
  // attributes; the script writes no markup of its own. Only the body is HTML: the server
  // cleaned it (nh3) when it was saved.
  function sampleOf(selector) {
    var node = sample && sample.content.querySelector(selector);
    return node ? node.cloneNode(true) : null;
  }
  function renumber(node, id) {
    // The sample's links and forms point at message 0.
    var from = "/m/0/", to = "/m/" + id + "/";
    [node].concat(Array.prototype.slice.call(node.querySelectorAll("[href], [action]"))).forEach(function (n) {
      ["href", "action"].forEach(function (name) {
        var value = n.getAttribute(name);
        if (value) n.setAttribute(name, value.replace(from, to));
      });
    });
  }
  function drop(root, selector, when) {
    if (!when) return;
    root.querySelectorAll(selector).forEach(function (n) { n.remove(); });
  }

  function stampsNode(msg, reactions) {
    var stamps = sampleOf(".talk-stamps");
    if (!stamps) return null;
    renumber(stamps, msg.id);
    var one = stamps.querySelector(".stamp:not(.stamp--pick)");
    var picker = stamps.querySelector(".talk-stamps__more");
    (reactions || []).forEach(function (r) {
      var mine = r.members.indexOf(me) !== -1;
      var b = one.cloneNode(true);
      b.classList.toggle("stamp--mine", mine);
      b.value = r.stamp;
      b.title = r.names.join("、");
      b.setAttribute("aria-pressed", mine ? "true" : "false");
      b.firstChild.nodeValue = r.label + " ";
      b.querySelector(".stamp__count").textContent = String(r.members.length);
      stamps.insertBefore(b, picker);
    });
    one.remove();
    // Without the right to stamp, stamps are shown, not offered: none, nothing to show.
    if (!picker && !(reactions || []).length) return null;
    return stamps;
  }

  function filesNode(files) {
    var box = sampleOf(".talk-files");
    if (!box || !files || !files.length) return null;
    var plain = box.querySelector(".talk-file:not(.talk-file--image)");
    var image = box.querySelector(".talk-file--image");
    files.forEach(function (f) {
      var a = (f.image ? image : plain).cloneNode(true);
      a.href = f.url;
      if (f.image) {
        var img = a.querySelector("img");
        img.src = f.thumb;
        img.alt = f.name;
      } else {
        a.querySelector(".talk-file__name").textContent = f.name;
        a.querySelector("[data-file-size]").textContent = "(" + size(f.size) + ")";
      }
      box.insertBefore(a, plain);
    });
    plain.remove();
    image.remove();
    return box;
  }

  function messageNode(msg) {
    var li = sample.content.firstElementChild.cloneNode(true);
    renumber(li, msg.id);
    li.id = "m" + msg.seq;
    li.setAttribute("data-seq", msg.seq);
    li.setAttribute("data-id", msg.id);
    li.setAttribute("data-sender", msg.sender || "");
    li.setAttribute("data-client-id", msg.client_id);
    var own = msg.sender === me;
    li.classList.toggle("talk-msg--mine", own);
    li.querySelector(".talk-msg__head strong").textContent = msg.name;
    var time = li.querySelector(".talk-msg__head time");
    time.dateTime = msg.created;
    time.textContent = when(msg.created);
    drop(li, '[data-flag="edited"]', !msg.edited || msg.deleted);
    drop(li, '[data-flag="pinned"]', !msg.pinned);
    var body = li.querySelector(".talk-msg__body");
    drop(body, '[data-body="deleted"]', !msg.deleted);
    drop(body, '[data-body="hidden"]', !msg.hidden || msg.deleted);
    if (!msg.deleted && !msg.hidden) body.innerHTML = msg.html; // cleaned by the server (nh3) when saved
    var shown = !msg.deleted && !msg.hidden;
    var files = li.querySelector(".talk-files");
    var fresh = shown && filesNode(msg.files);
    if (fresh) files.replaceWith(fresh); else if (files) files.remove();
    var stamps = li.querySelector(".talk-stamps");
    fresh = shown && stampsNode(msg, msg.reactions);
    if (fresh) stamps.replaceWith(fresh); else if (stamps) stamps.remove();
    var reply = li.querySelector("[data-replies]");
    if (reply) {
      if (msg.thread) reply.remove();
      else {
        reply.setAttribute("data-count", msg.replies || 0);
        if (msg.replies) reply.textContent = fmt(strings.replies, { count: msg.replies });
      }
    }
    drop(li, "[data-own]", !own || msg.deleted || msg.hidden);
    drop(li, "[data-moderate]", msg.deleted);
    drop(li, '[data-moderate] [value="' + (msg.pinned ? "pin" : "unpin") + '"]', true);
    drop(li, '[data-moderate] [value="' + (msg.hidden ? "hide" : "unhide") + '"]', true);
    return li;
  }

  function place(msg) {
    if (!list || !sample) return;
    var existing = list.querySelector('[data-seq="' + msg.seq + '"]') ||
      list.querySelector('[data-client-id="' + CSS.escape(msg.client_id) + '"]');
    var node = messageNode(msg);
    if (existing) {
      // A message frame carries no stamps: the ones shown stay, unless the message is gone.
      var stamps = existing.querySelector(".talk-stamps");
      var fresh = node.querySelector(".talk-stamps");
      if (stamps && !msg.reactions && !msg.deleted && !msg.hidden) {
        if (fresh) fresh.replaceWith(stamps);
        else node.insertBefore(stamps, node.querySelector(".talk-msg__actions"));
      }
      existing.replaceWith(node);
      return;
    }
    var after = null;
    var items = list.querySelectorAll("[data-seq]");
    for (var i = items.length - 1; i >= 0; i--) {
      if (Number(items[i].getAttribute("data-seq")) < msg.seq) { after = items[i]; break; }
    }
    if (after) after.after(node); else list.prepend(node);
  }

  function update(msg) {
    // Only messages on the page change; an older one is shown as it is when its page is opened.
    if (!list || msg.thread) return;
    var existing = list.querySelector('[data-seq="' + msg.seq + '"][data-id="' + msg.id + '"]');
    if (existing) place(msg);
  }

  // What was typed, shown until the server has stored it: the sample's head and body only.
  function pendingNode(entry) {
    if (!sample) return null;
    var li = sample.content.firstElementChild.cloneNode(true);
    li.removeAttribute("id");
    li.removeAttribute("data-id");
    li.classList.add("talk-msg--mine", "talk-msg--pending");
    li.setAttribute("data-client-id", entry.client_id);
    li.setAttribute("data-seq", "999999999999");
    var head = li.querySelector(".talk-msg__head");
    head.textContent = "…";
    li.querySelector(".talk-msg__body").textContent = entry.body;
    drop(li, ".talk-files, .talk-stamps, .talk-msg__actions", true);
    return li;
  }

  // --- Frames from the server -------------------------------------------------------------------
  function onMessage(msg) {
    var key = msg.room + ":" + msg.seq;
    var again = seen[key] === true; // live and replayed: count it once
    seen[key] = true;
    if (msg.room !== roomId || !live) {
      if (!again && msg.sender !== me && !msg.thread) bumpRoom(msg.room);
      if (!again) showLast(msg);
      return;
    }
    // Their message is here: they are no longer typing it.
    if (msg.sender && typers[msg.sender]) {
      delete typers[msg.sender];
      renderTyping();
    }
    if (msg.thread) {
      if (again) return;
      var root = list && list.querySelector('[data-id="' + msg.thread + '"] [data-replies]');
      if (root) {
        var count = (Number(root.getAttribute("data-count")) || 0) + 1;
        root.setAttribute("data-count", count);
        root.textContent = fmt(strings.replies, { count: count });
      }
    } else {
      place(msg);
    }
    if (msg.replay || msg.seq <= lastSeq + 1) lastSeq = Math.max(lastSeq, msg.seq);
    highest = Math.max(highest, msg.seq);
    advance();
    if (highest > lastSeq) resume(false); // a frame went missing: ask, once
    scheduleRead();
  }

  // Numbers heard live ahead of a gap count once the gap is filled.
  function advance() {
    while (seen[roomId + ":" + (lastSeq + 1)]) lastSeq += 1;
  }

  // One resume at a time: live messages that skip a number while one is answered do not each
  // ask again. `again` (a reconnect, a resync) asks once more after the answer.
  function resume(again) {
    if (!roomId || !live) return;
    if (resuming) { resumeAgain = resumeAgain || again; return; }
    resuming = true;
    send({ type: "resume", room: roomId, after: lastSeq });
  }

  function onResumed(frame) {
    lastSeq = Math.max(lastSeq, frame.last);
    advance();
    resuming = false;
    var again = resumeAgain;
    resumeAgain = false;
    if (frame.more || again || highest > lastSeq) resume(false);
  }

  function onReactions(frame) {
    if (frame.room !== roomId || !list) return;
    var item = list.querySelector('[data-id="' + frame.id + '"]');
    if (!item) return;
    var old = item.querySelector(".talk-stamps");
    var fresh = stampsNode({ id: frame.id }, frame.reactions);
    if (!fresh) { if (old && sample) old.remove(); return; }
    if (old) old.replaceWith(fresh); else item.insertBefore(fresh, item.querySelector(".talk-msg__actions"));
  }

  function onTyping(frame) {
    if (frame.room !== roomId || frame.member === me || !typingLine) return;
    typers[frame.member] = { name: frame.name, until: Date.now() + 4000 };
    renderTyping();
    setTimeout(renderTyping, 4100);
  }
  function renderTyping() {
    var now = Date.now();
    var names = Object.keys(typers).filter(function (k) { return typers[k].until > now; })
      .map(function (k) { return typers[k].name; });
    typingLine.textContent = names.length ? fmt(strings.typing, { name: names.join("、") }) : "";
    typingLine.hidden = names.length === 0;
  }

  function onRead(frame) {
    if (frame.room !== roomId || frame.member === me || !list) return;
    list.querySelectorAll(".talk-read").forEach(function (n) { n.remove(); });
    var mine = list.querySelectorAll(".talk-msg--mine[data-seq]");
    for (var i = mine.length - 1; i >= 0; i--) {
      if (Number(mine[i].getAttribute("data-seq")) <= frame.seq) {
        mine[i].appendChild(el("span", "talk-read", fmt(strings.read, { count: 1 })));
        break;
      }
    }
  }

  function forget(clientId) {
    outbox = outbox.filter(function (e) { return e.client_id !== clientId; });
    saveOutbox();
    if (inflight && inflight.client_id === clientId) inflight = null;
  }

  function onAck(frame) {
    forget(frame.client_id);
    var pending = list && list.querySelector('.talk-msg--pending[data-client-id="' + CSS.escape(frame.client_id) + '"]');
    if (pending) pending.setAttribute("data-seq", frame.seq);
    if (holdNotice) { holdNotice = false; showStatus(""); }
    pump();
  }

  function onError(frame) {
    var now = Date.now();
    var wait = Math.max(0, Number(frame.retry_after) || 0) * 1000;
    if (frame.error === "flood") {
      // The server dropped one frame: wait until it takes frames again, then send that one.
      pauseUntil = now + Math.max(wait, 1000 / PACE);
      tokens = 0;
      tokensAt = now;
      if (inflight && (!frame.client_id || frame.client_id === inflight.client_id)) inflight = null;
      if (!frame.client_id && resuming) { resuming = false; resume(true); }
      holdNotice = true;
    } else if (frame.error === "rate" && frame.client_id) {
      // Too many messages for now: the outbox waits, then this message goes first.
      holdUntil = now + (wait || 5000) + Math.random() * 500;
      if (inflight && inflight.client_id === frame.client_id) inflight = null;
      holdNotice = true;
    } else if (frame.client_id) {
      // Any other refusal of a message is final: it would be refused again.
      forget(frame.client_id);
      var pending = list && list.querySelector('.talk-msg--pending[data-client-id="' + CSS.escape(frame.client_id) + '"]');
      if (pending) pending.remove();
      holdNotice = false;
    } else if (frame.room === roomId && resuming) {
      resuming = false;
    }
    if (frame.message) showStatus(frame.message);
    pump();
  }

  function showStatus(text) {
    var box = holder.querySelector("[data-talk-status]");
    if (!box) {
      box = el("p", "message message--error");
      box.setAttribute("data-talk-status", "");
      box.setAttribute("role", "alert");
      (compose || holder).before(box);
    }
    box.textContent = text;
    box.hidden = !text;
  }

  // --- Sending ----------------------------------------------------------------------------------
  // The oldest message of the outbox, if it is due: never sent on this socket, or unanswered
  // for RESEND_MS (its worker may have died before the acknowledgement; the server stores each
  // client id once). Later messages wait for it, so they are stored in the order typed.
  function dueMessage(now) {
    var entry = outbox[0];
    if (!entry || now < holdUntil) return null;
    var sent = inflight && inflight.client_id === entry.client_id && inflight.socket === generation;
    return sent && now - inflight.at < RESEND_MS ? null : entry;
  }

  function pump() {
    clearTimeout(pumpTimer);
    pumpTimer = null;
    if (!open) return;
    var now = Date.now();
    if (now < pauseUntil) { pumpTimer = setTimeout(pump, pauseUntil - now); return; }
    for (;;) {
      var entry = controls.length ? null : dueMessage(now);
      if (!controls.length && !entry) break;
      tokens = Math.min(PACE, tokens + (now - tokensAt) * PACE / 1000);
      tokensAt = now;
      if (tokens < 1) {
        pumpTimer = setTimeout(pump, Math.ceil((1 - tokens) * 1000 / PACE));
        return;
      }
      tokens -= 1;
      if (entry) {
        inflight = { client_id: entry.client_id, at: now, socket: generation };
        socket.send(JSON.stringify({ type: "send", room: entry.room, client_id: entry.client_id, body: entry.body, thread: entry.thread || null }));
      } else {
        socket.send(JSON.stringify(controls.shift()));
      }
    }
    if (outbox.length) {
      // Wake up when the message in flight is due again, or the hold ends.
      var due = Math.max(holdUntil, inflight ? inflight.at + RESEND_MS : 0);
      pumpTimer = setTimeout(pump, Math.max(due - now, 1000 / PACE));
    }
  }

  function scheduleRead() {
    if (!roomId || document.hidden) return;
    clearTimeout(readTimer);
    readTimer = setTimeout(function () { send({ type: "read", room: roomId, seq: lastSeq }); }, 400);
  }

  if (compose) {
    var textarea = compose.querySelector("textarea");
    compose.addEventListener("submit", function (event) {
      var file = compose.querySelector("input[type=file]");
      if (file && file.files && file.files.length) return; // files go by the form
      var body = (textarea.value || "").trim();
      if (!body) { event.preventDefault(); return; }
      event.preventDefault();
      var entry = { room: roomId, client_id: newClientId(), body: body };
      outbox.push(entry);
      saveOutbox();
      var pending = pendingNode(entry);
      if (list && pending) list.appendChild(pending);
      textarea.value = "";
      lastTyping = 0; // the next message is announced from its first key
      pump();
      if (!open) showStatus(strings.offline);
    });
    if (textarea) {
      textarea.addEventListener("input", function () {
        var now = Date.now();
        if (now - lastTyping > 3000) { lastTyping = now; send({ type: "typing", room: roomId }); }
      });
      textarea.addEventListener("keydown", function (event) {
        // Never while an input method is composing: its Enter confirms the kana-kanji conversion
        // (keyCode 229: browsers that report the composing key so).
        if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
        var plain = !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey;
        if (event.ctrlKey || event.metaKey || (enterSends && plain)) {
          event.preventDefault();
          compose.requestSubmit();
        }
      });
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("talk-stamps") || !open) return;
    var button = event.submitter;
    var emoji = form.querySelector(".talk-stamps__emoji");
    var stamp = (emoji && emoji.value.trim()) || (button && button.value) || "";
    if (!stamp) return;
    event.preventDefault();
    var item = form.closest("[data-id]");
    send({ type: "react", room: roomId, message: Number(item.getAttribute("data-id")), stamp: stamp });
    if (emoji) emoji.value = "";
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) scheduleRead(); });

  // --- The socket -------------------------------------------------------------------------------
  function connect() {
    reconnectTimer = null;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/n/" + slug + "/talk/");
    socket.addEventListener("open", function () {
      open = true;
      generation += 1;
      holder.setAttribute("data-talk-connected", "");
      showStatus("");
      resume(true);
      pump();
    });
    socket.addEventListener("message", function (message) {
      var frame;
      try { frame = JSON.parse(message.data); } catch (e) { return; }
      if (frame.type === "message") onMessage(frame);
      else if (frame.type === "update") { if (frame.room === roomId) update(frame); }
      else if (frame.type === "reactions") onReactions(frame);
      else if (frame.type === "typing") onTyping(frame);
      else if (frame.type === "read") onRead(frame);
      else if (frame.type === "ack") onAck(frame);
      else if (frame.type === "error") onError(frame);
      else if (frame.type === "resync") resume(true);
      else if (frame.type === "resumed" && frame.room === roomId) onResumed(frame);
      else if (frame.type === "hello") attempts = 0; // let in: the next drop starts the backoff afresh
      document.dispatchEvent(new CustomEvent("tsunagu:talk", { detail: frame }));
    });
    socket.addEventListener("close", function (closed) {
      open = false;
      controls = []; // they were meant for this socket; the next one resumes afresh
      resuming = false;
      clearTimeout(pumpTimer);
      holder.removeAttribute("data-talk-connected");
      if (closed.code === 4401 || closed.code === 4403) return;
      // Exponential backoff with jitter, from half a second up to 15 seconds.
      var ceiling = Math.min(15000, 500 * Math.pow(2, attempts));
      attempts += 1;
      reconnectTimer = setTimeout(connect, ceiling / 2 + Math.random() * ceiling / 2);
    });
  }
  // Back online: try now (within a second) rather than at the end of a long backoff.
  window.addEventListener("online", function () {
    if (!reconnectTimer) return;
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, Math.random() * 1000);
  });
  // Open a room at its newest message, unless the address points at one.
  if (list && live && !location.hash && list.lastElementChild) {
    list.lastElementChild.scrollIntoView({ block: "end" });
  }
  connect();
})();
