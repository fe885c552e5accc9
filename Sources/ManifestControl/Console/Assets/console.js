// The source page's live status: what is published now, polled without a page reload.
// Everything else in the console works with JavaScript off.
(function () {
  "use strict";
  var section = document.getElementById("published");
  if (!section || !window.fetch) return;
  var url = section.getAttribute("data-status");
  function text(id, value) {
    var node = document.getElementById(id);
    if (node && value !== undefined && value !== null) node.textContent = String(value);
  }
  function list(id, items) {
    var node = document.getElementById(id);
    if (!node || !items) return;
    node.replaceChildren.apply(node, items.map(function (item) {
      var li = document.createElement("li");
      li.textContent = item;
      return li;
    }));
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) return;
        text("published-version", status.version);
        text("published-at", status.publishedAt);
        list("page-load", status.pageLoad);
        if (status.edges) list("edges", status.edges.map(function (edge) {
          return edge.name + ": " + (edge.serving ? "serves version " + status.version : "not yet");
        }));
        text("edges-serving", status.edges ? status.edges.filter(function (e) { return e.serving; }).length : "");
      })
      .catch(function () {})
      .then(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 2000);
})();
