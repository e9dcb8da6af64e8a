// The link to change one's anonymous answers carries its code after "#", which the browser keeps
// to itself: on the page it opens, the code is put into the form and sent. (The button that
// copies the link is core's copy.js.)
(function () {
  "use strict";
  var form = document.getElementById("edit-link-form");
  if (form && window.location.hash.length > 1) {
    var field = form.querySelector("input[name=token]");
    field.value = window.location.hash.slice(1);
    history.replaceState(null, "", window.location.pathname);
    form.submit();
  }
})();
