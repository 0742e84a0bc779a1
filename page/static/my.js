// Progressive enhancement for the confcal page; everything works without it.
// It remembers the starred sessions in this browser (localStorage) so the
// attendee finds them again after opening the bare address, turns the
// "Copy link" buttons on where the clipboard can be written, scrolls a row
// of filter chips to the one chosen, and follows the conference's change
// stream while the page is open: the parts of the page a change touches
// are drawn again as the server draws them now (a session moved to another
// time or day goes where a reload would put it), the session is marked,
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

  // copyButtons turns on the "Copy link" buttons in root (the page, or a
  // part of it drawn again).
  function copyButtons(root) {
    if (!navigator.clipboard) {
      return;
    }
    root.querySelectorAll("button[data-copy]").forEach(function (b) {
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

  // The parts of a page the change stream keeps up to date, as the server
  // draws them for the page's address (its filters and pick): elements
  // swapped where they stand (each the one its selector finds: the
  // heading, which names a filtered room, the filters' chips, the lines of
  // My agenda, the subscribe blocks and all calendars, with their counts
  // of sessions), and on the agenda the run of elements (run) just before
  // the calendars (#calendars), which come and go: "Changed in the last 24
  // hours", the day sections or the notice that none match.
  var agendaParts = { swap: ["main > h1", "nav.filters", "#my ol.lines", "#subscribe", "#calendars"], run: "#changes, section.day, p.none" };
  var sessionParts = { swap: ["article.session"] };

  // follow listens to the change stream from the revision the page shows
  // on. Each event is one revision's changes: the page is asked for again
  // at its address and the parts that changed are swapped for the server's,
  // so a session that moved to another time or day stands where a reload
  // would put it. The sessions the changes touched are marked with the
  // change log's words, which are read out. A hidden page lets go of its
  // connection and picks up where it left off when it is shown again.
  function follow() {
    var last = body.dataset.revision;
    var main = document.querySelector("main");
    if (!last || !main || !window.EventSource || !window.fetch || !window.DOMParser) {
      return;
    }
    var parts = main.querySelector(":scope > section.day, :scope > p.none") ? agendaParts :
      main.querySelector(":scope > article.session") ? sessionParts : null;
    if (!parts) {
      return;
    }
    var shown = Number(last); // the revision the page shows
    var served = {}; // part key → its HTML as the server last drew it
    each(document, parts, function (k, el) { served[k] = el.outerHTML; });
    var live = region();
    var source = null;
    var pending = []; // {rev, id, texts, on}: change log words not yet shown
    var busy = false, again = false, tries = 0;
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
        var rev = Number(ev.lastEventId) || Number(list.revision) || 0;
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
        Object.keys(touched).forEach(function (id) {
          // Shown now or once the page is redrawn, its words are told.
          pending.push({ rev: rev, id: id, texts: words[id] || [], on: places(id).length > 0 });
        });
        tries = 0;
        refresh();
      };
    }
    function close() {
      if (source) {
        source.close();
        source = null;
      }
    }
    // refresh asks for the page again, once at a time; a change that comes
    // while it is asked for asks again after. Each page waits a random
    // while first, so that all the pages open at a change do not make the
    // server draw them at the same moment (their cost: docs/performance.md).
    function refresh() {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      setTimeout(function () {
        fetch(location.pathname + location.search, { headers: { Accept: "text/html" } })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) {
            if (html) {
              apply(new DOMParser().parseFromString(html, "text/html"));
            }
          })
          .catch(function () {})
          .then(function () {
            busy = false;
            if (again) {
              again = false;
              refresh();
            } else if (pending.length && tries < 5) {
              // A server behind the stream (one of several sharing the
              // store) has not drawn the change yet.
              tries++;
              setTimeout(refresh, 1000);
            }
          });
      }, Math.random() * 3000);
    }
    // apply swaps the parts of the page that doc, the page as the server
    // draws it now, draws otherwise, and tells the changes it shows.
    function apply(doc) {
      var rev = Number(doc.body.dataset.revision);
      if (rev > shown) {
        shown = rev;
        var words = liveMarks();
        var focus = place(document.activeElement);
        restyle(doc);
        swap(doc);
        if (doc.title && doc.title !== document.title) {
          document.title = doc.title; // a session's page is named by its title
        }
        Object.keys(words).forEach(function (id) {
          places(id).forEach(function (el) { mark(el, words[id]); });
        });
        refocus(focus);
      }
      var told = {}; // the texts read out already (a room's rename is many sessions')
      pending = pending.filter(function (p) {
        if (p.rev > shown) {
          return true;
        }
        var els = places(p.id);
        if (p.on || els.length) {
          els.forEach(function (el) { mark(el, p.texts); });
          announce(live, p.texts, told);
        }
        return false;
      });
    }
    function swap(doc) {
      // Found first: the run is found by #calendars, itself a part.
      var runs = parts.run ? run(doc, parts.run) : [];
      (parts.swap || []).forEach(function (sel) {
        var now = document.querySelector(sel), next = doc.querySelector(sel);
        if (now && next && served[sel] !== next.outerHTML) {
          served[sel] = next.outerHTML;
          reopen(now, next);
          now.replaceWith(document.adoptNode(next));
          copyButtons(next);
          showChosen(next);
        }
      });
      var anchor = document.getElementById("calendars");
      if (!parts.run || !anchor) {
        return;
      }
      var old = {};
      run(document, parts.run).forEach(function (el) { old[runKey(el)] = el; });
      var want = runs.map(function (el) {
        var k = runKey(el), html = el.outerHTML;
        if (old[k] && served[k] === html) {
          var same = old[k];
          delete old[k];
          return same;
        }
        served[k] = html;
        return document.adoptNode(el);
      });
      Object.keys(old).forEach(function (k) {
        old[k].remove();
        if (!want.some(function (el) { return runKey(el) === k; })) {
          delete served[k];
        }
      });
      // In place from the last: what stands where it should is not moved.
      for (var i = want.length - 1, at = anchor; i >= 0; at = want[i--]) {
        if (want[i].parentNode !== anchor.parentNode || want[i].nextElementSibling !== at) {
          anchor.parentNode.insertBefore(want[i], at);
        }
      }
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

  // restyle links the agenda's stylesheet (track colours, room columns)
  // that doc links, when it is another than the page's: made at the
  // revision doc shows, it colours a track added since. The new sheet is
  // loaded before the old one goes, so no card loses its colour meanwhile;
  // one that fails to load goes, and the old one stays.
  function restyle(doc) {
    var sel = 'link[rel="stylesheet"][href*="/static/agenda.css"]';
    var next = doc.querySelector(sel), links = document.querySelectorAll(sel);
    var now = links[links.length - 1];
    if (!next || !now || next.getAttribute("href") === now.getAttribute("href")) {
      return;
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.onload = function () {
      // The sheets before it are older, one still loading too.
      document.querySelectorAll(sel).forEach(function (l) {
        if (l.compareDocumentPosition(link) & Node.DOCUMENT_POSITION_FOLLOWING) {
          l.remove();
        }
      });
    };
    link.onerror = function () { link.remove(); };
    link.href = next.getAttribute("href");
    now.after(link);
  }

  // reopen opens the <details> of next, the part about to replace now,
  // that are open in now: a feed's link and QR code the attendee opened
  // stay open when the counts around them change.
  function reopen(now, next) {
    var open = {};
    now.querySelectorAll("details[open]").forEach(function (d) { open[detailsKey(d)] = true; });
    next.querySelectorAll("details").forEach(function (d) {
      if (open[detailsKey(d)]) {
        d.open = true;
      }
    });
  }

  // detailsKey names a <details> by its ID, else by the nearest element
  // with one around it (the parts swapped have one) and which of its
  // <details> it is.
  function detailsKey(d) {
    if (d.id) {
      return d.id;
    }
    var box = d.parentElement.closest("[id]");
    return box ? box.id + " " + Array.prototype.indexOf.call(box.querySelectorAll("details"), d) : "";
  }

  // each calls f with the key and element of each part of doc.
  function each(doc, parts, f) {
    (parts.swap || []).forEach(function (sel) {
      var el = doc.querySelector(sel);
      if (el) {
        f(sel, el);
      }
    });
    if (parts.run) {
      run(doc, parts.run).forEach(function (el) { f(runKey(el), el); });
    }
  }

  // run returns the elements matching sel that stand just before doc's
  // #calendars, in order.
  function run(doc, sel) {
    var out = [];
    var el = doc.getElementById("calendars");
    for (el = el && el.previousElementSibling; el && el.matches(sel); el = el.previousElementSibling) {
      out.unshift(el);
    }
    return out;
  }

  function runKey(el) { return "run:" + (el.id || el.className); }

  // places returns the elements that show session id: its card and its
  // lines in "My agenda" and "Changed in the last 24 hours", or its page's
  // article (IDs are slugs: safe in a selector).
  function places(id) {
    return Array.prototype.slice.call(document.querySelectorAll('article.card#s-' + id + ', main [data-session="' + id + '"]'));
  }

  // liveMarks returns the marks the script added, by session.
  function liveMarks() {
    var out = {};
    document.querySelectorAll("ul.marks li[data-live]").forEach(function (li) {
      var el = li.closest("article.card, [data-session]");
      var id = el && (el.dataset.session || el.id.replace(/^s-/, ""));
      if (id) {
        (out[id] = out[id] || []).push(li.textContent);
      }
    });
    return out;
  }

  // place says where el, the focused element, is: the nearest element
  // with an ID (or a session's) around it and which of its links and
  // buttons it is, so focus can be given back to the same in the part that
  // replaced it (IDs are slugs and dates: safe in a selector).
  function place(el) {
    var box = el && el !== body && el.closest && el.closest("main [id], main [data-session]");
    if (!box) {
      return null;
    }
    return {
      sel: box.id ? "#" + box.id : '[data-session="' + box.dataset.session + '"]',
      n: Array.prototype.indexOf.call(box.querySelectorAll("a, button, summary"), el)
    };
  }

  function refocus(p) {
    if (!p || (document.activeElement && document.activeElement !== body)) {
      return;
    }
    var box = document.querySelector("main " + p.sel);
    var el = box && (p.n >= 0 ? box.querySelectorAll("a, button, summary")[p.n] : box);
    if (el) {
      el.focus({ preventScroll: true });
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

  // mark adds the change log's texts to the marks of el (a card, a line
  // or a session's article), each once, and marks a card or a line
  // changed. Its marks say they are the script's (data-live), so they stay
  // when el is drawn again.
  function mark(el, texts) {
    if (!texts.length) {
      return;
    }
    var marks = el.querySelector("ul.marks");
    if (!marks) {
      // Where the server writes them: last, or on a session's page
      // before its facts.
      marks = el.insertBefore(element("ul", "marks"), el.querySelector(":scope > dl.facts"));
    }
    var shown = Array.prototype.map.call(marks.children, function (li) { return li.textContent; });
    texts.forEach(function (t) {
      if (shown.indexOf(t) < 0) {
        marks.appendChild(element("li", "", t)).dataset.live = "";
      }
    });
    if (!el.matches(".session")) {
      el.classList.add("changed");
    }
  }

  // showChosen scrolls each row of filter chips in root sideways to the
  // chip chosen: on a phone a row is wider than the screen, and a track
  // far along it would be out of sight. Only the row scrolls, not the
  // page (scrollIntoView would move it away from a card the address
  // names, where a star lands).
  function showChosen(root) {
    root.querySelectorAll(".fgroup .chip.on").forEach(function (c) {
      var row = c.parentElement;
      row.scrollLeft += c.getBoundingClientRect().left - row.getBoundingClientRect().left - (row.clientWidth - c.offsetWidth) / 2;
    });
  }

  if (remember()) {
    return;
  }
  // follow first: it keeps the parts as the server drew them, before
  // copyButtons shows their buttons.
  follow();
  copyButtons(document);
  showChosen(document);
})();
