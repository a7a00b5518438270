// sse-mirror client: one stream's document, kept current in the browser.
//
//   import { mirror } from "/client.js";
//   const stream = mirror("/config", (doc, info) => render(doc));
//   stream.close();
//
// It applies every event of PROTOCOL.md: `changed` (the whole document), `patch` (RFC 6902),
// `merge-patch` (RFC 7396), `removed` (the document is null), `invalid` (the document stays; the
// problem is reported), and a line stream's `appended` and `truncated`. The browser's EventSource
// resends the last id when it reconnects, so the server sends only what was missed (or the whole
// document when the id is from an earlier run). A patch that does not apply is never guessed at:
// the stream is opened again without an id and starts over from a whole `changed`.

/** A patch that cannot be applied (RFC 6902 §5: the whole patch fails). */
export class PatchError extends Error {
  constructor(message) {
    super(message);
    this.name = "PatchError";
  }
}

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

/** Sets a member without going through a setter, so a key named `__proto__` is just a key. */
function define(object, key, value) {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The reference tokens of an RFC 6901 JSON pointer (`~1` is `/`, `~0` is `~`). */
export function parsePointer(pointer) {
  if (typeof pointer !== "string") throw new PatchError("a path is not a string");
  if (pointer === "") return [];
  if (pointer[0] !== "/") throw new PatchError(`'${pointer}' is not a JSON pointer`);
  if (/~[^01]|~$/.test(pointer)) throw new PatchError(`'${pointer}' has a '~' not followed by 0 or 1`);
  return pointer.slice(1).split("/").map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** An RFC 6901 pointer from reference tokens. */
export function formatPointer(tokens) {
  return tokens.map((token) => "/" + String(token).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** An array index as RFC 6901 §4 writes it: `0` or digits without a leading zero. */
function arrayIndex(array, token, allowEnd) {
  if (allowEnd && token === "-") return array.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`'${token}' is not an array index`);
  const index = Number(token);
  if (index > array.length || (!allowEnd && index === array.length)) {
    throw new PatchError(`index ${token} is out of range (the array has ${array.length})`);
  }
  return index;
}

/** The value at a pointer; PatchError when there is none. */
export function valueAt(document, pointer) {
  let node = document;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(node)) node = node[arrayIndex(node, token, false)];
    else if (isObject(node) && hasOwn(node, token)) node = node[token];
    else throw new PatchError(`${pointer} is not in the document`);
  }
  return node;
}

/**
 * A copy of `document` in which `edit(parent, token)` has changed the container that holds the
 * pointer's last token. Only the containers on the way are copied: the rest is shared, so a patch
 * costs what it touches, and the document given is never changed.
 */
function editParent(document, tokens, pointer, edit) {
  const walk = (node, depth) => {
    let copy;
    if (Array.isArray(node)) copy = node.slice();
    else if (isObject(node)) copy = { ...node };
    else throw new PatchError(`${pointer}: a parent is not an object or an array`);
    const token = tokens[depth];
    if (depth === tokens.length - 1) {
      edit(copy, token);
      return copy;
    }
    if (Array.isArray(node)) {
      const index = arrayIndex(node, token, false);
      copy[index] = walk(node[index], depth + 1);
    } else {
      if (!hasOwn(node, token)) throw new PatchError(`${pointer}: a parent is not in the document`);
      define(copy, token, walk(node[token], depth + 1));
    }
    return copy;
  };
  return walk(document, 0);
}

function add(document, pointer, value) {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  return editParent(document, tokens, pointer, (parent, token) => {
    if (Array.isArray(parent)) parent.splice(arrayIndex(parent, token, true), 0, value);
    else define(parent, token, value);
  });
}

function remove(document, pointer) {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new PatchError("the whole document cannot be removed");
  return editParent(document, tokens, pointer, (parent, token) => {
    if (Array.isArray(parent)) parent.splice(arrayIndex(parent, token, false), 1);
    else if (hasOwn(parent, token)) delete parent[token];
    else throw new PatchError(`${pointer} is not in the document`);
  });
}

function replace(document, pointer, value) {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  return editParent(document, tokens, pointer, (parent, token) => {
    if (Array.isArray(parent)) parent[arrayIndex(parent, token, false)] = value;
    else if (hasOwn(parent, token)) define(parent, token, value);
    else throw new PatchError(`${pointer} is not in the document`);
  });
}

/** JSON equality (RFC 6902 §4.6): numbers by value, objects whatever their members' order. */
export function jsonEqual(a, b) {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return false;
}

/**
 * Applies an RFC 6902 JSON Patch: every operation in order (`add`, `remove`, `replace`, `move`,
 * `copy`, `test`), all or nothing. Returns the new document; the one given is not changed (the
 * result shares what the patch did not touch with it). Throws PatchError when any operation fails.
 */
export function applyPatch(document, patch) {
  if (!Array.isArray(patch)) throw new PatchError("a JSON Patch is an array of operations");
  let result = document;
  for (const operation of patch) {
    if (!isObject(operation)) throw new PatchError("an operation is not an object");
    const { op, path } = operation;
    const needsValue = op === "add" || op === "replace" || op === "test";
    if (needsValue && !hasOwn(operation, "value")) throw new PatchError(`${op} ${path}: no value`);
    switch (op) {
      case "add":
        result = add(result, path, operation.value);
        break;
      case "remove":
        result = remove(result, path);
        break;
      case "replace":
        result = replace(result, path, operation.value);
        break;
      case "move": {
        const value = valueAt(result, operation.from);
        if (operation.from === path) break;
        if (typeof path === "string" && path.startsWith(operation.from + "/")) {
          throw new PatchError(`move ${operation.from}: a value cannot move into itself`);
        }
        result = add(remove(result, operation.from), path, value);
        break;
      }
      case "copy":
        result = add(result, path, structuredClone(valueAt(result, operation.from)));
        break;
      case "test":
        if (!jsonEqual(valueAt(result, path), operation.value)) throw new PatchError(`test ${path}: the value differs`);
        break;
      default:
        throw new PatchError(`unknown operation '${op}'`);
    }
  }
  return result;
}

/**
 * Applies an RFC 7396 JSON Merge Patch (§2): an object patch merges member by member, `null`
 * removes a member, anything else replaces the target whole. The target is not changed.
 */
export function applyMergePatch(target, patch) {
  if (!isObject(patch)) return patch;
  const result = isObject(target) ? { ...target } : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) delete result[key];
    else define(result, key, applyMergePatch(hasOwn(result, key) ? result[key] : undefined, value));
  }
  return result;
}

/** The pointers a JSON Patch touched (`from` of a move too). */
export function patchPaths(patch) {
  const paths = [];
  for (const operation of patch) {
    if (operation.op === "test") continue;
    if (operation.op === "move") paths.push(operation.from);
    paths.push(operation.path);
  }
  return paths;
}

/** The pointers a merge patch touched: each member it sets or removes, at its deepest object. */
export function mergePatchPaths(patch, target, prefix = []) {
  if (!isObject(patch)) return [formatPointer(prefix)];
  const paths = [];
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    const inner = isObject(target) && hasOwn(target, key) ? target[key] : undefined;
    if (isObject(value) && isObject(inner)) paths.push(...mergePatchPaths(value, inner, [...prefix, key]));
    else paths.push(formatPointer([...prefix, key]));
  }
  return paths;
}

/** The pointers where two documents differ, deepest first found, at most `limit` of them. */
export function changedPaths(before, after, limit = 200) {
  const paths = [];
  const walk = (a, b, tokens) => {
    if (paths.length >= limit || a === b) return;
    if (isObject(a) && isObject(b)) {
      for (const key of Object.keys(b)) {
        if (!hasOwn(a, key)) paths.push(formatPointer([...tokens, key]));
        else walk(a[key], b[key], [...tokens, key]);
      }
      for (const key of Object.keys(a)) if (!hasOwn(b, key)) paths.push(formatPointer([...tokens, key]));
    } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((item, i) => walk(item, b[i], [...tokens, i]));
    } else if (!jsonEqual(a, b)) {
      paths.push(formatPointer(tokens));
    }
  };
  walk(before, after, []);
  return paths.slice(0, limit);
}

/**
 * Follows one stream and calls `onDocument(document, info)` after every event that can change
 * what a page shows. `document` is the current document (`null` after `removed`; for a line
 * stream, the array of lines kept); treat it as read-only, since the next version shares parts of it.
 * `info` holds `event` (its name), `id` (the last event id), `touched` (RFC 6901 pointers the
 * change touched), `lines` (the lines an `appended` added), `invalid` (the `invalid` payload in
 * force, or null) and `removed` (the payload of `removed`).
 *
 * Options: `token` (sent as `?access_token=`), `base` (the server's root URL, when the page is on
 * another origin, which must be listed under `cors:`, or when a proxy serves the server under a
 * prefix: "https://example.com/mirror/"; `path` is then taken below it), `withCredentials`, `maxLines`
 * (lines a line stream keeps, default 10,000), `onStatus(status)` with `state` ("connecting",
 * "live", "reconnecting" or "closed"), `reconnects`, `resyncs` and `lastEventId`.
 *
 * Returns `{ close(), document, status }`.
 */
export function mirror(path, onDocument, options = {}) {
  const maxLines = options.maxLines ?? 10000;
  const status = { state: "connecting", reconnects: 0, resyncs: 0, lastEventId: "" };
  let document;
  let invalid = null;
  let source = null;
  let wasOpen = false;
  let closed = false;
  let retryTimer = null;
  let failures = 0;

  const report = (state) => {
    status.state = state;
    options.onStatus?.({ ...status });
  };

  const url = (lastEventId) => {
    // With a base, the stream path is below the base's path (a proxy's prefix); without one it is
    // an absolute path on the page's own origin.
    const target = options.base
      ? new URL("." + path, String(options.base).endsWith("/") ? options.base : options.base + "/")
      : new URL(path, globalThis.location?.href);
    if (options.token) target.searchParams.set("access_token", options.token);
    if (lastEventId) target.searchParams.set("lastEventId", lastEventId);
    return target.href;
  };

  const open = (lastEventId) => {
    source?.close();
    wasOpen = false;
    source = new EventSource(url(lastEventId), { withCredentials: Boolean(options.withCredentials) });
    source.onopen = () => {
      if (wasOpen) return;
      wasOpen = true;
      failures = 0;
      report("live");
    };
    source.onerror = () => {
      if (closed) return;
      if (wasOpen) status.reconnects += 1;
      wasOpen = false;
      if (source.readyState === EventSource.CLOSED) {
        // The server refused for good (401, 404, 5xx): EventSource gives up, so try again later
        // ourselves, resuming from the last id we hold.
        report("closed");
        failures += 1;
        clearTimeout(retryTimer);
        retryTimer = setTimeout(() => open(status.lastEventId), Math.min(30000, 1000 * 2 ** failures));
      } else {
        report("reconnecting");
      }
    };
    for (const name of ["changed", "patch", "merge-patch", "removed", "invalid", "appended", "truncated"]) {
      source.addEventListener(name, (event) => receive(name, event));
    }
  };

  /** Starts over from a whole document: a new EventSource sends no Last-Event-ID. */
  const resync = (error) => {
    status.resyncs += 1;
    options.onError?.(error);
    document = undefined;
    status.lastEventId = "";
    open("");
  };

  const receive = (name, event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch (error) {
      return resync(error);
    }
    const info = { event: name, id: event.lastEventId, touched: [], lines: [], invalid: null, removed: null };
    const before = document;
    try {
      switch (name) {
        case "changed":
          document = data;
          invalid = null;
          if (before !== undefined && before !== null) info.touched = changedPaths(before, data);
          break;
        case "patch":
          if (before === undefined) throw new PatchError("a patch came before any document");
          document = applyPatch(before, data);
          invalid = null;
          info.touched = patchPaths(data);
          break;
        case "merge-patch":
          if (before === undefined) throw new PatchError("a merge patch came before any document");
          document = applyMergePatch(before, data);
          invalid = null;
          info.touched = mergePatchPaths(data, before);
          break;
        case "removed":
          document = null;
          invalid = null;
          info.removed = data;
          break;
        case "invalid":
          invalid = data;
          break;
        case "appended": {
          if (!Array.isArray(before)) throw new PatchError("lines came before the stream's lines");
          const lines = before.concat(data);
          document = lines.length > maxLines ? lines.slice(lines.length - maxLines) : lines;
          info.lines = data;
          break;
        }
        case "truncated":
          info.truncated = data;
          break;
      }
    } catch (error) {
      return resync(error);
    }
    if (event.lastEventId) status.lastEventId = event.lastEventId;
    info.invalid = invalid;
    options.onStatus?.({ ...status });
    onDocument(document, info);
  };

  open("");
  report("connecting");
  return {
    close() {
      closed = true;
      clearTimeout(retryTimer);
      source?.close();
      report("closed");
    },
    get document() {
      return document;
    },
    get status() {
      return { ...status };
    },
  };
}
