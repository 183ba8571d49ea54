// Shared helpers of the projector and teacher pages. Every piece of text a client sent (nicknames,
// titles) goes into the page as text nodes and attribute values, never parsed as markup.
"use strict";

const GK = {};

// el("td", {class: "x", title: "t"}, "text", childNode, ...): a DOM element; strings become text nodes.
GK.el = function (tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return node;
};

GK.svg = function (tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children) {
    node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return node;
};

GK.clear = function (node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
};

GK.STATUS = {live: "● live", poll: "● live (polling)", reconnecting: "○ reconnecting…",
             error: "○ server not reachable", deleted: "this class's data was deleted"};

// ★★☆: stars as symbols, so they never depend on colour.
GK.stars = function (n) {
  n = Math.max(0, Math.min(3, Number(n) || 0));
  return "★".repeat(n) + "☆".repeat(3 - n);
};

GK.score = function (v) {
  return v === null || v === undefined ? "" : Number(v).toFixed(1);
};

// The board's order: total (highest first), ties to whoever reached it first, then the name.
GK.ranked = function (rows) {
  return rows.slice().sort((a, b) =>
    (Number(b.total) || 0) - (Number(a.total) || 0) ||
    String(a.reached_at || "~").localeCompare(String(b.reached_at || "~")) ||
    String(a.name).localeCompare(String(b.name)));
};

// The live board: server-sent events, or polling every 1.5 s when they are not available or drop.
// query: "" for the class's board, "?token=…" for the teacher's (live even while frozen).
GK.liveBoard = function (onBoard, onStatus, query) {
  query = query || "";
  let polling = null;
  let source = null;
  const poll = async () => {
    try {
      const r = await fetch("/api/board" + query, {cache: "no-store"});
      if (r.ok) { onBoard(await r.json()); onStatus(source && source.readyState === 1 ? "live" : "poll"); }
      else if (r.status === 410) { onStatus("deleted"); stop(); }
      else onStatus("error");
    } catch (e) { onStatus("error"); }
  };
  const stop = () => {
    if (polling) { clearInterval(polling); polling = null; }
    if (source) { source.close(); }
  };
  const startPolling = () => {
    if (polling) return;
    poll();
    polling = setInterval(poll, 1500);
  };
  if (window.EventSource) {
    source = new EventSource("/api/board/stream" + query);
    source.addEventListener("deleted", () => { onStatus("deleted"); stop(); });
    source.addEventListener("board", (ev) => {
      try { onBoard(JSON.parse(ev.data)); onStatus("live"); } catch (e) { /* a broken event: skip */ }
      if (polling) { clearInterval(polling); polling = null; }
    });
    source.onerror = () => { onStatus("reconnecting"); startPolling(); };
    // the first board comes by a plain request too, so the page is never empty while connecting
    poll();
  } else {
    startPolling();
  }
};
