import { mirror, parsePointer, formatPointer } from "./client.js";

// The dashboard: the list of streams from /healthz, and one stream shown live (/?stream=/config).
// Everything from the server is put in the page as text (textContent), never as markup.

const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.search).get("access_token") ?? "";
// The server's root as this page sees it: "/" when served directly, "/mirror/" behind a proxy that
// maps that prefix to the server. Every URL the page makes is relative to it.
const root = new URL(".", location.href);
const kinds = new Map();
let current = null;

/** A dashboard URL keeps the page's token, so a link can be bookmarked and still opens. */
function pageURL(stream) {
  const query = new URLSearchParams();
  if (stream) query.set("stream", stream);
  if (token) query.set("access_token", token);
  const text = query.toString();
  return root.pathname + (text ? "?" + text : "");
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

// ---- the list of streams ----

async function refreshStreams() {
  const list = $("streams");
  try {
    const response = await fetch(new URL("healthz", root).href + (token ? "?access_token=" + encodeURIComponent(token) : ""), { cache: "no-store" });
    if (response.status === 401) {
      list.replaceChildren(element("p", "The list of streams needs a token: open this page with ?access_token=… in its URL.", "note"));
      return;
    }
    if (!response.ok) throw new Error(`/healthz answered ${response.status}`);
    const health = await response.json();
    const rows = health.streams.map((stream) => {
      kinds.set(stream.path, stream.kind);
      const row = element("tr");
      row.dataset.path = stream.path;
      if (current?.path === stream.path) row.className = "selected";
      const link = element("a", stream.path);
      link.href = pageURL(stream.path);
      const name = element("td");
      name.append(link, element("div", stream.watch, "watch"));
      row.append(name, element("td", stream.kind, "kind"), element("td", stream.state, "state " + stream.state),
        element("td", String(stream.clients), "clients"));
      return row;
    });
    const table = element("table");
    const head = element("tr");
    for (const title of ["stream", "kind", "state", "clients"]) head.append(element("th", title));
    table.append(element("thead"), element("tbody"));
    table.tHead.append(head);
    table.tBodies[0].append(...rows);
    list.replaceChildren(table);
    if (current && !current.kindKnown && kinds.has(current.path)) current.redraw();
  } catch (error) {
    list.replaceChildren(element("p", "Cannot read /healthz: " + error.message, "note"));
  }
}

// ---- one stream ----

/** JSON as JSON.stringify(value, null, 2) writes it, one entry per line, with each pointer's lines. */
function prettyLines(value) {
  const lines = [];
  const spans = new Map();
  const walk = (node, tokens, indent, prefix, suffix) => {
    const start = lines.length;
    const pad = "  ".repeat(indent);
    const entries = Array.isArray(node) ? node.map((item, i) => [i, item])
      : node !== null && typeof node === "object" ? Object.entries(node) : null;
    if (entries === null || entries.length === 0) {
      lines.push(pad + prefix + (entries === null ? JSON.stringify(node) : Array.isArray(node) ? "[]" : "{}") + suffix);
    } else {
      lines.push(pad + prefix + (Array.isArray(node) ? "[" : "{"));
      entries.forEach(([key, item], i) => {
        const label = Array.isArray(node) ? "" : JSON.stringify(key) + ": ";
        walk(item, [...tokens, key], indent + 1, label, i < entries.length - 1 ? "," : "");
      });
      lines.push(pad + (Array.isArray(node) ? "]" : "}") + suffix);
    }
    spans.set(formatPointer(tokens), [start, lines.length - 1]);
  };
  walk(value, [], 0, "", "");
  return { lines, spans };
}

/** The lines to light for touched pointers: the value's own lines, else (it went) its parent's first. */
function litLines(spans, touched) {
  const lit = new Set();
  for (const pointer of touched) {
    let tokens;
    try {
      tokens = parsePointer(pointer);
    } catch {
      continue;
    }
    let span = spans.get(formatPointer(tokens));
    if (span === undefined) {
      while (tokens.length && span === undefined) span = spans.get(formatPointer((tokens = tokens.slice(0, -1))));
      if (span) span = [span[0], span[0]];
    }
    if (span) for (let i = span[0]; i <= Math.min(span[1], span[0] + 200); i++) lit.add(i);
  }
  return lit;
}

function renderDocument(body, doc, info) {
  if (doc === null) {
    body.replaceChildren(element("p", `removed: ${info.removedPath ?? "the file is absent"}`, "removed"));
    return;
  }
  const pre = element("pre");
  pre.id = "doc";
  const { lines, spans } = prettyLines(doc);
  if (lines.length > 50000) {
    pre.textContent = lines.join("\n");
  } else {
    const lit = litLines(spans, info.touched);
    lines.forEach((line, i) => {
      const span = element("span", i < lines.length - 1 ? line + "\n" : line);
      if (lit.has(i)) span.className = "lit";
      pre.append(span);
    });
  }
  body.replaceChildren(pre);
}

function renderTree(body, doc, info) {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return renderDocument(body, doc, info);
  const touched = new Set();
  for (const pointer of info.touched) {
    try {
      const [key] = parsePointer(pointer);
      if (key !== undefined) touched.add(key);
    } catch {}
  }
  const table = element("table");
  table.id = "tree";
  const head = element("tr");
  for (const title of ["path", "size", "modified", "sha256"]) head.append(element("th", title));
  table.append(element("thead"), element("tbody"));
  table.tHead.append(head);
  for (const [key, entry] of Object.entries(doc)) {
    const row = element("tr");
    row.dataset.key = key;
    if (touched.has(key)) row.className = "lit";
    const isManifest = entry !== null && typeof entry === "object" && ("sha256" in entry || "size" in entry);
    const detail = !isManifest ? JSON.stringify(entry) : entry.error ? "error: " + entry.error : entry.sha256 ?? "";
    row.append(element("td", key, "path"), element("td", isManifest ? String(entry.size ?? "") : "", "size"),
      element("td", isManifest ? entry.mtime ?? "" : "", "mtime"), element("td", detail, "hash"));
    table.tBodies[0].append(row);
  }
  const count = element("p", `${Object.keys(doc).length} files`, "note");
  body.replaceChildren(count, table);
}

/** A log's tail: the lines kept, filtered by the box, held still while paused. */
function linesView(body) {
  const bar = element("div", undefined, "toolbar");
  const filter = element("input");
  filter.id = "filter";
  filter.type = "search";
  filter.placeholder = "filter lines";
  const pause = element("button", "Pause");
  pause.id = "pause";
  pause.type = "button";
  const count = element("span", "", "note");
  count.id = "line-count";
  bar.append(filter, pause, count);
  const pre = element("pre");
  pre.id = "lines";
  body.replaceChildren(bar, pre);
  let paused = false;
  let waiting = 0;
  let lines = [];
  const text = (line) => (typeof line === "string" ? line : JSON.stringify(line));
  const draw = () => {
    const needle = filter.value.toLowerCase();
    const shown = (needle ? lines.filter((line) => text(line).toLowerCase().includes(needle)) : lines).slice(-5000);
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.textContent = shown.map(text).join("\n");
    if (atEnd) pre.scrollTop = pre.scrollHeight;
    count.textContent = `${shown.length} of ${lines.length} lines` + (paused ? ", paused" : "");
  };
  filter.addEventListener("input", draw);
  pause.addEventListener("click", () => {
    paused = !paused;
    pause.textContent = paused ? "Resume" : "Pause";
    waiting = 0;
    draw();
  });
  return (doc, info) => {
    if (!Array.isArray(doc)) return renderDocument(body, doc, info);
    if (!body.contains(pre)) body.replaceChildren(bar, pre);
    lines = doc;
    if (paused) {
      waiting += info.lines.length;
      count.textContent = `paused, ${waiting} new lines`;
      return;
    }
    draw();
  };
}

function openStream(path) {
  current?.close();
  current = null;
  document.title = path ? `${path} · sse-mirror` : "sse-mirror";
  for (const row of document.querySelectorAll("#streams tr[data-path]")) {
    row.classList.toggle("selected", row.dataset.path === path);
  }
  $("view").hidden = !path;
  document.body.classList.toggle("viewing", Boolean(path));
  if (!path) return;
  $("view-title").textContent = path;
  const body = $("view-body");
  body.replaceChildren(element("p", "waiting for the first event…", "note"));
  const warning = $("warning");
  warning.hidden = true;
  let last = null;
  let lines = null;
  const view = { path, kindKnown: kinds.has(path) };
  view.redraw = () => {
    view.kindKnown = kinds.has(path);
    if (last) draw(...last);
  };
  const draw = (doc, info) => {
    const kind = kinds.get(path) ?? (info.event === "appended" || info.event === "truncated" ? "lines" : "file");
    if (kind === "lines") (lines ??= linesView(body))(doc, info);
    else if (kind === "tree") renderTree(body, doc, info);
    else renderDocument(body, doc, info);
  };
  const stream = mirror(path, (doc, info) => {
    if (info.removed) info.removedPath = info.removed.path;
    if (info.event === "invalid") {
      const { line, column, message } = info.invalid;
      warning.textContent = `invalid: ${line !== null ? `${line}:${column} ` : ""}${message} (the last good document stays shown)`;
      warning.hidden = false;
    } else {
      warning.hidden = info.invalid === null;
    }
    $("last-event").textContent = `${info.event} ${info.id} at ${new Date().toLocaleTimeString()}`;
    if (info.event === "invalid" || info.event === "truncated") return;
    last = [doc, info];
    draw(doc, info);
  }, {
    token,
    base: root.href,
    onStatus(status) {
      const badge = $("conn");
      badge.textContent = status.state === "closed" ? "closed, retrying" : status.state;
      badge.dataset.state = status.state;
      $("reconnects").textContent = `reconnects: ${status.reconnects}` + (status.resyncs ? `, resyncs: ${status.resyncs}` : "");
    },
  });
  view.close = () => stream.close();
  current = view;
}

function route() {
  openStream(new URLSearchParams(location.search).get("stream") ?? "");
}

document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[href]");
  if (!link || link.origin !== location.origin || link.pathname !== root.pathname || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  history.pushState(null, "", link.href);
  route();
});
window.addEventListener("popstate", route);
$("home").href = pageURL("");
refreshStreams().then(route);
setInterval(refreshStreams, 3000);
