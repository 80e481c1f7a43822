// The contract form (templates/contracts/form.html): rows added, removed and moved in place,
// every field renamed after its row's new position, the choices of "measured from", of the
// calendars and of the targets a penalty clause covers kept in step with what is typed, and the
// deadlines preview refreshed as one types.
// Without JavaScript the same buttons post the form and the page comes back with the same
// result; nothing here is needed to save.
(function () {
  "use strict";
  var form = document.getElementById("contract-form");
  if (!form) { return; }
  var previewBox = document.getElementById("contract-preview");
  var previewUrl = form.getAttribute("data-preview-url");
  var timer = null;

  function isRow(node) { return node.nodeType === 1 && node.hasAttribute("data-row"); }

  function indexIn(row) {
    var index = 0;
    for (var node = row.parentElement.firstElementChild; node; node = node.nextElementSibling) {
      if (node === row) { return index; }
      if (isRow(node)) { index += 1; }
    }
    return index;
  }

  function indexesOf(element) {
    var indexes = [];
    var row = element.closest("[data-row]");
    while (row) {
      indexes.unshift(indexIn(row));
      row = row.parentElement ? row.parentElement.closest("[data-row]") : null;
    }
    return indexes;
  }

  function fill(pattern, indexes) {
    var next = 0;
    return pattern.replace(/#/g, function () { return String(indexes[next++]); });
  }

  function idOf(name) { return "f-" + name.replace(/\./g, "-"); }

  // Each field's name and id from its row's position; its label, hint and error follow.
  function renumber() {
    var moves = [];
    form.querySelectorAll("[data-pattern]").forEach(function (element) {
      var name = fill(element.getAttribute("data-pattern"), indexesOf(element));
      var suffix = element.getAttribute("data-id-suffix");
      var oldBase = element.id && suffix ? element.id.slice(0, -(suffix.length + 1)) : element.id;
      var move = { element: element, name: name, oldId: element.id, oldBase: oldBase, newBase: idOf(name) };
      move.newId = suffix ? move.newBase + "-" + suffix : move.newBase;
      if (element.id) {
        move.labels = Array.prototype.slice.call(form.querySelectorAll("label[for=\"" + element.id + "\"]"));
        move.notes = ["hint", "error"].map(function (kind) { return document.getElementById(oldBase + "-" + kind); });
      }
      moves.push(move);
    });
    moves.forEach(function (move) {
      move.element.setAttribute("name", move.name);
      if (!move.oldId) { return; }
      move.element.id = move.newId;
      move.labels.forEach(function (label) { label.htmlFor = move.newId; });
      ["hint", "error"].forEach(function (kind, at) {
        if (move.notes[at]) { move.notes[at].id = move.newBase + "-" + kind; }
      });
      var described = move.element.getAttribute("aria-describedby");
      if (described) {
        move.element.setAttribute("aria-describedby", described.split(/\s+/).map(function (token) {
          return token.indexOf(move.oldBase + "-") === 0 ? move.newBase + token.slice(move.oldBase.length) : token;
        }).join(" "));
      }
    });
    form.querySelectorAll("[data-value-pattern]").forEach(function (button) {
      button.value = fill(button.getAttribute("data-value-pattern"), indexesOf(button));
    });
    form.querySelectorAll("[data-number]").forEach(function (number) {
      number.textContent = String(indexIn(number.closest("[data-row]")) + 1);
    });
  }

  function setOptions(select, pairs, keepFirst) {
    var value = select.value;
    while (select.options.length > keepFirst) { select.remove(keepFirst); }
    var known = {};
    pairs.forEach(function (pair) {
      known[pair[0]] = true;
      select.add(new Option(pair[1], pair[0]));
    });
    if (value && !known[value] && (keepFirst === 0 || select.options[0].value !== value)) {
      select.add(new Option(value, value));
    }
    select.value = value;
  }

  // "Measured from": heure H or another target of the same level, by the keys typed.
  function refreshOrigins() {
    form.querySelectorAll("[data-row=severity]").forEach(function (level) {
      var targets = Array.prototype.filter.call(
        level.querySelectorAll("[data-row=target]"), function (row) { return row.closest("[data-row=severity]") === level; });
      var keys = targets.map(function (row) {
        var input = row.querySelector("input[data-target-key]");
        return input ? input.value.trim() : "";
      });
      targets.forEach(function (row, at) {
        var select = row.querySelector("select[data-origin-select]");
        if (!select) { return; }
        var pairs = keys.filter(function (key, other) { return key && other !== at; })
          .map(function (key) { return [key, key]; });
        setOptions(select, pairs, 1);
      });
    });
  }

  // The calendars a target, the availability or the contract may count in: those ticked.
  function refreshCalendars() {
    var pairs = Array.prototype.map.call(
      form.querySelectorAll("input[name=calendars]:checked"), function (box) {
        return [box.value, box.getAttribute("data-calendar-name") + " (" + box.value + ")"];
      });
    form.querySelectorAll("select[data-calendar-select]").forEach(function (select) {
      setOptions(select, pairs, select.getAttribute("data-calendar-select") === "default" ? 1 : 0);
    });
  }

  // The targets a penalty clause may cover: each target key typed in the levels, once, with the
  // label of its first target; a box ticked for a key no longer typed stays, for the check to
  // name it.
  function refreshClauseTargets() {
    var known = [];
    var labels = {};
    form.querySelectorAll("[data-row=target]").forEach(function (row) {
      var keyInput = row.querySelector("input[data-target-key]");
      var key = keyInput ? keyInput.value.trim() : "";
      if (!key || Object.prototype.hasOwnProperty.call(labels, key)) { return; }
      var labelInput = row.querySelector("input[data-target-label]");
      known.push(key);
      labels[key] = labelInput ? labelInput.value.trim() : "";
    });
    form.querySelectorAll("[data-target-choices]").forEach(function (group) {
      var list = group.querySelector("[data-choices]");
      var pattern = group.getAttribute("data-target-choices");
      var name = fill(pattern, indexesOf(group));
      var ticked = Array.prototype.filter.call(list.querySelectorAll("input[type=checkbox]"),
        function (box) { return box.checked; }).map(function (box) { return box.value; });
      var keys = known.concat(ticked.filter(function (key) { return known.indexOf(key) < 0; }));
      var described = [idOf(name) + "-hint", idOf(name) + "-error"].filter(function (id) {
        return document.getElementById(id);
      }).join(" ");
      list.textContent = "";
      keys.forEach(function (key, at) {
        var id = idOf(name) + "-" + at;
        var item = document.createElement("span");
        item.className = "cf-check";
        var box = document.createElement("input");
        box.type = "checkbox";
        box.id = id;
        box.name = name;
        box.value = key;
        box.checked = ticked.indexOf(key) >= 0;
        box.setAttribute("data-pattern", pattern);
        box.setAttribute("data-id-suffix", String(at));
        if (described) { box.setAttribute("aria-describedby", described); }
        var label = document.createElement("label");
        label.htmlFor = id;
        label.textContent = (labels[key] || key) + " ";
        var small = document.createElement("small");
        small.textContent = "(" + key + ")";
        label.appendChild(small);
        item.appendChild(box);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(label);
        list.appendChild(item);
      });
      var none = group.querySelector("[data-no-choice]");
      if (none) { none.hidden = keys.length > 0; }
    });
  }

  function refreshPreview() {
    if (!previewBox || !previewUrl) { return; }
    var data = new FormData(form);
    data.delete("action");
    fetch(previewUrl, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) { previewBox.innerHTML = html; })
      .catch(function () { /* keep the last preview; the next change tries again */ });
  }

  function schedulePreview() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refreshPreview, 400);
  }

  function changed() {
    renumber();
    refreshOrigins();
    refreshCalendars();
    refreshClauseTargets();
    schedulePreview();
  }

  function sibling(row, step) {
    var node = step < 0 ? row.previousElementSibling : row.nextElementSibling;
    while (node && !isRow(node)) { node = step < 0 ? node.previousElementSibling : node.nextElementSibling; }
    return node;
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-js]");
    if (!button || !form.contains(button)) { return; }
    event.preventDefault();
    var verb = button.getAttribute("data-js");
    if (verb === "add") {
      var collection = button.closest("[data-collection]");
      var template = document.getElementById("tpl-" + collection.getAttribute("data-collection"));
      var fresh = template.content.firstElementChild.cloneNode(true);
      collection.querySelector(":scope > [data-rows]").appendChild(fresh);
      changed();
      var first = fresh.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
      return;
    }
    var row = button.closest("[data-row]");
    if (verb === "remove") {
      var owner = row.closest("[data-collection]");
      row.remove();
      changed();
      owner.querySelector(":scope > button[data-js=add]").focus();
      return;
    }
    var other = sibling(row, verb === "up" ? -1 : 1);
    if (!other) { return; }
    if (verb === "up") { other.before(row); } else { other.after(row); }
    changed();
    button.focus();
  });

  form.addEventListener("submit", function (event) {
    // Enter in a field, or the preview button: refresh the preview in place.
    if (event.submitter && event.submitter.value === "preview") {
      event.preventDefault();
      refreshPreview();
    }
  });

  form.addEventListener("input", function (event) {
    if (event.target.matches("input[data-target-key]")) { refreshOrigins(); }
    if (event.target.matches("input[data-target-key], input[data-target-label]")) {
      refreshClauseTargets();
    }
    schedulePreview();
  });

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("select[data-vendor-select]")) {
      var show = form.querySelector("[data-vendor-button]");
      if (show) { form.requestSubmit(show); }
      return;
    }
    if (target.matches("input[name=calendars]")) { refreshCalendars(); }
    if (target.matches("input[data-effective-date]")) {
      var echo = document.querySelector("[data-effective-echo]");
      var day = target.value ? new Date(target.value + "T12:00:00") : null;
      if (echo && day && !isNaN(day.getTime())) {
        echo.textContent = day.toLocaleDateString(document.documentElement.lang || undefined,
          { day: "numeric", month: "short", year: "numeric" });
      }
    }
    schedulePreview();
  });
}());
