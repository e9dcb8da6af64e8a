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
  holder.classList.add("talk-js"); // messages' actions become toolbars (talk.css)

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
  var textarea = compose && compose.querySelector("textarea");
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

  // The stamps given, as chips under the text (the picker is in the message's toolbar).
  function stampsNode(msg, reactions) {
    if (!reactions || !reactions.length) return null;
    var stamps = sampleOf(".talk-stamps:not([data-pick])");
    if (!stamps) return null;
    renumber(stamps, msg.id);
    var one = stamps.querySelector(".stamp");
    reactions.forEach(function (r) {
      var mine = r.members.indexOf(me) !== -1;
      var b = one.cloneNode(true);
      b.classList.toggle("stamp--mine", mine);
      b.value = r.stamp;
      b.title = r.names.join("、");
      b.setAttribute("aria-pressed", mine ? "true" : "false");
      b.firstChild.nodeValue = r.label + " ";
      b.querySelector(".stamp__count").textContent = String(r.members.length);
      stamps.insertBefore(b, one);
    });
    one.remove();
    return stamps;
  }
  // Where a message's stamps go: under its text and files, before the count of its replies.
  function putStamps(item, stamps) {
    var main = item.querySelector(".talk-msg__main");
    main.insertBefore(stamps, main.querySelector("[data-reply-count]"));
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
    fillAvatar(li.querySelector("[data-avatar]"), msg.sender, msg.name);
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
    var stamps = li.querySelector(".talk-stamps:not([data-pick])");
    fresh = shown && stampsNode(msg, msg.reactions);
    if (fresh) stamps.replaceWith(fresh); else if (stamps) stamps.remove();
    drop(li, "[data-pick]", msg.deleted || msg.hidden);
    drop(li, "[data-replies]", msg.thread);
    var count = li.querySelector("[data-reply-count]");
    if (count) {
      if (msg.thread || !msg.replies) count.remove();
      else count.textContent = fmt(strings.replies, { count: msg.replies });
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
    var stick = atBottom();
    if (existing) {
      // A message frame carries no stamps: the ones shown stay, unless the message is gone.
      var stamps = existing.querySelector(".talk-stamps:not([data-pick])");
      var fresh = node.querySelector(".talk-stamps:not([data-pick])");
      if (stamps && !msg.reactions && !msg.deleted && !msg.hidden) {
        if (fresh) fresh.replaceWith(stamps);
        else putStamps(node, stamps);
      }
      // The count of replies is not in an update's frame either.
      var count = existing.querySelector("[data-reply-count]");
      var noCount = node.querySelector("[data-reply-count]");
      if (count && !msg.thread) {
        if (noCount) noCount.replaceWith(count); else node.querySelector(".talk-msg__main").appendChild(count);
      }
      existing.replaceWith(node);
      regroup();
      if (stick) toBottom();
      return;
    }
    var after = null;
    var items = list.querySelectorAll("[data-seq]");
    for (var i = items.length - 1; i >= 0; i--) {
      if (Number(items[i].getAttribute("data-seq")) < msg.seq) { after = items[i]; break; }
    }
    if (after) after.after(node); else list.prepend(node);
    regroup();
    if (stick) toBottom();
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
    drop(li, ".talk-files, .talk-stamps, .talk-msg__actions, [data-reply-count]", true);
    fillAvatar(li.querySelector("[data-avatar]"), me, "");
    return li;
  }

  // --- The room as a chat -----------------------------------------------------------------------
  // The photo or initials of a live message: those of the sender's messages already on the page
  // (the server's), else from the room's members (the mention list's data), else the initials.
  function initialsOf(name) {
    var parts = String(name || "?").split(/\s+/).filter(Boolean);
    if (!parts.length) return "?";
    if (parts.every(function (p) { return /^[\x00-\x7f]+$/.test(p); })) {
      return parts.slice(0, 2).map(function (p) { return p[0]; }).join("").toUpperCase();
    }
    return Array.from(parts[0]).slice(0, 2).join("");
  }
  function fillAvatar(node, sender, name) {
    if (!node || !list) return;
    var known = sender && list.querySelector('.talk-msg[data-sender="' + sender + '"]:not(.talk-msg--pending) [data-avatar]');
    if (known && known !== node) { node.replaceWith(known.cloneNode(true)); return; }
    var person = sender && people && people.filter(function (p) { return p.id === sender; })[0];
    paintAvatar(node, person || { id: sender, photo: "", initials: sender ? initialsOf(name) : "", hue: sender ? sender % 8 : "" });
  }
  function paintAvatar(node, person) {
    node.className = node.className.replace(/talk-avatar--\S*/, "talk-avatar--" + person.hue);
    var img = node.querySelector("img");
    var text = node.querySelector("span");
    if (person.photo) { img.src = person.photo; if (text) text.remove(); }
    else { if (img) img.remove(); if (text) text.textContent = person.initials; }
  }

  // Consecutive messages of one sender within GROUP_MS show the name and the photo once.
  var GROUP_MS = 5 * 60 * 1000;
  function regroup() {
    if (!list) return;
    var previous = null;
    list.querySelectorAll(":scope > .talk-msg").forEach(function (item) {
      // What the reader has just typed is theirs, and new.
      var pending = item.classList.contains("talk-msg--pending");
      var sender = pending ? String(me) : item.getAttribute("data-sender");
      var time = item.querySelector(".talk-msg__head time");
      var at = pending || !time ? Date.now() : Date.parse(time.getAttribute("datetime"));
      var same = previous && sender && previous.sender === sender &&
        at - previous.at >= 0 && at - previous.at < GROUP_MS;
      item.classList.toggle("talk-msg--cont", Boolean(same));
      previous = { sender: sender, at: at };
    });
  }

  // The history scrolls in its own area (talk.css), newest at the bottom.
  function atBottom() {
    return !list || list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }
  function toBottom() {
    if (list) list.scrollTop = list.scrollHeight;
  }
  // The phone's keyboard shrinks the visual viewport, not the layout one: the room follows it so
  // the composer stays above the keyboard.
  if (document.body.classList.contains("talk-page") && window.visualViewport) {
    var fitView = function () {
      var stick = atBottom();
      document.body.style.setProperty("--talk-height", Math.round(window.visualViewport.height) + "px");
      window.scrollTo(0, 0);
      if (stick) toBottom();
    };
    window.visualViewport.addEventListener("resize", fitView);
    fitView();
  }

  // Older messages load above as the reader scrolls up (or follows the link), and what they were
  // reading stays where it was.
  function loadOlder(link) {
    var item = link.closest(".talk-older");
    if (!item || item.hasAttribute("data-loading")) return;
    item.setAttribute("data-loading", "");
    fetch(link.getAttribute("href"), { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.text(); })
      .then(function (html) {
        var holderTemplate = document.createElement("template");
        holderTemplate.innerHTML = html; // the server's rendering of talk/fragment_messages.html
        var fromBottom = list.scrollHeight - list.scrollTop;
        item.replaceWith(holderTemplate.content);
        regroup();
        list.scrollTop = list.scrollHeight - fromBottom;
        if (window.htmx) window.htmx.process(list);
        watchOlder();
      })
      .catch(function () { item.removeAttribute("data-loading"); });
  }
  var olderObserver = null;
  function watchOlder() {
    var link = list && list.querySelector("[data-older]");
    if (!link) return;
    if (!olderObserver && "IntersectionObserver" in window) {
      olderObserver = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) { olderObserver.unobserve(entry.target); loadOlder(entry.target); }
        });
      }, { root: list, rootMargin: "150px 0px 0px 0px" });
    }
    if (olderObserver) olderObserver.observe(link);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-older]");
    if (!link || !list || !list.contains(link)) return;
    event.preventDefault();
    event.stopImmediatePropagation(); // htmx would swap without keeping the reader's place
    loadOlder(link);
  }, true);

  // A message's toolbar (stamps, reply, edit, delete, pin…) shows on hover and on focus (CSS),
  // and on a phone after a long press (LONG_PRESS_MS) on the message.
  var LONG_PRESS_MS = 500;
  var press = null;
  var toolsShownAt = 0;
  function hideTools(except) {
    if (!list) return;
    list.querySelectorAll(".talk-msg--tools").forEach(function (item) {
      if (item === except) return;
      item.classList.remove("talk-msg--tools");
      item.querySelectorAll("details[open]").forEach(function (d) { d.open = false; });
    });
  }
  function showTools(item) {
    hideTools(item);
    item.classList.add("talk-msg--tools");
    toolsShownAt = Date.now();
  }
  if (list) {
    list.addEventListener("touchstart", function (event) {
      if (event.touches.length !== 1) { press = null; return; }
      var item = event.target.closest(".talk-msg");
      if (!item || item.classList.contains("talk-msg--pending") || !item.querySelector("[data-tools] a, [data-tools] button, [data-tools] summary")) return;
      if (event.target.closest("a, button, summary, input, [data-tools]")) return;
      var touch = event.touches[0];
      clearTimeout(press && press.timer);
      press = { x: touch.clientX, y: touch.clientY, fired: false };
      press.timer = setTimeout(function () { press.fired = true; showTools(item); }, LONG_PRESS_MS);
    }, { passive: true });
    list.addEventListener("touchmove", function (event) {
      if (!press) return;
      var touch = event.touches[0];
      if (Math.abs(touch.clientX - press.x) > 10 || Math.abs(touch.clientY - press.y) > 10) {
        clearTimeout(press.timer);
        press = null;
      }
    }, { passive: true });
    list.addEventListener("touchend", function (event) {
      if (!press) return;
      clearTimeout(press.timer);
      if (press.fired && event.cancelable) event.preventDefault(); // no click, no selection
      press = null;
    });
    list.addEventListener("touchcancel", function () { if (press) clearTimeout(press.timer); press = null; });
    // The long press is ours: no context menu over the toolbar it opened.
    list.addEventListener("contextmenu", function (event) {
      if (Date.now() - toolsShownAt < 1500 && event.target.closest(".talk-msg--tools")) event.preventDefault();
    });
    document.addEventListener("touchstart", function (event) {
      var item = event.target.closest && event.target.closest(".talk-msg--tools");
      if (!item) hideTools(null);
    }, { passive: true });
    list.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      var item = event.target.closest(".talk-msg");
      var open = item && item.querySelector("details[open]");
      if (open) { open.open = false; open.querySelector("summary").focus(); }
      hideTools(null);
    });
  }

  // --- @mentions --------------------------------------------------------------------------------
  // Typing @ and a few letters offers the room's members, found by name in kanji, kana or romaji
  // (the server's forms, profiles/names.py); the arrows move, Enter or Tab picks, Escape closes.
  // The list is the ARIA listbox of the composer's text (aria-activedescendant).
  var people = null; // [{id, name, mention, initials, hue, photo, keys}]
  var peopleLoading = false;
  var mentionList = compose && compose.querySelector("[data-mention-list]");
  var optionSample = compose && compose.querySelector("template[data-mention-option]");
  var mentionState = null; // {start, end, options: [person], active}
  var mentionDismissed = -1; // the @ whose list Escape closed
  var MENTION_BEFORE = /(^|[^\p{L}\p{N}_@])@([^\s@<>()[\]{}、。,.!?！？「」]{0,40})$/u;
  function foldName(text) {
    return String(text || "").normalize("NFKC").toLowerCase().replace(/\s+/g, "")
      .replace(/[\u30a1-\u30f6]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0x60); });
  }
  function loadPeople() {
    if (people || peopleLoading || !compose) return;
    var url = compose.getAttribute("data-mentions-url");
    if (!url) return;
    peopleLoading = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { members: [] }; })
      .then(function (data) {
        people = (data.members || []).map(function (p) {
          p.forms = String(p.keys || "").split(" ").concat([foldName(p.name)]).filter(Boolean);
          return p;
        });
        peopleLoading = false;
        if (textarea && document.activeElement === textarea) updateMentions();
      })
      .catch(function () { peopleLoading = false; });
  }
  function closeMentions() {
    mentionState = null;
    if (!mentionList) return;
    mentionList.hidden = true;
    mentionList.textContent = "";
    if (textarea) textarea.removeAttribute("aria-activedescendant");
  }
  function rank(person, query) {
    if (!query) return 1;
    var best = -1;
    person.forms.forEach(function (form) {
      if (form.indexOf(query) === 0) best = Math.max(best, 2);
      else if (form.indexOf(query) > 0) best = Math.max(best, 1);
    });
    return best;
  }
  function updateMentions() {
    if (!textarea || !mentionList || !optionSample) return;
    var caret = textarea.selectionStart;
    if (caret !== textarea.selectionEnd) { closeMentions(); return; }
    var found = MENTION_BEFORE.exec(textarea.value.slice(0, caret));
    if (!found) { mentionDismissed = -1; closeMentions(); return; }
    var start = caret - found[2].length - 1;
    if (start === mentionDismissed) { closeMentions(); return; }
    if (!people) { loadPeople(); return; }
    var query = foldName(found[2]);
    var options = people
      .map(function (p) { return { p: p, r: rank(p, query) }; })
      .filter(function (x) { return x.r >= 0; })
      .sort(function (a, b) { return b.r - a.r || a.p.name.localeCompare(b.p.name, "ja"); })
      .slice(0, 8)
      .map(function (x) { return x.p; });
    if (!options.length) { closeMentions(); return; }
    mentionState = { start: start, end: caret, options: options, active: 0 };
    mentionList.textContent = "";
    options.forEach(function (person, i) {
      var option = optionSample.content.firstElementChild.cloneNode(true);
      option.id = "talk-mention-" + i;
      option.setAttribute("data-index", i);
      option.querySelector(".talk-mention__name").textContent = person.name;
      paintAvatar(option.querySelector("[data-avatar]"), person);
      mentionList.appendChild(option);
    });
    mentionList.hidden = false;
    markActive();
  }
  function markActive() {
    var options = mentionList.querySelectorAll("[role=option]");
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === mentionState.active ? "true" : "false");
    });
    var active = options[mentionState.active];
    textarea.setAttribute("aria-activedescendant", active.id);
    active.scrollIntoView({ block: "nearest" });
  }
  function pickMention(index) {
    var person = mentionState && mentionState.options[index];
    if (!person) return;
    var value = textarea.value;
    var inserted = "@" + person.mention + " ";
    textarea.value = value.slice(0, mentionState.start) + inserted + value.slice(mentionState.end);
    var caret = mentionState.start + inserted.length;
    textarea.setSelectionRange(caret, caret);
    closeMentions();
    textarea.focus();
  }
  // Whether the key was the list's (the composer then does nothing else with it).
  function mentionKey(event) {
    if (!mentionState || event.isComposing || event.keyCode === 229) return false;
    var count = mentionState.options.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      mentionState.active = (mentionState.active + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
      markActive();
    } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey) {
      pickMention(mentionState.active);
    } else if (event.key === "Escape") {
      mentionDismissed = mentionState.start;
      closeMentions();
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }
  if (mentionList) {
    mentionList.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep the focus in the text
    mentionList.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) pickMention(Number(option.getAttribute("data-index")));
    });
  }

  // The composer's text grows with what is typed, up to a few lines (then it scrolls).
  function grow() {
    if (!textarea) return;
    textarea.style.height = "auto";
    textarea.style.height = Math.min(textarea.scrollHeight + 2, 144) + "px";
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
      var root = list && list.querySelector('[data-id="' + msg.thread + '"]');
      if (root) {
        var shown = root.querySelector("[data-reply-count]");
        if (!shown) {
          shown = sampleOf("[data-reply-count]");
          renumber(shown, msg.thread);
          shown.setAttribute("data-count", "0");
          root.querySelector(".talk-msg__main").appendChild(shown);
        }
        // The server's page has the number in the text, a live one in data-count.
        var count = (Number(shown.getAttribute("data-count") || (shown.textContent.match(/\d+/) || [0])[0]) || 0) + 1;
        shown.setAttribute("data-count", count);
        shown.textContent = fmt(strings.replies, { count: count });
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
    var old = item.querySelector(".talk-stamps:not([data-pick])");
    var fresh = stampsNode({ id: frame.id }, frame.reactions);
    var stick = atBottom(); // a new row of stamps at the bottom stays in sight
    if (!fresh) { if (old && sample) old.remove(); return; }
    if (old) old.replaceWith(fresh); else putStamps(item, fresh);
    if (stick) toBottom();
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
    var stick = atBottom();
    list.querySelectorAll(".talk-read").forEach(function (n) { n.remove(); });
    var mine = list.querySelectorAll(".talk-msg--mine[data-seq]");
    for (var i = mine.length - 1; i >= 0; i--) {
      if (Number(mine[i].getAttribute("data-seq")) <= frame.seq) {
        (mine[i].querySelector(".talk-msg__main") || mine[i]).appendChild(el("span", "talk-read", fmt(strings.read, { count: 1 })));
        break;
      }
    }
    if (stick) toBottom();
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
      if (list && pending) { list.appendChild(pending); regroup(); toBottom(); }
      textarea.value = "";
      closeMentions();
      grow();
      lastTyping = 0; // the next message is announced from its first key
      pump();
      if (!open) showStatus(strings.offline);
    });
    var file = compose.querySelector("input[type=file]");
    var fileName = compose.querySelector("[data-file-name]");
    if (file && fileName) {
      file.addEventListener("change", function () {
        fileName.textContent = file.files && file.files.length ? "📎 " + file.files[0].name : "";
      });
    }
    if (textarea) {
      textarea.rows = 1;
      grow();
      if (mentionList) {
        // The text and its list of members: a combobox's parts (a textarea takes no role).
        textarea.setAttribute("aria-autocomplete", "list");
        textarea.setAttribute("aria-controls", mentionList.id);
      }
      textarea.addEventListener("focus", loadPeople);
      textarea.addEventListener("blur", function () { setTimeout(closeMentions, 150); });
      textarea.addEventListener("click", updateMentions);
      textarea.addEventListener("input", function () {
        grow();
        updateMentions();
        var now = Date.now();
        if (now - lastTyping > 3000) { lastTyping = now; send({ type: "typing", room: roomId }); }
      });
      textarea.addEventListener("keydown", function (event) {
        if (mentionKey(event)) return;
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
  regroup();
  if (list && live && !location.hash && list.lastElementChild) toBottom();
  else if (list && location.hash) {
    var target = document.getElementById(location.hash.slice(1));
    if (target && list.contains(target)) target.scrollIntoView({ block: "center" });
  }
  watchOlder();
  connect();
})();
