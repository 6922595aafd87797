// Tenantry hub: progressive enhancement only. Every page works without it.
// - customer statuses that are still changing are polled and updated in
//   place (and a customer's panel is refreshed when its status settles);
// - a copy button copies a provisioning ID.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("click", function (e) {
    var b = e.target && e.target.closest ? e.target.closest("[data-copy]") : null;
    if (!b) return;
    var input = document.getElementById(b.getAttribute("data-copy"));
    if (!input) return;
    input.select();
    var done = function () {
      var msg = b.getAttribute("data-copied");
      var out = document.getElementById(b.getAttribute("data-copy") + "-copied");
      if (out && msg) out.textContent = msg;
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });

  function busyIDs() {
    var ids = [];
    document.querySelectorAll("[data-customer][data-busy]").forEach(function (el) {
      var id = el.getAttribute("data-customer");
      if (ids.indexOf(id) < 0) ids.push(id);
    });
    return ids;
  }

  function refreshPanel() {
    var panel = document.querySelector(".panel");
    if (!panel) return;
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector(".panel");
        if (fresh) panel.replaceWith(document.importNode(fresh, true));
      });
  }

  function poll() {
    var ids = busyIDs();
    if (ids.length === 0) return;
    var q = ids.map(function (id) { return "id=" + encodeURIComponent(id); }).join("&");
    fetch("/customers/status?" + q, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (all) {
        var settled = false;
        Object.keys(all).forEach(function (id) {
          var st = all[id];
          document.querySelectorAll('[data-customer="' + CSS.escape(id) + '"]').forEach(function (el) {
            el.textContent = st.label;
            el.className = "status status-" + st.status;
            if (!st.busy) {
              el.removeAttribute("data-busy");
              if (el.hasAttribute("data-detail")) settled = true;
            }
          });
        });
        if (settled) refreshPanel();
      })
      .catch(function () {})
      .then(function () { setTimeout(poll, 1500); });
  }
  document.addEventListener("DOMContentLoaded", function () { setTimeout(poll, 1000); });
})();

// An import's page: while the import runs, its progress is polled and
// shown in place; once it is finished the page is loaded again to show the
// row errors. (Without script the page refreshes itself.)
(function () {
  "use strict";
  function poll(box) {
    fetch(box.getAttribute("data-import"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (st) {
        if (!st) return;
        var bar = box.querySelector("progress");
        if (bar) { bar.max = st.total; bar.value = st.done; }
        var text = box.querySelector("[data-import-text]");
        if (text) text.textContent = st.text;
        var label = box.querySelector("[data-import-label]");
        if (label) { label.textContent = st.label; label.className = "status import-" + st.status; }
        if (st.finished) { window.location.reload(); }
      })
      .catch(function () {})
      .then(function () { if (box.hasAttribute("data-running")) setTimeout(function () { poll(box); }, 1000); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector(".import-progress[data-running]");
    if (box) setTimeout(function () { poll(box); }, 500);
  });
})();
