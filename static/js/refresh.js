// Refreshes the dashboard's rows in place (no full reload). Without JavaScript the page
// still works: reload it by hand.
(function () {
  "use strict";
  var table = document.querySelector("[data-refresh-url]");
  if (!table) { return; }
  var url = table.getAttribute("data-refresh-url");
  var seconds = parseInt(table.getAttribute("data-refresh-seconds"), 10) || 60;
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var holder = document.createElement("table");
        holder.innerHTML = html;
        var fresh = holder.querySelector("tbody");
        var current = document.getElementById("dashboard-rows");
        if (fresh && current) { current.replaceWith(fresh); }
        var stamp = document.getElementById("refreshed");
        if (stamp) { stamp.textContent = "(" + new Date().toLocaleTimeString() + ")"; }
      })
      .catch(function () { /* keep the current rows; try again later */ });
  }
  window.setInterval(refresh, seconds * 1000);
}());
