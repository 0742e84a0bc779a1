// Progressive enhancement for the confcal page; everything works without it.
// It remembers the starred sessions in this browser (localStorage) so the
// attendee finds them again after opening the bare address, and turns the
// "Copy link" buttons on where the clipboard can be written.
(function () {
  "use strict";
  var body = document.body;
  // Each conference keeps its own pick: the one at the server's root under
  // the plain key, one under /{slug} under a key naming it.
  var prefix = body.dataset.prefix || "";
  var KEY = "confcal.pick" + prefix;
  var ids = /^[a-z0-9-]+(,[a-z0-9-]+)*$/;
  try {
    if (body.dataset.pickSet === "1") {
      // The address names the pick: it is the truth, remember it.
      localStorage.setItem(KEY, body.dataset.pick || "");
    } else {
      var saved = localStorage.getItem(KEY);
      var path = location.pathname;
      if (prefix) {
        path = path.indexOf(prefix + "/") === 0 ? path.slice(prefix.length) : "";
      }
      var page = path === "/" || path === "/help" || /^\/sessions\/[a-z0-9-]+$/.test(path);
      if (saved && ids.test(saved) && page) {
        var q = new URLSearchParams(location.search);
        q.delete("pick");
        var rest = q.toString();
        location.replace(location.pathname + "?" + (rest ? rest + "&" : "") + "pick=" + saved + location.hash);
        return;
      }
    }
  } catch (e) {
    // Storage is off (private mode, blocked): the address alone keeps the pick.
  }
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      navigator.clipboard.writeText(b.dataset.copy).then(function () {
        var label = b.textContent;
        b.textContent = "Copied";
        setTimeout(function () { b.textContent = label; }, 2000);
      });
    });
  });
})();
