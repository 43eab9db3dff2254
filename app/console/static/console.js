// The console works without this script. With it, a running batch's progress bar and
// figures refresh in place (from the batch's JSON) instead of reloading the whole page.
"use strict";
(function () {
  var box = document.querySelector("[data-progress-url]");
  if (!box) return;
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("progress");

  function show(data) {
    if (bar && typeof data.total === "number") {
      bar.max = Math.max(1, data.total);
      bar.value = data.done;
    }
    Object.keys(data.figures || {}).forEach(function (name) {
      var cell = box.querySelector("[data-figure='" + name + "']");
      if (cell) cell.textContent = data.figures[name];
    });
    var state = box.querySelector("[data-state]");
    if (state && data.state_label) {
      state.textContent = data.state_label;
      state.className = "state state-" + data.state;
    }
    return data.finished;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && show(data)) {
          window.location.reload();  // the finished page has the results' links
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
