// The graph view's behaviour: search, class filter, event switch, size switch, highlight and card.
// Every name arrives as JSON and is written with textContent, never as HTML.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("aikg-data").textContent);
  const info = data.info, events = data.events, sources = data.sources;
  const state = { mode: data.mode, hidden: new Set(), size: data.size, stabilized: false, selected: null };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else node.setAttribute(k, v);
    }
    for (const child of children) {
      if (child === null || child === undefined || child === "") continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const fmt = (n) => Number(n).toLocaleString("en-US");
  const money = (usd) => {
    for (const [size, suffix] of [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "K"]]) {
      if (usd >= size) return "USD " + (usd / size).toFixed(1).replace(/\.0$/, "") + suffix;
    }
    return "USD " + fmt(usd);
  };
  function sourceLine(key) {
    const doc = sources[key] || {};
    return [doc.title || key, doc.publisher, doc.published].filter(Boolean).join(" · ");
  }
  function eventLines(id) {
    const e = events[id];
    if (!e) return [];
    const lines = [el("strong", {}, e.label || id)];
    const facts = [e.summary, e.date ? "date " + e.date : "", (e.amounts || []).filter(a => a.currency !== "USD").map(a => a.currency + " " + fmt(a.value)).join(", ")];
    lines.push(el("span", {}, facts.filter(Boolean).join(" · ")));
    if (e.who) lines.push(el("span", { class: "who" }, e.who));
    for (const s of e.sources || []) lines.push(el("span", { class: "source" }, "source: " + sourceLine(s)));
    for (const s of e.reported_by || []) lines.push(el("span", { class: "source" }, "relaying: " + sourceLine(s)));
    return lines;
  }

  // An entity's place among all the graph's entities by PageRank, which the drawing may show only a part of.
  const importance = (i) => "#" + fmt(i.place) + " of " + fmt(data.ranked) + " entities by PageRank (" + i.score.toPrecision(3) + ")";

  function nodeTip(id) {
    const i = info[id], tip = el("div", { class: "tip" }, el("strong", {}, i.name));
    if (i.name_ja) tip.append(el("div", {}, i.name_ja));
    if (i.aliases.length) tip.append(el("div", {}, "also: " + i.aliases.join(", ")));
    tip.append(el("div", {}, i.cls + (i.kind === "entity" ? " · " + i.degree + " links" : "")));
    if (i.place) tip.append(el("div", {}, importance(i)));
    if (i.money_in) tip.append(el("div", {}, "money in: " + money(i.money_in)));
    if (i.money_out) tip.append(el("div", {}, "money out: " + money(i.money_out)));
    if (i.gpus.length) tip.append(el("div", {}, "GPUs: " + i.gpus.map(g => fmt(g.count) + (g.when ? " (" + g.when + ")" : "")).join(" → ")));
    if (i.kind === "event") for (const line of eventLines(id)) tip.append(el("div", {}, line));
    return tip;
  }
  function edgeTip(edge) {
    const tip = el("div", { class: "tip" }, el("strong", {}, info[edge.from].name + " → " + edge.label + " → " + info[edge.to].name));
    const ids = edge.events || [];
    for (const id of ids) for (const line of eventLines(id)) tip.append(el("div", {}, line));
    if (edge.events_total > ids.length) tip.append(el("div", { class: "meta" }, "and " + fmt(edge.events_total - ids.length) + " older events"));
    for (const s of edge.sources || []) tip.append(el("div", { class: "source" }, "source: " + sourceLine(s)));
    return tip;
  }

  for (const n of data.nodes) { n.title = nodeTip(n.id); n.baseValue = n.value; n.baseLabel = n.label; }
  // With events folded into edges, the capacity observations have no node of their own:
  // an asset's label carries its GPU counts over time instead ("100,000 → 200,000 GPUs").
  const modeLabel = (n) => {
    const gpus = info[n.id].gpus;
    if (state.mode === "show" || !gpus.length) return n.baseLabel;
    return n.baseLabel + "\n" + gpus.map(g => fmt(g.count)).join(" → ") + " GPUs";
  };
  for (const n of data.nodes) { n.label = modeLabel(n); n.value = sizeValue(n); }
  for (const e of data.edges) e.title = edgeTip(e);
  const nodes = new vis.DataSet(data.nodes), edges = new vis.DataSet(data.edges);
  const visible = (id) => {
    const i = info[id];
    return id === data.focus || ((i.kind !== "event" || state.mode === "show") && !state.hidden.has(i.cls));
  };
  const nodesView = new vis.DataView(nodes, { filter: (n) => visible(n.id) });
  // Events as nodes: a shortcut edge is drawn (dashed) only where an event it stands for is not, left out by the
  // node cap or the class filter, so that the entities it links do not look unlinked; folded: entity to entity.
  const drawn = (id) => info[id] !== undefined && visible(id);
  const edgesView = new vis.DataView(edges, {
    filter: (e) => visible(e.from) && visible(e.to) && (state.mode === "show"
      ? !e.derived || (e.events_total > 0 && (e.events_off_page || !e.event_nodes.every(drawn)))
      : info[e.from].kind === "entity" && info[e.to].kind === "entity"),
  });
  const container = document.getElementById("network");
  const network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, data.options);
  const status = document.getElementById("status");
  network.on("stabilizationProgress", (p) => { status.textContent = "laying out… " + Math.round(100 * p.iterations / p.total) + "%"; });
  network.on("stabilizationIterationsDone", () => {
    network.setOptions({ physics: { enabled: false } });  // settled: stop, so the page is still and cheap
    state.stabilized = true;
    status.textContent = nodesView.length + " nodes, " + edgesView.length + " edges";
    network.fit();
    if (data.focus && nodes.get(data.focus)) network.selectNodes([data.focus]);
    window.aikgView.stabilizedAt = performance.now();
  });
  function relayout() {
    state.stabilized = false;
    network.setOptions({ physics: { enabled: true } });
    network.stabilize(200);
  }

  document.getElementById("note").textContent = data.note;

  // Legend and class filter in one: each class a checkbox with its colour and shape.
  const legend = document.querySelector("#legend ul");
  for (const c of data.legend) {
    const box = el("input", { type: "checkbox", "data-class": c.cls });
    box.checked = true;
    box.addEventListener("change", () => {
      if (box.checked) state.hidden.delete(c.cls); else state.hidden.add(c.cls);
      nodesView.refresh(); edgesView.refresh();
    });
    const swatch = el("span", { class: "swatch " + c.shape });
    swatch.style.background = c.color;
    legend.append(el("li", { "data-event": String(c.event) }, el("label", {}, box, swatch, c.cls + " (" + c.count + ")")));
  }

  for (const radio of document.querySelectorAll("input[name=events]")) {
    radio.checked = radio.value === state.mode;
    radio.addEventListener("change", () => {
      state.mode = radio.value;
      nodes.update(data.nodes.filter(n => info[n.id].gpus.length).map(n => ({ id: n.id, label: modeLabel(n) })));
      nodesView.refresh(); edgesView.refresh(); relayout();
    });
  }
  // Node size: links in the drawing, money in and out (log scale), or importance in the whole graph (log scale:
  // a score of the average entity's is 3, a hundredth of it 1.3, a hundred times it 5; events stay smallest).
  function sizeValue(n) {
    const i = info[n.id];
    if (state.size === "money") return 1 + Math.log10(1 + (i.money_in + i.money_out) / 1e6);
    if (state.size === "importance") return i.place ? 1 + Math.log10(1 + 100 * i.score * data.ranked) : 1;
    return n.baseValue;
  }
  for (const radio of document.querySelectorAll("input[name=size]")) {
    radio.checked = radio.value === state.size;
    radio.addEventListener("change", () => {
      state.size = radio.value;
      nodes.update(data.nodes.map(n => ({ id: n.id, value: sizeValue(n) })));
    });
  }

  // Click: highlight the neighbourhood and show the card.
  function highlight(id) {
    const near = new Set(id ? [id, ...network.getConnectedNodes(id)] : nodes.getIds());
    nodes.update(nodes.getIds().map(n => ({ id: n, opacity: near.has(n) ? 1 : 0.15 })));
  }
  network.on("selectNode", (p) => { state.selected = p.nodes[0]; highlight(state.selected); showCard(state.selected); });
  network.on("deselectNode", () => { state.selected = null; highlight(null); document.getElementById("card").hidden = true; });

  function showCard(id) {
    const i = info[id], card = document.getElementById("card");
    card.replaceChildren(el("h2", {}, i.name));
    card.dataset.slug = id;
    if (i.name_ja) card.append(el("p", { class: "ja" }, i.name_ja));
    card.append(el("p", { class: "meta" }, i.classes.join(" · ")));
    if (i.aliases.length) card.append(el("p", { class: "meta" }, "also: " + i.aliases.join(", ")));
    if (i.place) card.append(el("p", { class: "meta importance" }, importance(i)));
    if (data.entityLink && i.kind === "entity") {
      card.append(el("p", {}, el("a", { href: data.entityLink + encodeURIComponent(id), class: "entity-link" }, "full card and sources")));
    }
    if (i.money_in || i.money_out) card.append(el("p", {}, [i.money_in ? "money in " + money(i.money_in) : "", i.money_out ? "money out " + money(i.money_out) : ""].filter(Boolean).join(" · ")));
    if (i.gpus.length) card.append(el("p", {}, "GPUs: " + i.gpus.map(g => fmt(g.count) + (g.when ? " (" + g.when + ")" : "")).join(" → ")));
    const list = i.kind === "event" ? [id] : i.events;
    const byType = {};
    for (const e of list) (byType[(events[e] || {}).type || "Event"] ||= []).push(e);
    for (const [type, ids] of Object.entries(byType)) {
      const ul = el("ul");
      for (const e of ids) {
        const li = el("li", { class: "event", "data-type": type, "data-id": e });
        for (const line of eventLines(e)) li.append(line, " ");
        ul.append(li);
      }
      card.append(el("h3", {}, type + " (" + ids.length + ")"), ul);
    }
    if (i.events_total > i.events.length) card.append(el("p", { class: "meta" }, "and " + fmt(i.events_total - i.events.length) + " older events; the full card lists them all"));
    const rel = el("ul");
    for (const e of edges.get()) {
      if (e.from !== id && e.to !== id) continue;
      const other = e.from === id ? e.to : e.from;
      rel.append(el("li", { class: "relation" }, (e.from === id ? "→ " : "← ") + e.label + " " + info[other].name));
    }
    if (rel.childElementCount) card.append(el("h3", {}, "Links"), rel);
    card.hidden = false;
  }

  // Search: exact name, alias or slug first, then prefix, then substring.
  const norm = (s) => (s || "").normalize("NFKC").toLowerCase().trim();
  function find(text) {
    const q = norm(text);
    if (!q) return null;
    let best = null, bestRank = 9;
    for (const [id, i] of Object.entries(info)) {
      if (!nodesView.get(id)) continue;
      for (const name of [i.name, i.name_ja, id, ...i.aliases]) {
        const n = norm(name);
        const rank = n === q ? 0 : n.startsWith(q) ? 1 : n.includes(q) ? 2 : 9;
        if (rank < bestRank || (rank === bestRank && best && i.degree > info[best].degree)) { best = id; bestRank = rank; }
      }
    }
    return bestRank < 9 ? best : null;
  }
  function focusNode(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: 1.3, animation: { duration: 400 } });
    state.selected = id; highlight(id); showCard(id);
  }
  document.getElementById("search").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const id = find(document.getElementById("search-box").value);
    if (id) { focusNode(id); status.textContent = "found " + info[id].name; }
    else status.textContent = "no node matches";
  });

  window.aikgView = { network, nodes, edges, nodesView, edgesView, state, find, focusNode, stabilizedAt: null };
})();
