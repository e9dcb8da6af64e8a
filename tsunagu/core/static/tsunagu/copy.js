// Copy buttons (data-copy="<id of the field>", data-copied="<label once copied>"): put a link
// on the clipboard, for pasting into LINE or a message. Used by the invitation links and the
// link to one's anonymous survey answers.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    var done = function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied") || label;
      setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        field.select(); document.execCommand("copy"); done();
      });
    } else {
      field.select();
      document.execCommand("copy");
      done();
    }
  });
})();
