// A shared room, live: new messages from either side appear as they are written; when the link
// ends (or stops sharing rooms) the server closes the socket with 4403 and the page is reloaded,
// which then no longer shows the room.
(function () {
  "use strict";
  const page = document.querySelector("[data-shared-room-page]");
  if (!page) return;
  const list = page.querySelector("[data-shared-messages]");
  const template = page.querySelector("[data-shared-message-template]");
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", timeZone: zone,
  });
  let delay = 1000;

  function show(frame) {
    if (String(frame.room) !== page.dataset.sharedRoomPage) return;
    if (list.querySelector(`[data-shared-message="${frame.id}"]`)) return;
    const empty = list.querySelector("[data-no-messages]");
    if (empty) empty.remove();
    const item = template.content.firstElementChild.cloneNode(true);
    item.dataset.sharedMessage = frame.id;
    item.querySelector("[data-name]").textContent = frame.name;
    item.querySelector("[data-network]").textContent = frame.network ? `(${frame.network})` : "";
    const at = item.querySelector("[data-at]");
    at.setAttribute("datetime", frame.at);
    at.textContent = format.format(new Date(frame.at));
    const body = item.querySelector("[data-body]");
    body.textContent = "";
    frame.body.split("\n").forEach((line, i) => {
      if (i) body.appendChild(document.createElement("br"));
      body.appendChild(document.createTextNode(line));
    });
    list.appendChild(item);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + page.dataset.socket);
    socket.addEventListener("open", () => { delay = 1000; });
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "shared.message") show(frame);
    });
    socket.addEventListener("close", (event) => {
      if (event.code === 4403 || event.code === 4401) {
        location.assign(page.dataset.rooms);
        return;
      }
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  connect();
})();
