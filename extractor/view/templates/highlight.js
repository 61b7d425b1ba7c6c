/* extractor view: the helpers every page shares (the view pages and the label page):
   building DOM nodes, showing values, and the article text with its evidence highlighted.
   Text from articles and models only ever reaches the page through textContent. */
var extractorText = (function () {
  "use strict";
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "cls") { node.className = attrs[k]; }
      else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } return node; }
  function show(value) {
    if (value === null || value === undefined) { return "null"; }
    if (Array.isArray(value)) { return value.length ? value.map(show).join(", ") : "[]"; }
    if (typeof value === "object") { return JSON.stringify(value); }
    return String(value);
  }

  /* The article text with every span highlighted at its character offsets. Spans may overlap:
     the text is cut at every span boundary and each piece is marked with the spans covering it
     (data-spans), coloured by the narrowest one; its title lists every covering value. */
  function renderText(container, text, spans) {
    var cuts = [0, text.length];
    spans.forEach(function (s) {
      if (s.start !== null && s.end !== null && s.start < s.end && s.end <= text.length) { cuts.push(s.start, s.end); }
    });
    cuts = cuts.filter(function (c, i, all) { return all.indexOf(c) === i; }).sort(function (a, b) { return a - b; });
    var body = el("div", { cls: "text" });
    for (var k = 0; k + 1 < cuts.length; k++) {
      var a = cuts[k], b = cuts[k + 1], covering = [];
      spans.forEach(function (s, i) { if (s.start !== null && s.start <= a && s.end >= b) { covering.push(i); } });
      var piece = text.slice(a, b);
      if (!covering.length) { body.appendChild(document.createTextNode(piece)); continue; }
      covering.sort(function (x, y) { return (spans[x].end - spans[x].start) - (spans[y].end - spans[y].start); });
      var mark = el("mark", { "data-spans": covering.join(" "), title: covering.map(function (i) { return spans[i].title; }).join("\n") }, [piece]);
      mark.style.backgroundColor = spans[covering[0]].colour;
      if (covering.length > 1) { mark.className = "multi"; }
      body.appendChild(mark);
    }
    container.appendChild(body);
    return body;
  }
  return { el: el, clear: clear, show: show, renderText: renderText };
})();
