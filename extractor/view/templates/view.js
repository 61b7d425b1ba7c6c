/* extractor view: builds the interactive parts of the page from the embedded JSON.
   Text from articles and models only ever reaches the page through textContent. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("view-data").textContent);
  var fieldIndex = {};
  data.fields.forEach(function (f, i) { fieldIndex[f] = i; });

  var el = extractorText.el, clear = extractorText.clear, show = extractorText.show, renderText = extractorText.renderText;
  function hue(i) { return (i * 137.508) % 360; }
  function fieldColour(field) {
    var i = fieldIndex[field];
    return "hsl(" + hue(i === undefined ? 29 : i) + ", 80%, 80%)";
  }
  function sideColour(i) { return ["hsl(210, 85%, 82%)", "hsl(35, 95%, 75%)", "hsl(140, 60%, 78%)", "hsl(300, 60%, 82%)"][i % 4]; }
  function num(value, digits) { return value === null || value === undefined ? "–" : Number(value).toFixed(digits === undefined ? 3 : digits); }


  function linkPanel(body, panel) {
    function setActive(spanIds) {
      panel.querySelectorAll("[data-span]").forEach(function (item) {
        item.classList.toggle("active", spanIds.indexOf(item.getAttribute("data-span")) >= 0);
      });
    }
    body.addEventListener("mouseover", function (e) {
      var mark = e.target.closest("mark");
      setActive(mark ? mark.getAttribute("data-spans").split(" ") : []);
    });
    panel.addEventListener("click", function (e) {
      var item = e.target.closest("[data-span]");
      if (!item) { return; }
      var id = item.getAttribute("data-span");
      var first = null;
      body.querySelectorAll("mark").forEach(function (m) {
        var hit = m.getAttribute("data-spans").split(" ").indexOf(id) >= 0;
        m.classList.toggle("flash", hit);
        if (hit && !first) { first = m; }
      });
      if (first) { first.scrollIntoView({ block: "center" }); }
      setActive([id]);
    });
  }

  function docHeader(doc, title, facts) {
    clear(doc);
    doc.appendChild(el("h2", { text: title }));
    if (facts.length) { doc.appendChild(el("p", { cls: "facts" }, facts.map(function (f) { return el("span", { text: f }); }))); }
  }
  function articleBody(doc, text, spans) {
    if (text === null || text === undefined) {
      doc.appendChild(el("p", { cls: "warn missing", text: "Article text not found: pass --articles with the folder that holds it. Values are listed without highlights." }));
      return null;
    }
    return renderText(doc, text, spans);
  }
  function valueItem(spanId, colour, head, value, quote, grounded, extra) {
    var li = el("li", { "data-span": String(spanId) });
    var sw = el("span", { cls: "swatch" }); sw.style.backgroundColor = colour;
    li.appendChild(el("div", { cls: "vhead" }, [sw, el("code", { text: head }), extra ? el("span", { cls: "badge " + extra.cls, text: extra.text }) : ""]));
    li.appendChild(el("div", { cls: "value", text: value }));
    if (grounded === false) { li.classList.add("ungrounded"); li.appendChild(el("div", { cls: "badge bad", text: quote ? "ungrounded: quote not found in the article" : "ungrounded: no quote" })); }
    if (quote) { li.appendChild(el("blockquote", { text: quote })); }
    return li;
  }

  /* ---------------- run view ---------------- */
  function fieldOf(path) {
    var cut = path.indexOf("].");
    return path.indexOf("people[") === 0 && cut >= 0 ? "people." + path.slice(cut + 2) : path;
  }
  /* The run view's values come compact (see payload.run_values): a span instead of a quote the
     text already holds. Expanded once, so the rest of the view reads whole values. */
  function expandValues(a) {
    a.values = a.values.map(function (v) {
      var spanned = v.s !== undefined;
      return {
        path: v.p, field: fieldOf(v.p), value: v.v,
        start: spanned ? v.s : null, end: spanned ? v.e : null,
        quote: v.q !== undefined ? v.q : spanned && a.text !== null ? a.text.slice(v.s, v.e) : "",
        grounded: spanned || v.g === true
      };
    });
    a.ungrounded = a.values.filter(function (v) { return !v.grounded; }).length;
  }
  function runView() {
    data.articles.forEach(expandValues);
    var list = document.getElementById("article-list"), doc = document.getElementById("doc"), panel = document.getElementById("panel");
    var fieldSel = document.getElementById("filter-field"), valueIn = document.getElementById("filter-value");
    var checks = document.querySelectorAll("[data-filter]");
    var current = null;

    function keep(a) {
      var on = {};
      checks.forEach(function (c) { on[c.getAttribute("data-filter")] = c.checked; });
      if (on.failed && a.status !== "failed") { return false; }
      if (on.ungrounded && !a.ungrounded) { return false; }
      if (on.empty && !(a.status === "ok" && !a.values.length)) { return false; }
      var f = fieldSel.value, q = valueIn.value.trim().toLowerCase();
      if (f || q) {
        return a.values.some(function (v) { return (!f || v.field === f) && (!q || show(v.value).toLowerCase().indexOf(q) >= 0); });
      }
      return true;
    }
    function select(a, item) {
      current = a;
      list.querySelectorAll("li").forEach(function (li) { li.classList.toggle("selected", li === item); });
      var u = a.usage || {};
      docHeader(doc, a.doc_id, [
        a.status === "ok" ? "record" : "failed",
        a.published ? "published " + a.published : "no publication date",
        (u.prompt_tokens || 0) + " + " + (u.completion_tokens || 0) + " tokens",
        a.attempts + " attempt" + (a.attempts === 1 ? "" : "s"),
        a.cost_usd === null ? "cost unknown" : "$" + a.cost_usd.toFixed(5),
        a.latency_s === null ? "" : num(a.latency_s, 2) + " s",
        a.cached ? "from cache" : ""
      ].filter(Boolean));
      if (a.error) { doc.appendChild(el("p", { cls: "error", id: "article-error" }, [el("b", { text: a.error.type + ": " }), a.error.message])); }
      var spans = a.values.map(function (v) {
        return { start: v.grounded ? v.start : null, end: v.grounded ? v.end : null, colour: fieldColour(v.field), title: v.path + ": " + show(v.value) };
      });
      var body = articleBody(doc, a.text, spans);
      clear(panel);
      panel.appendChild(el("h3", { text: a.values.length + " values" + (a.ungrounded ? " (" + a.ungrounded + " ungrounded)" : "") }));
      var ul = el("ul", { cls: "values" });
      a.values.forEach(function (v, i) { ul.appendChild(valueItem(i, fieldColour(v.field), v.path, show(v.value), v.quote, v.grounded)); });
      if (!a.values.length) { ul.appendChild(el("li", { cls: "hint", text: a.status === "ok" ? "The record is empty: every field is null." : "No record." })); }
      panel.appendChild(ul);
      if (body) { linkPanel(body, panel); }
    }
    function refresh() {
      clear(list);
      var shown = data.articles.filter(keep), firstItem = null;
      shown.forEach(function (a) {
        var badges = [];
        if (a.status === "failed") { badges.push(el("span", { cls: "badge bad", text: "failed" })); }
        if (a.ungrounded) { badges.push(el("span", { cls: "badge warnb", text: a.ungrounded + " ungrounded" })); }
        if (a.status === "ok" && !a.values.length) { badges.push(el("span", { cls: "badge", text: "empty" })); }
        if (a.text === null) { badges.push(el("span", { cls: "badge", text: "no text" })); }
        var li = el("li", { "data-doc": a.doc_id, tabindex: "0" }, [el("span", { cls: "docid", text: a.doc_id })].concat(badges));
        li.addEventListener("click", function () { select(a, li); });
        li.addEventListener("keydown", function (e) { if (e.key === "Enter") { select(a, li); } });
        list.appendChild(li);
        if (a === current) { firstItem = li; }
      });
      document.getElementById("list-count").textContent = shown.length + " of " + data.articles.length + " articles";
      if (!firstItem && shown.length) { firstItem = list.firstChild; current = shown[0]; }
      if (firstItem) { select(current, firstItem); } else { clear(doc); clear(panel); doc.appendChild(el("p", { cls: "hint", text: "No article matches the filters." })); }
    }
    checks.forEach(function (c) { c.addEventListener("change", refresh); });
    fieldSel.addEventListener("change", refresh);
    valueIn.addEventListener("input", refresh);
    refresh();
  }

  /* ---------------- eval view ---------------- */
  function evalView() {
    var list = document.getElementById("diff-list"), doc = document.getElementById("doc"), panel = document.getElementById("panel");
    var rows = document.querySelectorAll("#field-table tbody tr");
    function showDiff(d, item) {
      list.querySelectorAll("li").forEach(function (li) { li.classList.toggle("selected", li === item); });
      docHeader(doc, d.doc_id, [d.path + (d.gold_path && d.gold_path !== d.path ? " (gold " + d.gold_path + ")" : ""), d.outcome]);
      var table = el("table", { cls: "kv goldpred", id: "gold-vs-predicted" }, [
        el("tr", {}, [el("th", { text: "gold" }), el("td", { "data-role": "gold", text: show(d.gold) })]),
        el("tr", {}, [el("th", { text: "predicted" }), el("td", { "data-role": "predicted", text: show(d.predicted) })]),
        el("tr", {}, [el("th", { text: "outcome" }), el("td", {}, [el("span", { cls: "badge outcome-" + d.outcome, "data-role": "outcome", text: d.outcome })])])
      ]);
      doc.appendChild(table);
      if (d.quote && !d.span && data.texts[d.doc_id]) { doc.appendChild(el("p", { cls: "warn", text: "The quote was not found in the article text." })); }
      var text = data.texts[d.doc_id];
      var spans = d.span ? [{ start: d.span[0], end: d.span[1], colour: fieldColour(d.field), title: d.path + ": " + show(d.predicted) }] : [];
      var body = articleBody(doc, text, spans);
      clear(panel);
      panel.appendChild(el("h3", { text: "Evidence" }));
      var ul = el("ul", { cls: "values" });
      ul.appendChild(valueItem(0, fieldColour(d.field), d.path, show(d.predicted), d.quote, d.grounded === null ? undefined : d.grounded, { cls: "outcome-" + d.outcome, text: d.outcome }));
      if (!d.quote) { ul.appendChild(el("li", { cls: "hint", text: d.predicted === null ? "Nothing was predicted, so there is no quote." : "No quote was given." })); }
      panel.appendChild(ul);
      if (body) { linkPanel(body, panel); }
      var mark = body && body.querySelector("mark");
      if (mark) { mark.scrollIntoView({ block: "center" }); }
    }
    function showField(name, row) {
      rows.forEach(function (r) { r.classList.toggle("selected", r === row); });
      var diffs = data.diffs.filter(function (d) { return d.field === name; });
      document.getElementById("diff-title").textContent = name + ": " + diffs.length + " diff" + (diffs.length === 1 ? "" : "s");
      clear(list);
      diffs.forEach(function (d) {
        var li = el("li", { tabindex: "0", "data-doc": d.doc_id, "data-path": d.path }, [
          el("span", { cls: "badge outcome-" + d.outcome, text: d.outcome }), el("span", { cls: "docid", text: d.doc_id }),
          el("small", { text: show(d.gold) + " → " + show(d.predicted) })]);
        li.addEventListener("click", function () { showDiff(d, li); });
        li.addEventListener("keydown", function (e) { if (e.key === "Enter") { showDiff(d, li); } });
        list.appendChild(li);
      });
      if (diffs.length) { showDiff(diffs[0], list.firstChild); }
      else { list.appendChild(el("li", { cls: "hint", text: "Every value of this field was right." })); clear(doc); clear(panel); }
    }
    rows.forEach(function (r) {
      var name = r.getAttribute("data-field");
      r.addEventListener("click", function () { showField(name, r); });
      r.addEventListener("keydown", function (e) { if (e.key === "Enter") { showField(name, r); } });
    });
    var counts = {};
    data.diffs.forEach(function (d) { counts[d.field] = (counts[d.field] || 0) + 1; });
    var first = Array.prototype.find.call(rows, function (r) { return counts[r.getAttribute("data-field")]; });
    if (first) { showField(first.getAttribute("data-field"), first); }
  }

  /* ---------------- compare view ---------------- */
  function compareView() {
    var tbody = document.querySelector("#worklist tbody"), doc = document.getElementById("doc"), panel = document.getElementById("panel");
    var fieldSel = document.getElementById("worklist-field"), shown = [];
    function quotes(w, label) { return (w.evidence[label] || []).map(function (v) { return v.quote; }).filter(Boolean); }
    function openItem(w, row) {
      tbody.querySelectorAll("tr").forEach(function (r) { r.classList.toggle("selected", r === row); });
      docHeader(doc, w.doc_id, [w.field, "gold: " + show(w.gold)]);
      var spans = [], items = [];
      data.sides.forEach(function (label, si) {
        var ev = w.evidence[label];
        if (!ev) { items.push({ label: label, colour: sideColour(si), value: show(w.values[label]), quote: "", grounded: undefined }); return; }
        if (!ev.length) { items.push({ label: label, colour: sideColour(si), value: show(w.values[label]), quote: "", grounded: undefined }); }
        ev.forEach(function (v) {
          items.push({ label: label + " · " + v.path, colour: sideColour(si), value: show(v.value), quote: v.quote, grounded: v.grounded, span: spans.length });
          spans.push({ start: v.grounded ? v.start : null, end: v.grounded ? v.end : null, colour: sideColour(si), title: label + " · " + v.path + ": " + show(v.value) });
        });
      });
      var body = articleBody(doc, data.texts[w.doc_id], spans);
      clear(panel);
      panel.appendChild(el("h3", { text: "Each side" }));
      var ul = el("ul", { cls: "values" });
      items.forEach(function (it, i) {
        var outcome = (w.outcomes[it.label.split(" · ")[0]] || []).join(", ");
        ul.appendChild(valueItem(it.span === undefined ? "x" + i : it.span, it.colour, it.label, it.value, it.quote, it.grounded, outcome ? { cls: "outcome-" + outcome.split(", ")[0], text: outcome } : null));
      });
      panel.appendChild(ul);
      if (body) { linkPanel(body, panel); }
    }
    function refresh() {
      clear(tbody);
      shown = data.worklist.filter(function (w) { return !fieldSel.value || w.field === fieldSel.value; });
      shown.forEach(function (w) {
        var cells = [el("td", { cls: "docid", text: w.doc_id }), el("td", {}, [el("code", { text: w.field })]), el("td", { text: show(w.gold) })];
        data.sides.forEach(function (label) {
          var td = el("td", { "data-side": label }, [el("div", { text: show(w.values[label]) })]);
          var o = (w.outcomes[label] || []).join(", ");
          if (o) { td.appendChild(el("span", { cls: "badge outcome-" + o.split(", ")[0], text: o })); }
          quotes(w, label).forEach(function (q) { td.appendChild(el("q", { text: q })); });
          cells.push(td);
        });
        var row = el("tr", { tabindex: "0", "data-doc": w.doc_id, "data-field": w.field }, cells);
        row.addEventListener("click", function () { openItem(w, row); });
        row.addEventListener("keydown", function (e) { if (e.key === "Enter") { openItem(w, row); } });
        tbody.appendChild(row);
      });
      document.getElementById("export-count").textContent = shown.length + " shown";
      if (shown.length) { openItem(shown[0], tbody.firstChild); }
    }
    document.getElementById("export-jsonl").addEventListener("click", function () {
      var text = shown.map(function (w) {
        var evidence = {};
        Object.keys(w.evidence).forEach(function (label) {
          evidence[label] = w.evidence[label].map(function (v) { return { path: v.path, quote: v.quote, start: v.start, end: v.end, grounded: v.grounded }; });
        });
        return JSON.stringify({ doc_id: w.doc_id, field: w.field, gold: w.gold, values: w.values, outcomes: w.outcomes, evidence: evidence });
      }).join("\n") + (shown.length ? "\n" : "");
      var area = document.getElementById("export-text");
      area.value = text; area.hidden = false;
      var link = el("a", { href: URL.createObjectURL(new Blob([text], { type: "application/x-ndjson" })), download: "worklist.jsonl" });
      document.body.appendChild(link); link.click(); link.remove();
    });
    fieldSel.addEventListener("change", refresh);
    refresh();
  }

  document.querySelectorAll(".bar[data-value]").forEach(function (bar) {
    var fill = el("i"); fill.style.width = Math.max(0, Math.min(1, Number(bar.getAttribute("data-value")))) * 100 + "%"; bar.appendChild(fill);
  });
  document.querySelectorAll(".delta[data-value]").forEach(function (cell) {
    var v = Number(cell.getAttribute("data-value"));
    cell.classList.add(v > 0 ? "pos" : v < 0 ? "neg" : "zero");
  });
  ({ run: runView, eval: evalView, compare: compareView })[data.view]();
  performance.mark("view-ready");
  document.documentElement.setAttribute("data-ready", "1");
})();
