// A thread page hears of new comments through the network's socket (tsunagu.js) and offers them.
(function () {
  "use strict";
  var notice = document.querySelector("[data-live-comments]");
  if (!notice) return;
  var thread = notice.getAttribute("data-live-comments");
  document.addEventListener("tsunagu:event", function (event) {
    var detail = event.detail || {};
    if (detail.type !== "boards.comment" || String(detail.thread) !== thread) return;
    var link = notice.querySelector("a");
    if (link) link.setAttribute("href", "?page=last#c" + Number(detail.number));
    notice.hidden = false;
  });
})();
