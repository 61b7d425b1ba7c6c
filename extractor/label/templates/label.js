/* extractor label: the labeling form. The page talks only to its own server (connect-src 'self'):
   GET /api/article/ID, PUT /api/draft/ID (every change), POST /api/gold/ID (save).
   Text from articles and models only ever reaches the page through textContent. */
(function () {
  "use strict";
  var T = extractorText, el = T.el, clear = T.clear, show = T.show;
  var data = JSON.parse(document.getElementById("view-data").textContent);
  var recordSpecs = data.fields.record, personSpecs = data.fields.person;
  var fieldOrder = recordSpecs.map(function (s) { return s.name; }).concat(personSpecs.map(function (s) { return "people." + s.name; }));
  var docEl = document.getElementById("doc"), form = document.getElementById("form");
  var listEl = document.getElementById("worklist"), msg = document.getElementById("message");
  var draftEl = document.getElementById("draft-state");
  var summaryEl = document.getElementById("summary"), notesEl = document.getElementById("notes"), altEl = document.getElementById("alternatives");
  var article = null, state = null, rows = [], current = null, timer = null, rev = 0, body = null;

  function colour(field) {
    var i = fieldOrder.indexOf(field);
    return "hsl(" + ((i < 0 ? 29 : i) * 137.508) % 360 + ", 80%, 80%)";
  }
  function say(text, cls) { msg.textContent = text; msg.className = cls || ""; }

  /* ---------- the rows of the form: one per field, one header per person ---------- */
  function buildRows() {
    rows = recordSpecs.map(function (s) { return { key: s.name, spec: s, entry: state.fields[s.name], person: null }; });
    state.people.forEach(function (p, i) {
      rows.push({ key: "people[" + i + "]", person: i, header: true });
      personSpecs.forEach(function (s) { rows.push({ key: "people[" + i + "]." + s.name, spec: s, entry: p.fields[s.name], person: i }); });
    });
  }
  function fieldName(row) { return row.person === null ? row.spec.name : "people." + row.spec.name; }
  function undecided(row) { return row.header ? state.people[row.person].pending : row.entry.status === "pending"; }
  function rowIndex(key) { for (var i = 0; i < rows.length; i++) { if (rows[i].key === key) { return i; } } return -1; }

  function renderForm() {
    buildRows();
    clear(form);
    rows.forEach(function (row) {
      var node;
      if (row.header) {
        var p = state.people[row.person];
        node = el("div", { cls: "row person" + (p.pending ? " pending" : ""), tabindex: "0", "data-key": row.key },
          ["Person " + (row.person + 1) + (p.note ? " · " + p.note + " (Enter keeps, X removes)" : "")]);
      } else {
        var e = row.entry, a = data.guidelines && data.anchors[fieldName(row)];
        var head = [el("code", { text: row.key })];
        if (e.confidence !== null && e.confidence !== undefined) { head.push(el("span", { cls: "badge", text: "agreement " + Number(e.confidence).toFixed(2) })); }
        head.push(el("span", { cls: "badge", text: e.status }));
        if (a) { head.push(el("a", { href: "/guidelines#" + a, target: "guidelines", title: "guidelines for " + fieldName(row) + " (g)", "data-guide": fieldName(row), text: "guidelines" })); }
        node = el("div", { cls: "row " + e.status, tabindex: "0", "data-key": row.key }, [el("div", { cls: "rhead" }, head)]);
        node.appendChild(el("div", { cls: "val", "data-role": "value", text: show(e.value) }));
        if (e.candidates.length > 1) {
          var ol = el("ol", { cls: "cands" });
          e.candidates.forEach(function (c, i) {
            var li = el("li", { cls: JSON.stringify(c.value) === JSON.stringify(e.value) ? "chosen" : "", "data-candidate": String(i + 1) },
              [show(c.value) + " · " + c.sources.join(", ")]);
            if (c.quote) { li.appendChild(el("small", { text: "“" + c.quote + "”" })); }
            ol.appendChild(li);
          });
          node.appendChild(ol);
        }
        if (e.quote) { node.appendChild(el("q", { "data-role": "quote", text: e.quote })); }
        var alts = state.alternatives[row.key];
        if (alts && alts.length) { node.appendChild(el("small", { text: "also counts: " + alts.map(show).join(" | ") })); }
      }
      node.addEventListener("focus", function () { current = row.key; flash(); });
      form.appendChild(node);
    });
    var left = rows.filter(undecided).length;
    document.getElementById("undecided-count").textContent = left + " undecided";
    document.getElementById("undecided-count").setAttribute("data-count", String(left));
    summaryEl.value = state.summary; notesEl.value = state.notes;
    if (document.activeElement !== altEl) { altEl.value = JSON.stringify(state.alternatives); }
    renderArticle();
    focusRow(current);
  }
  function focusRow(key) {
    var node = form.querySelector('[data-key="' + key + '"]') || form.querySelector(".row");
    if (node) { current = node.getAttribute("data-key"); node.focus(); }
  }

  /* ---------- the article, every chosen quote highlighted (the view's renderText) ---------- */
  var spanKeys = [];
  function renderArticle() {
    var spans = [];
    spanKeys = [];
    buildRows();
    rows.forEach(function (row) {
      if (row.header || row.entry.start === null || row.entry.start === undefined) { return; }
      spans.push({ start: row.entry.start, end: row.entry.end, colour: colour(fieldName(row)), title: row.key + ": " + show(row.entry.value) });
      spanKeys.push(row.key);
    });
    clear(docEl);
    docEl.appendChild(el("h2", { text: article.doc_id }));
    docEl.appendChild(el("p", { cls: "facts" }, [el("span", { text: article.published ? "published " + article.published : "no publication date" }), el("span", { text: "opened from " + article.origin })]));
    body = T.renderText(docEl, article.text, spans);
    flash();
  }
  function flash() {
    if (!body) { return; }
    var id = String(spanKeys.indexOf(current));
    body.querySelectorAll("mark").forEach(function (m) { m.classList.toggle("flash", m.getAttribute("data-spans").split(" ").indexOf(id) >= 0); });
  }
  function offsetIn(node, offset) {
    var range = document.createRange();
    range.setStart(body, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }
  docEl.addEventListener("mouseup", function (ev) {
    if (!body || !body.contains(ev.target)) { return; }
    var row = rows[rowIndex(current)];
    if (!row || row.header) { say("Focus a field first (j/k), then click its quote in the article.", "error"); return; }
    var sel = window.getSelection(), start, end, text = article.text;
    if (sel && !sel.isCollapsed && body.contains(sel.anchorNode)) {
      var r = sel.getRangeAt(0);
      start = offsetIn(r.startContainer, r.startOffset); end = offsetIn(r.endContainer, r.endOffset);
    } else {
      var caret = document.caretRangeFromPoint(ev.clientX, ev.clientY);
      if (!caret) { return; }
      var at = offsetIn(caret.startContainer, caret.startOffset);
      start = at; end = at;
      while (start > 0 && !/[.!?\n]/.test(text[start - 1])) { start--; }
      while (end < text.length && !/[.!?\n]/.test(text[end])) { end++; }
      if (end < text.length && text[end] !== "\n") { end++; }
    }
    while (start < end && /\s/.test(text[start])) { start++; }
    while (end > start && /\s/.test(text[end - 1])) { end--; }
    if (start >= end) { return; }
    row.entry.quote = text.slice(start, end); row.entry.start = start; row.entry.end = end;
    if (sel) { sel.removeAllRanges(); }
    changed();
  });

  /* ---------- decisions ---------- */
  function empty(spec) { return spec.kind === "list" ? [] : null; }
  function nextUndecided(fromKey) {
    var i = rowIndex(fromKey);
    for (var k = 1; k <= rows.length; k++) {
      var row = rows[(i + k) % rows.length];
      if (undecided(row)) { return row.key; }
    }
    return rows.length > i + 1 ? rows[i + 1].key : fromKey;
  }
  function decide(row, status, value, quote) {
    var e = row.entry;
    e.status = status;
    if (value !== undefined) { e.value = value; }
    if (quote) { e.quote = quote.quote; e.start = quote.start; e.end = quote.end; }
    if (row.person !== null) { state.people[row.person].pending = false; }
    current = nextUndecided(row.key);
    changed();
  }
  function pick(row, n) {
    var c = row.entry.candidates[n - 1];
    if (!c) { say(row.key + " has no candidate " + n + ".", "error"); return; }
    decide(row, "accepted", c.value, c);
  }
  function toggleAlternatives(row) {
    var others = row.entry.candidates.map(function (c) { return c.value; })
      .filter(function (v) { return JSON.stringify(v) !== JSON.stringify(row.entry.value); });
    if (state.alternatives[row.key]) { delete state.alternatives[row.key]; } else if (others.length) { state.alternatives[row.key] = others; }
    else { say(row.key + ": no other candidate to add as an alternative (edit the JSON below).", "error"); return; }
    changed();
  }
  function parse(spec, raw) {
    raw = raw.trim();
    if (raw === "") { return { value: empty(spec) }; }
    if (spec.kind === "int") { return /^\d+$/.test(raw) ? { value: Number(raw) } : { error: spec.name + ": " + JSON.stringify(raw) + " is not a whole number" }; }
    if (spec.kind === "bool") { return { value: raw === "true" }; }
    if (spec.kind === "list") { return { value: raw.split(/[,;]/).map(function (s) { return s.trim(); }).filter(Boolean) }; }
    return { value: raw };
  }
  function edit(row) {
    var node = form.querySelector('[data-key="' + row.key + '"]'), spec = row.spec, input;
    if (spec.kind === "enum" || spec.kind === "bool") {
      input = el("select", { "aria-label": row.key }, [el("option", { value: "", text: spec.required ? "(choose)" : "null" })]);
      (spec.kind === "bool" ? ["true", "false"] : spec.options).forEach(function (o) { input.appendChild(el("option", { value: o, text: o })); });
      input.value = row.entry.value === null ? "" : String(row.entry.value);
    } else {
      input = el("input", { type: "text", "aria-label": row.key, placeholder: spec.kind === "list" ? "comma-separated: " + spec.options.join(", ") : "empty for null" });
      input.value = row.entry.value === null ? "" : (Array.isArray(row.entry.value) ? row.entry.value.join(", ") : String(row.entry.value));
    }
    input.setAttribute("data-editor", row.key);
    node.querySelector("[data-role=value]").replaceWith(input);
    input.focus();
    if (input.select) { input.select(); }
  }
  function commit(input) {
    var row = rows[rowIndex(input.getAttribute("data-editor"))], got = parse(row.spec, input.value);
    if (got.error) { say(got.error, "error"); return; }
    say("");
    decide(row, "edited", got.value);
  }
  function addPerson() {
    var fields = {};
    personSpecs.forEach(function (s) {
      fields[s.name] = { value: empty(s), quote: "", start: null, end: null, status: s.required ? "pending" : "accepted", candidates: [], confidence: null };
    });
    state.people.push({ fields: fields, sources: [], pending: false, note: "" });
    current = "people[" + (state.people.length - 1) + "]." + personSpecs[0].name;
    changed();
  }
  function reindexPeople(order) {
    /* order[newIndex] = oldIndex; alternatives keyed people[i].field follow their person */
    var alts = {};
    Object.keys(state.alternatives).forEach(function (k) {
      var m = /^people\[(\d+)\]\.(.+)$/.exec(k);
      if (!m) { alts[k] = state.alternatives[k]; return; }
      var now = order.indexOf(Number(m[1]));
      if (now >= 0) { alts["people[" + now + "]." + m[2]] = state.alternatives[k]; }
    });
    state.alternatives = alts;
    state.people = order.map(function (i) { return state.people[i]; });
  }
  function personKey(i, row) { return "people[" + i + "]" + (row.header ? "" : "." + row.spec.name); }
  function removePerson(row) {
    var order = state.people.map(function (_, i) { return i; }).filter(function (i) { return i !== row.person; });
    reindexPeople(order);
    current = state.people.length ? personKey(Math.min(row.person, state.people.length - 1), { header: true }) : recordSpecs[recordSpecs.length - 1].name;
    changed();
  }
  function movePerson(row, by) {
    var to = row.person + by;
    if (to < 0 || to >= state.people.length) { return; }
    var order = state.people.map(function (_, i) { return i; });
    order[row.person] = to; order[to] = row.person;
    reindexPeople(order);
    current = personKey(to, row);
    changed();
  }

  /* ---------- autosave and save ---------- */
  function changed() {
    rev++;
    draftEl.textContent = "unsaved changes"; draftEl.setAttribute("data-draft", "dirty");
    renderForm();
    clearTimeout(timer);
    timer = setTimeout(saveDraft, 150);
  }
  function api(method, path, payload) {
    return fetch(path, { method: method, headers: { "Content-Type": "application/json" }, body: payload === undefined ? undefined : JSON.stringify(payload) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); });
  }
  function saveDraft() {
    var at = rev;
    return api("PUT", "/api/draft/" + encodeURIComponent(state.doc_id), state).then(function (r) {
      if (!r.ok) { say(r.body.error, "error"); return; }
      if (at === rev) { draftEl.textContent = "draft saved"; draftEl.setAttribute("data-draft", "saved"); draftEl.setAttribute("data-rev", String(rev)); }
    });
  }
  function saveGold() {
    clearTimeout(timer);
    api("POST", "/api/gold/" + encodeURIComponent(state.doc_id), state).then(function (r) {
      if (!r.ok) {
        say(r.body.error + (r.body.hint ? " (" + r.body.hint + ")" : ""), "error");
        var m = /(people\[\d+\]\.\w+|people\[\d+\]|\b[a-z_]+\b)/.exec(r.body.field || "");
        if (m && rowIndex(m[1]) >= 0) { focusRow(m[1]); }
        return;
      }
      say("Saved " + r.body.path, "ok");
      draftEl.textContent = "gold saved"; draftEl.setAttribute("data-draft", "gold");
      loadList();
    });
  }
  summaryEl.addEventListener("input", function () { state.summary = summaryEl.value; rev++; clearTimeout(timer); timer = setTimeout(saveDraft, 300); });
  notesEl.addEventListener("input", function () { state.notes = notesEl.value; rev++; clearTimeout(timer); timer = setTimeout(saveDraft, 300); });
  altEl.addEventListener("change", function () {
    try { var v = JSON.parse(altEl.value || "{}"); if (typeof v !== "object" || Array.isArray(v) || v === null) { throw new Error("not an object"); } state.alternatives = v; say(""); changed(); }
    catch (err) { say("alternatives: not a JSON object of field -> list of values (" + err.message + ")", "error"); }
  });
  document.getElementById("save").addEventListener("click", saveGold);

  /* ---------- keys ---------- */
  document.addEventListener("keydown", function (ev) {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "s") { ev.preventDefault(); if (ev.target.hasAttribute("data-editor")) { commit(ev.target); } saveGold(); return; }
    var t = ev.target;
    if (t.hasAttribute && t.hasAttribute("data-editor")) {
      if (ev.key === "Enter") { ev.preventDefault(); commit(t); }
      else if (ev.key === "Escape") { ev.preventDefault(); renderForm(); }
      return;
    }
    if (t.tagName === "TEXTAREA" || t.tagName === "INPUT" || t.tagName === "SELECT") { if (ev.key === "Escape") { focusRow(current); } return; }
    if (ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    var i = rowIndex(current), row = rows[i], k = ev.key, done = true;
    if (k === "j" || k === "ArrowDown") { focusRow(rows[Math.min(i + 1, rows.length - 1)].key); }
    else if (k === "k" || k === "ArrowUp") { focusRow(rows[Math.max(i - 1, 0)].key); }
    else if (k === "n") { focusRow(nextUndecided(current)); }
    else if (k === "s") { saveGold(); }
    else if (k === "P") { addPerson(); }
    else if (k === "m" || k === "t") { (k === "m" ? summaryEl : notesEl).focus(); }
    else if (k === ">" || k === "<") { openNext(k === ">" ? 1 : -1); }
    else if (!row) { done = false; }
    else if (row.header) {
      if (k === "Enter") { state.people[row.person].pending = false; current = nextUndecided(row.key); changed(); }
      else if (k === "X") { removePerson(row); }
      else if (k === "[" || k === "]") { movePerson(row, k === "[" ? -1 : 1); }
      else { done = false; }
    }
    else if (/^[1-9]$/.test(k)) { pick(row, Number(k)); }
    else if (k === "Enter") { decide(row, row.entry.status === "edited" ? "edited" : "accepted"); }
    else if (k === "e") { edit(row); }
    else if (k === "0" || k === "Delete" || k === "Backspace") { decide(row, "nulled", empty(row.spec), { quote: "", start: null, end: null }); }
    else if (k === "a") { toggleAlternatives(row); }
    else if (k === "g" && data.anchors[fieldName(row)]) { window.open("/guidelines#" + data.anchors[fieldName(row)], "guidelines"); }
    else if (row.person !== null && k === "X") { removePerson(row); }
    else if (row.person !== null && (k === "[" || k === "]")) { movePerson(row, k === "[" ? -1 : 1); }
    else { done = false; }
    if (done) { ev.preventDefault(); }
  });

  /* ---------- worklist and loading ---------- */
  var list = [];
  function openNext(by) {
    var i = list.findIndex(function (w) { return w.doc_id === (state && state.doc_id); });
    var next = list[i + by];
    if (next) { open(next.doc_id); }
  }
  function loadList() {
    return fetch("/api/worklist").then(function (r) { return r.json(); }).then(function (items) {
      list = items;
      clear(listEl);
      items.forEach(function (w) {
        var why = [!w.gold ? "no gold" : "", w.disagreements.length ? w.disagreements.length + " disagree" : "", w.confidence !== null ? "agreement " + w.confidence.toFixed(2) : ""].filter(Boolean).join(" · ");
        var li = el("li", { "data-doc": w.doc_id, tabindex: "0", cls: state && state.doc_id === w.doc_id ? "selected" : "" },
          [el("span", { cls: "docid", text: w.doc_id }), el("small", { text: why })]);
        if (w.saved) { li.appendChild(el("span", { cls: "badge outcome-correct", text: "saved" })); }
        else if (w.draft) { li.appendChild(el("span", { cls: "badge warnb", text: "draft" })); }
        li.addEventListener("click", function () { open(w.doc_id); });
        listEl.appendChild(li);
      });
      return items;
    });
  }
  function open(docId) {
    return fetch("/api/article/" + encodeURIComponent(docId)).then(function (r) { return r.json(); }).then(function (a) {
      article = a; state = a.state; current = null; rev = 0;
      history.replaceState(null, "", "#" + encodeURIComponent(docId));
      draftEl.textContent = a.origin === "draft" ? "draft restored" : "no changes"; draftEl.setAttribute("data-draft", a.origin === "draft" ? "restored" : "none");
      say("");
      listEl.querySelectorAll("li").forEach(function (li) { li.classList.toggle("selected", li.getAttribute("data-doc") === docId); });
      buildRows();
      var first = rows.filter(undecided)[0];
      current = first ? first.key : rows[0].key;
      renderForm();
      document.documentElement.setAttribute("data-doc", docId);
    });
  }
  loadList().then(function (items) {
    var wanted = decodeURIComponent(location.hash.slice(1));
    var start = items.some(function (w) { return w.doc_id === wanted; }) ? wanted : (items[0] && items[0].doc_id);
    return start ? open(start) : null;
  }).then(function () { document.documentElement.setAttribute("data-ready", "1"); });
})();
