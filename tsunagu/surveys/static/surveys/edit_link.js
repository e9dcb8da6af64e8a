// The link to change one's anonymous answers carries its code after "#", which the browser keeps
// to itself: on the page it opens, the code is put into the form and sent; on the page that
// shows the link, the button copies it.
(function () {
  "use strict";
  var form = document.getElementById("edit-link-form");
  if (form && window.location.hash.length > 1) {
    var field = form.querySelector("input[name=token]");
    field.value = window.location.hash.slice(1);
    history.replaceState(null, "", window.location.pathname);
    form.submit();
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    var done = function () {
      button.textContent = button.getAttribute("data-copied") || button.textContent;
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
