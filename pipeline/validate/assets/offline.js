/*
 * Offline stand-in for the few jQuery, Bootstrap 4 and bootstrap-table calls that Great
 * Expectations 1.x Data Docs make, so the pages work from disk with no network.
 * Written for infobox-etl (pipeline/validate/datadocs.py links it in place of the CDN scripts).
 * Covered: $(selector|element|document|fn), .ready .on .data .parent .each .fadeIn .fadeOut
 * .addClass .removeClass .prepend .modal .bootstrapTable({columns, data, ...}); Bootstrap's
 * data-toggle="tab" | "collapse" | "buttons"; vegaEmbed (charts are not bundled: a note instead).
 */
(function () {
  "use strict";
  if (window.jQuery) { return; }

  var readyQueue = [];
  document.addEventListener("DOMContentLoaded", function () {
    var q = readyQueue; readyQueue = null;
    q.forEach(function (fn) { fn(); });
  });
  function onReady(fn) {
    if (readyQueue) { readyQueue.push(fn); } else { fn(); }
  }

  function Wrapped(nodes) {
    this.nodes = nodes;
    this.length = nodes.length;
    for (var i = 0; i < nodes.length; i++) { this[i] = nodes[i]; }
  }

  function $(sel) {
    if (typeof sel === "function") { onReady(sel); return new Wrapped([]); }
    if (sel instanceof Wrapped) { return sel; }
    if (sel === document || sel === window || (sel && sel.nodeType === 1)) { return new Wrapped([sel]); }
    if (typeof sel === "string") {
      try { return new Wrapped(Array.prototype.slice.call(document.querySelectorAll(sel))); }
      catch (e) { return new Wrapped([]); }
    }
    return new Wrapped([]);
  }

  var P = Wrapped.prototype;
  P.each = function (fn) {
    this.nodes.forEach(function (n, i) { fn.call(n, i, n); });
    return this;
  };
  P.ready = function (fn) { onReady(fn); return this; };
  P.on = function (name, fn) {
    this.nodes.forEach(function (n) {
      n.__offlineHandlers = n.__offlineHandlers || {};
      (n.__offlineHandlers[name] = n.__offlineHandlers[name] || []).push(fn);
      if (name.indexOf(".") < 0 && n.addEventListener) { n.addEventListener(name, fn); }
    });
    return this;
  };
  P.data = function (key) {
    var n = this.nodes[0];
    return n && n.getAttribute ? n.getAttribute("data-" + key) : undefined;
  };
  P.parent = function () {
    var out = [];
    this.nodes.forEach(function (n) {
      if (n.parentElement && out.indexOf(n.parentElement) < 0) { out.push(n.parentElement); }
    });
    return new Wrapped(out);
  };
  P.fadeIn = function () { this.nodes.forEach(function (n) { n.style.display = ""; }); return this; };
  P.fadeOut = function () { this.nodes.forEach(function (n) { n.style.display = "none"; }); return this; };
  P.addClass = function (c) { this.nodes.forEach(function (n) { n.classList.add(c); }); return this; };
  P.removeClass = function (c) { this.nodes.forEach(function (n) { n.classList.remove(c); }); return this; };
  P.prepend = function (html) {
    this.nodes.forEach(function (n) { n.insertAdjacentHTML("afterbegin", html); });
    return this;
  };
  P.modal = function () { return this; };
  P.bootstrapTable = function (options) {
    this.nodes.forEach(function (table) {
      if (typeof options === "string") {
        if (options === "resetSearch" && table.__offlineSearch) {
          table.__offlineSearch.value = "";
          table.__offlineFilter("");
        }
        return;
      }
      renderTable(table, options || {});
    });
    return this;
  };

  function globalFn(name) {
    return typeof name === "string" && typeof window[name] === "function" ? window[name] : null;
  }

  function sortKey(row, col) {
    var v = row[col.sortName || col.field];
    return v === undefined || v === null ? "" : v;
  }

  // bootstrap-table renders {columns, data} into the <table>; here: header, rows, sort, search.
  function renderTable(table, opts) {
    var columns = opts.columns || [];
    var rows = (opts.data || []).slice();
    var sortCol = null, sortDir = opts.sortOrder === "desc" ? -1 : 1;
    columns.forEach(function (c) {
      if (c.field === opts.sortName || c.sortName === opts.sortName) { sortCol = c; }
    });
    table.classList.add("table", "offline-table");
    var thead = document.createElement("thead");
    var tr = document.createElement("tr");
    columns.forEach(function (c) {
      var th = document.createElement("th");
      th.textContent = c.title || c.field;
      if (c.sortable === "true" || c.sortable === true) {
        th.className = "offline-sortable";
        th.addEventListener("click", function () {
          sortDir = sortCol === c ? -sortDir : 1;
          sortCol = c;
          draw();
        });
      }
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    var tbody = document.createElement("tbody");
    table.innerHTML = "";
    table.appendChild(thead);
    table.appendChild(tbody);

    var attrs = globalFn(opts.rowAttributes), style = globalFn(opts.rowStyle);
    function draw() {
      if (sortCol) {
        rows.sort(function (a, b) {
          var x = sortKey(a, sortCol), y = sortKey(b, sortCol);
          return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
        });
      }
      tbody.innerHTML = "";
      rows.forEach(function (row, i) {
        var r = document.createElement("tr");
        var a = attrs ? attrs(row, i) || {} : {};
        Object.keys(a).forEach(function (k) { r.setAttribute(k, a[k]); });
        var s = style ? (style(row, i) || {}).css || {} : {};
        Object.keys(s).forEach(function (k) { r.style[k] = s[k]; });
        columns.forEach(function (c) {
          var td = document.createElement("td");
          var v = row[c.field];
          td.innerHTML = v === undefined || v === null ? "" : String(v);
          if (c.align) { td.style.textAlign = c.align; }
          r.appendChild(td);
        });
        r.addEventListener("click", function (e) {
          if (e.target.closest && e.target.closest("a")) { return; }
          ((table.__offlineHandlers || {})["click-row.bs.table"] || []).forEach(function (fn) {
            fn(e, row, $(r));
          });
        });
        tbody.appendChild(r);
      });
    }
    draw();

    if (opts.search === "true" || opts.search === true) {
      var bar = opts.toolbar ? document.querySelector(opts.toolbar) : null;
      var input = document.createElement("input");
      input.type = "search";
      input.placeholder = "Search";
      input.className = "offline-search";
      table.__offlineSearch = input;
      table.__offlineFilter = function (text) {
        var t = text.toLowerCase();
        Array.prototype.forEach.call(tbody.rows, function (r) {
          r.style.display = !t || r.textContent.toLowerCase().indexOf(t) >= 0 ? "" : "none";
        });
      };
      input.addEventListener("input", function () { table.__offlineFilter(input.value); });
      (bar || table.parentNode).insertBefore(input, bar ? bar.firstChild : table);
    }
  }

  // Bootstrap's data-toggle behaviours, by delegation.
  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-toggle]") : null;
    if (!el) { return; }
    var kind = el.getAttribute("data-toggle");
    var target = el.getAttribute("data-target") || el.getAttribute("href");
    if (kind === "tab" && target && target.charAt(0) === "#") {
      e.preventDefault();
      var nav = el.closest(".nav");
      if (nav) {
        Array.prototype.forEach.call(nav.querySelectorAll("[data-toggle='tab']"), function (l) {
          l.classList.remove("active");
          l.setAttribute("aria-selected", "false");
        });
      }
      el.classList.add("active");
      el.setAttribute("aria-selected", "true");
      var pane = document.getElementById(target.slice(1));
      if (pane && pane.parentElement) {
        Array.prototype.forEach.call(pane.parentElement.children, function (p) {
          if (p.classList.contains("tab-pane")) { p.classList.remove("active", "show"); }
        });
        pane.classList.add("active", "show");
      }
    } else if (kind === "collapse" && target && target.charAt(0) === "#") {
      e.preventDefault();
      var body = document.getElementById(target.slice(1));
      if (body) {
        var open = body.classList.toggle("show");
        el.setAttribute("aria-expanded", open ? "true" : "false");
      }
    } else if (kind === "buttons") {
      var label = e.target.closest("label.btn");
      if (label) {
        Array.prototype.forEach.call(el.querySelectorAll("label.btn"), function (l) {
          l.classList.remove("active");
        });
        label.classList.add("active");
      }
    }
  });

  window.vegaEmbed = window.vegaEmbed || function (selector) {
    var el = typeof selector === "string" ? document.querySelector(selector) : selector;
    if (el) { el.textContent = "(chart not shown: Vega is not bundled with the offline Data Docs)"; }
    return Promise.resolve();
  };

  window.$ = window.jQuery = $;
})();
