// The notification settings page: a group's switch sets every row of its channel, and a row
// changed by hand shows in its switch (mixed rows: "indeterminate"). The server applies a switch
// whose state differs from the one the page showed (notify/forms.py: what the switch does
// without this script), so the switch is kept as shown while its rows are mixed, and follows
// them when they all agree: either way the server reads the rows' choice.
(function () {
  "use strict";
  var form = document.querySelector("[data-notify-preferences]");
  if (!form) return;

  function rowsOf(name) {
    return form.querySelectorAll('input[type=checkbox][data-row-of="' + name + '"]');
  }

  function follow(toggle) {
    var name = toggle.getAttribute("data-switch");
    var rows = rowsOf(name);
    var shown = form.querySelector('input[type=hidden][name="' + name + '.was"]');
    var on = 0;
    rows.forEach(function (row) { if (row.checked) on += 1; });
    toggle.indeterminate = on > 0 && on < rows.length;
    if (on === rows.length) toggle.checked = true;
    else if (on === 0) toggle.checked = false;
    else toggle.checked = Boolean(shown && shown.value === "on");
  }

  form.querySelectorAll("input[data-switch]").forEach(follow);

  form.addEventListener("change", function (event) {
    var target = event.target;
    var name = target.getAttribute("data-switch");
    if (name) {
      rowsOf(name).forEach(function (row) { row.checked = target.checked; });
      target.indeterminate = false;
      return;
    }
    name = target.getAttribute("data-row-of");
    if (name) {
      var toggle = form.querySelector('input[data-switch="' + name + '"]');
      if (toggle) follow(toggle);
    }
  });
})();
