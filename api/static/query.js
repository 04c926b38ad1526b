// The query page: run the editor's query against the endpoint and show the answer as a table or a bar chart.
"use strict";

const settings = JSON.parse(document.getElementById("settings").textContent);
const editor = document.getElementById("editor");
const examples = document.getElementById("examples");
const runButton = document.getElementById("run");
const statusLine = document.getElementById("status");
const results = document.getElementById("results");

// Shorten IRIs with the prefixes the server declares, so tables stay readable.
const prefixes = Object.entries(settings.prefixes).sort((a, b) => b[1].length - a[1].length);
function shorten(iri) {
  for (const [name, ns] of prefixes) {
    if (iri.startsWith(ns)) return name + ":" + iri.slice(ns.length);
  }
  return "<" + iri + ">";
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

// Where an IRI leads: an entity or event to the graph view around it, a source document to everything it
// reported (this page again), anything else nowhere.
const SLUG = /^[a-z0-9][a-z0-9-]*$/;
function target(iri) {
  for (const [kind, ns] of Object.entries(settings.links)) {
    const slug = iri.startsWith(ns) ? iri.slice(ns.length) : "";
    if (!SLUG.test(slug)) continue;
    if (kind === "entity") return "/view?" + new URLSearchParams({ focus: slug, depth: "1" });
    const reported = "SELECT ?subject ?predicate ?object\nWHERE {\n  GRAPH <" + iri + "> { ?subject ?predicate ?object }\n}\nLIMIT 500";
    return "?" + new URLSearchParams({ query: reported });
  }
  return null;
}

function renderTerm(term) {
  const cell = element("td");
  if (!term) return cell;
  if (term.type === "uri") {
    const href = target(term.value);
    const link = element(href ? "a" : "span", shorten(term.value), "iri");
    if (href) link.href = href;
    link.title = term.value;
    cell.appendChild(link);
  } else if (term.type === "bnode") {
    cell.textContent = "_:" + term.value;
  } else {
    cell.appendChild(document.createTextNode(term.value));
    if (term["xml:lang"]) cell.appendChild(element("span", " @" + term["xml:lang"], "lang"));
    else if (term.datatype) cell.appendChild(element("span", " ^^" + shorten(term.datatype), "datatype"));
  }
  return cell;
}

function renderTable(data) {
  const vars = data.head.vars;
  const table = element("table");
  const head = element("tr");
  vars.forEach((v) => head.appendChild(element("th", "?" + v)));
  table.appendChild(head);
  for (const row of data.results.bindings) {
    const tr = element("tr");
    vars.forEach((v) => tr.appendChild(renderTerm(row[v])));
    table.appendChild(tr);
  }
  results.replaceChildren(table);
}

// A column is charted when every value it binds is a number (a literal of an XSD numeric type), and it binds one at least.
const XSD = "http://www.w3.org/2001/XMLSchema#";
const NUMERIC = new Set(["integer", "decimal", "double", "float", "long", "int", "short", "byte", "nonNegativeInteger",
  "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort",
  "unsignedByte"].map((name) => XSD + name));
function isNumber(term) {
  return term.type === "literal" && NUMERIC.has(term.datatype) && term.value.trim() !== "" && Number.isFinite(Number(term.value));
}
function numberColumns(data) {
  return data.head.vars.filter((v) => {
    const bound = data.results.bindings.map((row) => row[v]).filter(Boolean);
    return bound.length > 0 && bound.every(isNumber);
  });
}

function termText(term) {
  if (!term) return "(none)";
  if (term.type === "uri") return shorten(term.value);
  if (term.type === "bnode") return "_:" + term.value;
  return term.value;
}

const CHART_BARS = 200;
const formatNumber = new Intl.NumberFormat("en-US", { maximumFractionDigits: 6 });

function columnChoice(label, vars, chosen, onChange) {
  const select = element("select");
  select.setAttribute("aria-label", label);
  select.dataset.role = label;
  vars.forEach((v) => select.appendChild(Object.assign(element("option", "?" + v), { value: v, selected: v === chosen })));
  select.addEventListener("change", () => onChange(select.value));
  const labelled = element("label", label + " ");
  labelled.appendChild(select);
  return labelled;
}

// Bars of one number column, one a row (the first CHART_BARS), named by another column; a bar starts at
// zero, so a negative number goes left of it.
function renderChart(data) {
  const numbers = numberColumns(data);
  const value = numbers.includes(shown.value) ? shown.value : numbers[0];
  const labels = data.head.vars.filter((v) => v !== value);
  const label = labels.includes(shown.label) ? shown.label
    : labels.find((v) => !numbers.includes(v)) || labels[0];
  shown.value = value;
  shown.label = label;
  const choices = element("div", undefined, "chart-choices");
  choices.appendChild(columnChoice("Bars", numbers, value, (v) => { shown.value = v; show(); }));
  if (labels.length) choices.appendChild(columnChoice("Named by", labels, label, (v) => { shown.label = v; show(); }));

  const rows = data.results.bindings.filter((row) => row[value]);
  const drawn = rows.slice(0, CHART_BARS);
  const amounts = drawn.map((row) => Number(row[value].value));
  const low = Math.min(0, ...amounts), high = Math.max(0, ...amounts);
  const span = high - low || 1;
  const chart = element("div", undefined, "chart");
  chart.setAttribute("role", "figure");
  chart.setAttribute("aria-label", "?" + value + (label ? " by ?" + label : ""));
  drawn.forEach((row, i) => {
    const amount = amounts[i];
    const name = label ? termText(row[label]) : String(i + 1);
    const bar = element("span", undefined, "chart-bar" + (amount < 0 ? " negative" : ""));
    bar.style.left = ((Math.min(amount, 0) - low) / span * 100) + "%";
    bar.style.width = (Math.abs(amount) / span * 100) + "%";
    const track = element("span", undefined, "chart-track");
    track.appendChild(bar);
    const href = label && row[label] && row[label].type === "uri" ? target(row[label].value) : null;
    const named = element(href ? "a" : "span", name, "chart-label");  // an entity leads to the view, as in the table
    if (href) named.href = href;
    const line = element("div", undefined, "chart-row");
    line.title = name + ": " + row[value].value;
    line.append(named, track, element("span", formatNumber.format(amount), "chart-value"));
    chart.appendChild(line);
  });
  const notes = [];
  if (rows.length > CHART_BARS) notes.push("the first " + CHART_BARS + " of " + rows.length + " rows");
  const unbound = data.results.bindings.length - rows.length;
  if (unbound) notes.push(unbound + (unbound === 1 ? " row" : " rows") + " without ?" + value + " left out");
  results.replaceChildren(choices, chart);
  if (notes.length) results.appendChild(element("p", notes.join("; "), "chart-note"));
}

// What the answer is shown as (a table or chart, Turtle or a drawing), kept in the page's address so it can be shared.
const views = document.getElementById("views");
const shown = { view: settings.view, value: settings.chart.value, label: settings.chart.label, data: null, turtle: null,
                query: "" };

function offerViews(choices, chosen) {
  views.replaceChildren(...choices.map(([value, text]) => {
    const input = Object.assign(element("input"), { type: "radio", name: "view", value, checked: value === chosen });
    const label = element("label");
    label.append(input, " " + text);
    return label;
  }));
  views.hidden = false;
}

function show() {
  const address = new URLSearchParams({ query: shown.query });
  if (shown.turtle !== null) {  // a graph: its Turtle, or drawn
    const drawn = shown.view === "graph";
    offerViews([["turtle", "Turtle"], ["graph", "Graph"]], drawn ? "graph" : "turtle");
    if (drawn) {
      address.set("view", "graph");
      drawAnswer(shown.query);
    } else {
      results.replaceChildren(element("pre", shown.turtle, "graph"));
    }
    history.replaceState(null, "", "?" + address);
    return;
  }
  const data = shown.data;
  const chartable = !("boolean" in data) && numberColumns(data).length > 0;
  const chart = chartable && shown.view === "chart";
  if (chartable) offerViews([["table", "Table"], ["chart", "Chart"]], chart ? "chart" : "table");
  else views.hidden = true;
  if ("boolean" in data) results.replaceChildren(element("p", "ASK → " + data.boolean));
  else if (chart) renderChart(data);
  else renderTable(data);
  if (chart) {
    address.set("view", "chart");
    address.set("value", shown.value);
    if (shown.label) address.set("label", shown.label);
  }
  history.replaceState(null, "", "?" + address);
}

function renderResults(data, query) {
  Object.assign(shown, { data, turtle: null, query });
  show();
  return "boolean" in data ? 0 : data.results.bindings.length;
}

function renderGraph(turtle, query) {
  parsed = { query: null, triples: null };  // a new run: the drawing reads the answer afresh
  Object.assign(shown, { data: null, turtle, query });
  show();
}

views.addEventListener("change", (event) => { shown.view = event.target.value; show(); });

// A graph answer drawn: its IRIs and blank nodes as nodes, a triple between two of them as an edge, literals
// (and types) in a node's tooltip, a label (rdfs:label or skos:prefLabel, English first) as its name. The
// drawing library is the one the graph view uses, served by this server and loaded the first time it is needed.
const RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const LABELS = ["http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel"];
const GRAPH_NODES = 500;
let drawing = null;

function loadDrawing() {
  if (!drawing) {
    drawing = new Promise((resolve, reject) => {
      const style = Object.assign(element("link"), { rel: "stylesheet", href: settings.vis + "vis-network.css" });
      const script = Object.assign(element("script"), { src: settings.vis + "vis-network.min.js" });
      script.onload = () => resolve(window.vis);
      script.onerror = () => { drawing = null; reject(new Error("the drawing library did not load")); };
      document.head.append(style, script);
    });
  }
  return drawing;
}

// N-Triples, as the endpoint writes it: one triple a line, terms as <iri>, _:label or "literal" with @lang or ^^<type>.
const NT_TERM = /<([^>]*)>|_:([^\s]+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?/y;
const NT_ESCAPES = { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f", '"': '"', "'": "'", "\\": "\\" };
function unescapeLiteral(text) {
  return text.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g,
    (_, u4, u8, c) => (u4 || u8) ? String.fromCodePoint(parseInt(u4 || u8, 16)) : (NT_ESCAPES[c] ?? c));
}
function parseNTriples(text) {
  const triples = [];
  for (const line of text.split("\n")) {
    const terms = [];
    let at = 0;
    while (terms.length < 3) {
      while (line[at] === " " || line[at] === "\t") at += 1;
      NT_TERM.lastIndex = at;
      const m = NT_TERM.exec(line);
      if (!m) break;
      at = NT_TERM.lastIndex;
      if (m[1] !== undefined) terms.push({ type: "uri", value: m[1] });
      else if (m[2] !== undefined) terms.push({ type: "bnode", value: m[2] });
      else terms.push({ type: "literal", value: unescapeLiteral(m[3]), lang: m[4], datatype: m[5] });
    }
    if (terms.length === 3) triples.push(terms);
  }
  return triples;
}

function graphOf(triples) {
  const nodes = new Map(), edges = [], names = new Map(), types = [];
  const termId = (term) => (term.type === "bnode" ? "_:" : "") + term.value;
  const node = (term) => {
    const id = termId(term);
    if (!nodes.has(id)) nodes.set(id, { id, term, label: termText(term), facts: [] });
    return nodes.get(id);
  };
  for (const [s, p, o] of triples) {
    const subject = node(s);
    if (o.type === "literal") {
      subject.facts.push(shorten(p.value) + ": " + o.value + (o.lang ? " @" + o.lang : ""));
      const rank = LABELS.includes(p.value) ? (o.lang === "en" ? 2 : 1) : 0;
      if (rank > (names.get(subject.id)?.rank || 0)) names.set(subject.id, { rank, text: o.value });
    } else if (p.value === RDF_TYPE) {  // a class is a fact about the node, drawn only if the answer says more of it
      subject.facts.push("a " + shorten(o.value));
      types.push([subject.id, o]);
    } else {
      edges.push({ id: edges.length, from: subject.id, to: node(o).id, label: shorten(p.value).replace(/^[^:]*:/, ""),
                   title: shorten(p.value) });
    }
  }
  for (const [id, type] of types) {
    if (nodes.has(termId(type))) edges.push({ id: edges.length, from: id, to: termId(type), label: "a", title: "rdf:type" });
  }
  for (const [id, name] of names) nodes.get(id).label = name.text;
  return { nodes: [...nodes.values()], edges };
}

// The answer's triples, asked for as N-Triples once per run: switching between Turtle and Graph does not run it again.
let parsed = { query: null, triples: null };
async function answerTriples(query) {
  if (parsed.query !== query) {
    const response = await fetch(settings.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/n-triples" },
      body: new URLSearchParams({ query }),
    });
    if (!response.ok) throw new Error(response.status + " " + (await response.text()));
    parsed = { query, triples: parseNTriples(await response.text()) };
  }
  return parsed.triples;
}

async function drawAnswer(query) {
  const box = element("div", undefined, "query-graph");
  const note = element("p", "drawing…", "chart-note");
  results.replaceChildren(note, box);
  try {
    const [vis, triples] = await Promise.all([loadDrawing(), answerTriples(query)]);
    if (shown.query !== query || shown.view !== "graph") return;  // another answer or view was asked for meanwhile
    const graph = graphOf(triples);
    const kept = new Set(graph.nodes.slice(0, GRAPH_NODES).map((n) => n.id));
    const nodes = new vis.DataSet(graph.nodes.filter((n) => kept.has(n.id)).map((n) => ({
      id: n.id, label: n.label, title: [n.term.type === "uri" ? n.term.value : n.label, ...n.facts].join("\n"),
      shape: "dot", size: 10, color: n.term.type === "uri" && target(n.term.value) ? "#1d3557" : "#9aa5b1",
    })));
    const edges = new vis.DataSet(graph.edges.filter((e) => kept.has(e.from) && kept.has(e.to)));
    const network = new vis.Network(box, { nodes, edges }, {
      edges: { arrows: { to: { scaleFactor: 0.6 } }, font: { size: 10, align: "horizontal" }, smooth: false,
               color: { color: "#9aa5b1", highlight: "#e76f51" } },
      nodes: { font: { size: 13 } },
      physics: { stabilization: { iterations: 300, fit: true }, barnesHut: { springLength: 120 } },
    });
    network.once("stabilizationIterationsDone", () => network.setOptions({ physics: false }));
    network.on("doubleClick", (event) => {  // an entity opens the graph view around it, a source what it reported
      const chosen = event.nodes.length ? nodes.get(event.nodes[0]) : null;
      const href = chosen && !chosen.id.startsWith("_:") ? target(chosen.id) : null;
      if (href) window.location.assign(href);
    });
    window.aikgQueryGraph = { network, nodes, edges };
    note.textContent = graph.nodes.length + " nodes, " + graph.edges.length + " edges"
      + (graph.nodes.length > GRAPH_NODES ? "; the first " + GRAPH_NODES + " nodes drawn" : "")
      + " (double-click an entity to open the graph view around it)";
  } catch (error) {
    results.replaceChildren(element("p", "The graph could not be drawn: " + error.message, "error"));
  }
}

// The last answer, downloadable in the formats the endpoint serves for it.
const downloads = document.getElementById("downloads");
const FORMATS = {
  table: [["CSV", "text/csv", "csv"], ["TSV", "text/tab-separated-values", "tsv"], ["JSON", "application/sparql-results+json", "json"],
          ["XML", "application/sparql-results+xml", "srx"]],
  graph: [["Turtle", "text/turtle", "ttl"], ["N-Triples", "application/n-triples", "nt"], ["JSON-LD", "application/ld+json", "jsonld"]],
};
let answered = null;

function offerDownloads(query, kind) {
  answered = query;
  const buttons = FORMATS[kind].map(([label, accept, extension]) => {
    const button = element("button", label, "download");
    button.type = "button";
    button.addEventListener("click", () => download(accept, extension));
    return button;
  });
  downloads.replaceChildren(element("span", "Download "), ...buttons);
  downloads.hidden = false;
}

async function download(accept, extension) {
  const response = await fetch(settings.endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": accept },
    body: new URLSearchParams({ query: answered }),
  });
  if (!response.ok) {
    statusLine.textContent = "download failed: " + response.status + " " + (await response.text());
    return;
  }
  const link = element("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = "aikg-results." + extension;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}

async function run() {
  const query = editor.value;
  downloads.hidden = true;
  runButton.disabled = true;
  statusLine.textContent = "running…";
  const started = performance.now();
  try {
    const response = await fetch(settings.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9",
      },
      body: new URLSearchParams({ query }),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const type = response.headers.get("content-type") || "";
    if (!response.ok) {
      results.replaceChildren(element("p", response.status + " " + (await response.text()), "error"));
      views.hidden = true;
      statusLine.textContent = "failed after " + seconds + " s";
    } else if (type.startsWith("application/sparql-results+json")) {
      const data = await response.json();
      const rows = renderResults(data, query);
      statusLine.textContent = rows + " rows in " + seconds + " s";
      if (!("boolean" in data)) offerDownloads(query, "table");
    } else {
      renderGraph(await response.text(), query);
      statusLine.textContent = "graph in " + seconds + " s";
      offerDownloads(query, "graph");
    }
    // An answer keeps its own address (show); a failure, the query alone.
    if (!response.ok) history.replaceState(null, "", "?" + new URLSearchParams({ query }));
  } catch (error) {
    results.replaceChildren(element("p", "The server did not answer: " + error, "error"));
    statusLine.textContent = "";
  } finally {
    runButton.disabled = false;
  }
}

for (const [title, text] of Object.entries(settings.examples)) {
  const option = element("option", title);
  option.value = text;
  examples.appendChild(option);
}
examples.addEventListener("change", () => { if (examples.value) editor.value = examples.value; });
runButton.addEventListener("click", run);
editor.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") { event.preventDefault(); run(); }
  if (event.key === "Tab") {  // indent instead of leaving the editor
    event.preventDefault();
    const { selectionStart: start, selectionEnd: end } = editor;
    editor.setRangeText("  ", start, end, "end");
  }
});

editor.value = settings.query || Object.values(settings.examples)[0];
if (settings.query) run();
