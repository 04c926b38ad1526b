// The query page: run the editor's query against the endpoint and show the answer as a table.
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

function renderResults(data) {
  results.replaceChildren();
  if ("boolean" in data) {
    results.appendChild(element("p", "ASK → " + data.boolean));
    return 0;
  }
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
  results.appendChild(table);
  return data.results.bindings.length;
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
      statusLine.textContent = "failed after " + seconds + " s";
    } else if (type.startsWith("application/sparql-results+json")) {
      const data = await response.json();
      const rows = renderResults(data);
      statusLine.textContent = rows + " rows in " + seconds + " s";
      if (!("boolean" in data)) offerDownloads(query, "table");
    } else {
      results.replaceChildren(element("pre", await response.text(), "graph"));
      statusLine.textContent = "graph in " + seconds + " s";
      offerDownloads(query, "graph");
    }
    history.replaceState(null, "", "?query=" + encodeURIComponent(query));
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
