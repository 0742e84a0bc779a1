// Progressive enhancement for the confcal page; everything works without it.
// It remembers the starred sessions in this browser (localStorage) so the
// attendee finds them again after opening the bare address, turns the
// "Copy link" buttons on where the clipboard can be written, and follows
// the conference's change stream while the page is open: a session that
// moves, changes time or is cancelled is updated on its card and marked,
// and the change is read out to screen readers.
(function () {
  "use strict";
  var body = document.body;
  // Each conference keeps its own pick, under the key the page names
  // (the conference's, wherever its page is served), else under one made
  // of the page's prefix, as before. A pick kept under the key an earlier
  // version used for this conference is moved to its key once.
  var prefix = body.dataset.prefix || "";
  var KEY = body.dataset.pickKey || "confcal.pick" + prefix;
  var BEFORE = body.dataset.pickKeyBefore;
  var ids = /^[a-z0-9-]+(,[a-z0-9-]+)*$/;

  // remember keeps the pick of the address, or brings the remembered one
  // back; it reports whether the page is being replaced for that.
  function remember() {
    try {
      if (!body.dataset.revision) {
        // The list of conferences at "/" is no conference's page and
        // shows no pick: bringing one back there would leave the list.
        return false;
      }
      if (body.dataset.pickSet === "1") {
        // The address names the pick: it is the truth, remember it.
        localStorage.setItem(KEY, body.dataset.pick || "");
        return false;
      }
      var saved = localStorage.getItem(KEY);
      if (saved === null && BEFORE && BEFORE !== KEY) {
        saved = localStorage.getItem(BEFORE);
        if (saved !== null) {
          localStorage.setItem(KEY, saved);
          localStorage.removeItem(BEFORE);
        }
      }
      var path = location.pathname;
      if (prefix) {
        path = path.indexOf(prefix + "/") === 0 ? path.slice(prefix.length) : "";
      }
      var page = path === "/" || path === "/help" || /^\/sessions\/[a-z0-9-]+$/.test(path);
      var q = new URLSearchParams(location.search);
      if (q.has("pick")) {
        // The address names a pick the page did not take (an error
        // page: an unknown day, session or pick): going there again
        // would only load the same error, over and over.
        return false;
      }
      if (saved && ids.test(saved) && page) {
        var rest = q.toString();
        location.replace(location.pathname + "?" + (rest ? rest + "&" : "") + "pick=" + saved + location.hash);
        return true;
      }
    } catch (e) {
      // Storage is off (private mode, blocked): the address alone keeps the pick.
    }
    return false;
  }

  function copyButtons() {
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
  }

  // The change log's fields that show on a card.
  var onCard = { start: 1, end: 1, room: 1, location: 1, status: 1, title: 1, track: 1 };

  // follow listens to the change stream from the revision the page shows
  // on. Each event is one revision's changes; the cards of the sessions it
  // touched are redrawn from the API's session and marked with the change
  // log's words. A hidden page lets go of its connection and picks up
  // where it left off when it is shown again.
  function follow() {
    var last = body.dataset.revision;
    if (!last || !window.EventSource || !window.fetch || !document.querySelector("article.card")) {
      return;
    }
    var live = region();
    var source = null;
    var pending = {}; // session ID → words not yet shown
    var asked = {}; // session ID → number of its latest fetch
    function open() {
      if (source) {
        return;
      }
      // EventSource sends the last id itself when it reconnects; ?since=
      // is for its first request.
      source = new EventSource(prefix + "/api/changes/stream?since=" + encodeURIComponent(last));
      source.onmessage = function (ev) {
        var list;
        try {
          list = JSON.parse(ev.data);
        } catch (e) {
          return;
        }
        if (ev.lastEventId) {
          last = ev.lastEventId;
        }
        var words = {}, rooms = {}, touched = {};
        (list.summaries || []).forEach(function (s) {
          if (s.session) {
            (words[s.session] = words[s.session] || []).push(s.text);
          } else if (s.room) {
            (rooms[s.room] = rooms[s.room] || []).push(s.text);
          }
        });
        (list.changes || []).forEach(function (c) {
          if (!c.session || !onCard[c.field]) {
            return;
          }
          touched[c.session] = true;
          if (c.field === "location" && rooms[c.room] && !words[c.session]) {
            words[c.session] = rooms[c.room]; // its room was renamed
          }
        });
        var told = {}; // the revision's texts read out already (a room's rename is many sessions')
        Object.keys(touched).forEach(function (id) { update(id, words[id] || [], told); });
      };
    }
    function close() {
      if (source) {
        source.close();
        source = null;
      }
    }
    function update(id, texts, told) {
      var card = document.getElementById("s-" + id);
      if (card && !card.classList.contains("card")) {
        card = null;
      }
      // Its lines in "My agenda" and "Changed in the last 24 hours" (IDs
      // are slugs: safe in a selector).
      var lines = document.querySelectorAll('li.line[data-session="' + id + '"]');
      if (!card && !lines.length) {
        return;
      }
      pending[id] = (pending[id] || []).concat(texts);
      var n = (asked[id] || 0) + 1;
      asked[id] = n;
      fetch(prefix + "/api/sessions/" + encodeURIComponent(id), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (s && asked[id] === n) { // an older answer must not undo a newer one
            if (card) {
              redraw(card, s, pending[id]);
            }
            Array.prototype.forEach.call(lines, function (line) {
              redrawLine(line, s, pending[id]);
            });
            announce(live, pending[id], told);
            pending[id] = [];
          }
        })
        .catch(function () {});
    }
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) {
        close();
      } else {
        open();
      }
    });
    if (!document.hidden) {
      open();
    }
  }

  // region adds the page's live region, where what changed is written
  // for screen readers to read out (the cards are marked for the eye).
  // Its messages come one after another, the latest last: a log.
  function region() {
    var r = element("div", "vh");
    r.setAttribute("role", "log");
    r.setAttribute("aria-live", "polite");
    return body.appendChild(r);
  }

  // announce writes the change log's texts of a session the page has just
  // redrawn (they name it, by its new title when it was renamed) into the
  // live region, but none told is set for: those the revision had read
  // out already. It keeps the last few.
  function announce(live, texts, told) {
    texts.forEach(function (t) {
      if (!told[t]) {
        told[t] = true;
        live.appendChild(element("p", "", t));
      }
    });
    while (live.children.length > 10) {
      live.removeChild(live.firstChild);
    }
  }

  function element(name, cls, text) {
    var e = document.createElement(name);
    if (cls) {
      e.className = cls;
    }
    if (text) {
      e.textContent = text;
    }
    return e;
  }

  // redraw shows session s (the API's document) on its card as the server
  // draws it: time, room, track and title, the cancelled state, and the
  // marks, to which texts are added.
  function redraw(card, s, texts) {
    var set = function (sel, text) {
      var e = card.querySelector(sel);
      if (e) {
        e.textContent = text;
      }
    };
    // The API's times are RFC 3339 in the conference's zone, as the page's.
    set(".meta .when", s.start.slice(11, 16) + "\u2013" + s.end.slice(11, 16));
    set(".meta .room", s.room_name);
    set(".meta .track", s.track_name);
    restyle(card, s, card.querySelector("h4 a"));
    mark(card, texts);
  }

  // restyle gives el (a card or a line) the colour of s's track; on its
  // title link s's title, struck through when s is cancelled; its
  // "Cancelled" status while s is; and s's title in the words its star
  // is read out by (as the page's "star" template writes them).
  function restyle(el, s, link) {
    Array.prototype.slice.call(el.classList).forEach(function (c) {
      if (c.indexOf("t-") === 0) {
        el.classList.remove(c);
      }
    });
    el.classList.add("t-" + s.track);
    var off = s.status === "cancelled";
    if (link) {
      link.textContent = "";
      link.appendChild(off ? element("del", "", s.title) : document.createTextNode(s.title));
    }
    el.classList.toggle("cancelled", off);
    var status = el.querySelector("p.status");
    if (off && !status) {
      el.insertBefore(element("p", "status", "Cancelled"), el.querySelector("ul.marks"));
    } else if (!off && status) {
      status.remove();
    }
    var star = el.querySelector("a.star .vh");
    if (star) {
      star.textContent = star.parentNode.classList.contains("on") ?
        "Remove \u201c" + s.title + "\u201d from my agenda" :
        "Add \u201c" + s.title + "\u201d to my agenda";
    }
  }

  // mark adds the change log's texts to the marks of el (a card or a
  // line), each once, and marks it changed.
  function mark(el, texts) {
    if (!texts.length) {
      return;
    }
    var marks = el.querySelector("ul.marks");
    if (!marks) {
      marks = el.appendChild(element("ul", "marks"));
    }
    var shown = Array.prototype.map.call(marks.children, function (li) { return li.textContent; });
    texts.forEach(function (t) {
      if (shown.indexOf(t) < 0) {
        marks.appendChild(element("li", "", t));
      }
    });
    el.classList.add("changed");
  }

  var weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  // redrawLine shows session s on one of its lines in a list: its day and
  // time, title, room, track and marks, as redraw does on its card. The
  // day the page wrote is the conference's (a session after midnight may
  // belong to the day before); it is kept while the session starts on the
  // same calendar day, else the new calendar day is written as the page
  // writes days ("Tue 8 Oct").
  function redrawLine(line, s, texts) {
    var date = s.start.slice(0, 10);
    var when = line.querySelector(".when");
    if (when) {
      var day = when.textContent.split(", ")[0];
      if (date !== line.dataset.date) {
        var d = new Date(date + "T12:00:00Z");
        day = weekdays[d.getUTCDay()] + " " + d.getUTCDate() + " " + months[d.getUTCMonth()];
        line.dataset.date = date;
      }
      when.textContent = day + ", " + s.start.slice(11, 16) + "\u2013" + s.end.slice(11, 16);
    }
    var room = line.querySelector(".room");
    if (room) {
      room.textContent = s.room_name;
    }
    restyle(line, s, line.querySelector(".when + a"));
    mark(line, texts);
  }

  if (remember()) {
    return;
  }
  copyButtons();
  follow();
})();
