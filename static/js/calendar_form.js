// The calendar form: rows of hours, closures and worked holidays added and removed in place
// (a copy of the row's <template>), and the preview refreshed from what is typed. Without
// JavaScript the same buttons post the form, which comes back with the row added or removed.
(function () {
  "use strict";
  var form = document.getElementById("calendar-form");
  var preview = document.getElementById("calendar-preview");
  if (!form || !preview) { return; }
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var asked = 0;

  function refresh() {
    var ticket = ++asked;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    })
      .then(function (response) {
        // A calendar that cannot be read comes back too: the fragment says why.
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        if (ticket === asked) { preview.innerHTML = html; }  // else a later answer is coming
      })
      .catch(function () { /* keep the last preview; the Preview button posts the form */ });
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 350);
  }

  function addRow(button) {
    var kind = button.getAttribute("data-add");
    var template = form.querySelector('template[data-template="' + kind + '"]');
    var rows = form.querySelector('[data-rows="' + kind + '"]');
    if (!template || !rows) { return false; }
    var row = template.content.firstElementChild.cloneNode(true);
    rows.appendChild(row);
    var opens = button.getAttribute("data-opens");  // a range added to a closed day opens it
    if (opens) {
      var hours = form.querySelector('input[name="' + opens + '"][value="hours"]');
      if (hours) { hours.checked = true; }
    }
    var first = row.querySelector("input");
    if (first) { first.focus(); }
    return true;
  }

  function removeRow(button) {
    var row = button.closest("li");
    var rows = row && row.parentElement;
    if (!rows) { return false; }
    row.remove();
    var add = form.querySelector('[data-add="' + rows.getAttribute("data-rows") + '"]');
    if (add) { add.focus(); }
    return true;
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=action]");
    if (!button) { return; }
    var done = false;
    if (button.hasAttribute("data-add")) {
      done = addRow(button);
    } else if (button.hasAttribute("data-remove")) {
      done = removeRow(button);
    } else if (button.hasAttribute("data-preview")) {
      window.clearTimeout(timer);
      refresh();
      done = true;
    }
    if (done) {
      event.preventDefault();
      if (!button.hasAttribute("data-preview")) { soon(); }
    }
  });
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
}());
