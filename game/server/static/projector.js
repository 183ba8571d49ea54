// The projector page: the join code and address in large type, and the live board.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  let last = null;

  async function info() {
    try {
      const r = await fetch("/api/projector", {cache: "no-store"});
      if (!r.ok) return;
      const d = await r.json();
      $("title").textContent = d.title || "Class board";
      document.title = "Gatekeeper — " + (d.title || "class board");
      $("address").textContent = d.address || location.origin;
      // the code in groups of three, easier to read from the back of the room
      const code = String(d.code || "");
      $("code").textContent = code.length === 6 ? code.slice(0, 3) + " " + code.slice(3) : code;
    } catch (e) { setTimeout(info, 2000); }
  }

  function banner(board) {
    const b = $("banner");
    const parts = [];
    if (board.frozen) parts.push("❄ Board frozen — the teacher will reveal the final scores");
    if (board.practice) parts.push("Practice — no points, no board: play for the gates");
    else if (board.points_off) parts.push("Points are off — play for the gates, not the board");
    b.textContent = parts.join("   ·   ");
    b.hidden = parts.length === 0;
    b.className = "banner" + (board.frozen ? " frozen" : "") + (board.points_off ? " points-off" : "");
    document.body.classList.toggle("is-frozen", !!board.frozen);
  }

  // How many rows fit under the header at the current size (the rest are counted, not shown).
  function rowsThatFit() {
    const main = document.querySelector("main").getBoundingClientRect();
    const footer = document.querySelector("footer").getBoundingClientRect();
    const row = document.querySelector("#board-body tr");
    const rowH = row ? row.getBoundingClientRect().height : parseFloat(getComputedStyle(document.body).fontSize) * 1.6;
    const head = document.getElementById("board-head").getBoundingClientRect().height;
    return Math.max(3, Math.floor((footer.top - main.top - head - rowH) / rowH));
  }

  function render(board) {
    last = board;
    banner(board);
    const levels = board.levels || [];
    const pointsOff = !!board.points_off;
    const rows = pointsOff
      ? (board.rows || []).slice().sort((a, b) => String(a.name).localeCompare(String(b.name)))
      : (board.rows || []).some((r) => r.rank) ? (board.rows || []).slice() : GK.ranked(board.rows || []);
    // the best score of each level, marked ◆ in its column (a shape, not only bold)
    const best = {};
    for (const r of rows) for (const lv of levels) {
      const c = (r.levels || {})[lv.id];
      if (c && c.score !== null && c.score !== undefined && (best[lv.id] === undefined || c.score > best[lv.id]))
        best[lv.id] = c.score;
    }
    const head = GK.clear($("board-head"));
    head.appendChild(GK.el("tr", {},
      pointsOff ? null : GK.el("th", {class: "rank", scope: "col"}, "#"),
      GK.el("th", {class: "name", scope: "col"}, "Player"),
      levels.map((lv, i) => GK.el("th", {class: "level", scope: "col", title: lv.title},
        GK.el("span", {class: "level-n"}, "Level " + (i + 1)), GK.el("span", {class: "level-t"}, lv.title))),
      pointsOff ? null : GK.el("th", {class: "total", scope: "col"}, "Total")));
    const body = GK.clear($("board-body"));
    const fit = rowsThatFit();
    rows.slice(0, fit).forEach((r, i) => {
      const cells = levels.map((lv) => {
        const c = (r.levels || {})[lv.id];
        if (!c) return GK.el("td", {class: "cell none"}, "–");
        if (pointsOff || c.score === null || c.score === undefined)
          return GK.el("td", {class: "cell done"}, "✓ " + GK.stars(c.stars));
        const top = best[lv.id] !== undefined && c.score === best[lv.id] && c.score > 0;
        return GK.el("td", {class: "cell" + (top ? " best" : "")},
          GK.el("span", {class: "pts"}, (top ? "◆ " : "") + GK.score(c.score)),
          GK.el("span", {class: "stars", "aria-label": (c.stars || 0) + " stars"}, GK.stars(c.stars)));
      });
      body.appendChild(GK.el("tr", {class: pointsOff ? "row" : "row place-" + (i + 1), dataset: {name: r.name}},
        pointsOff ? null : GK.el("td", {class: "rank"}, String(i + 1)),
        GK.el("td", {class: "name"}, String(r.name)),
        cells,
        pointsOff ? null : GK.el("td", {class: "total"}, GK.score(r.total))));
    });
    const more = rows.length - Math.min(rows.length, fit);
    $("more").hidden = more <= 0;
    $("more").textContent = more > 0 ? "+ " + more + " more player" + (more === 1 ? "" : "s") : "";
    $("empty").hidden = rows.length > 0 || !!board.practice;
  }

  function status(s) {
    const el = $("status");
    el.textContent = GK.STATUS[s] || s;
    if (s === "deleted") { GK.clear($("board-body")); GK.clear($("board-head")); $("more").hidden = true; }
    el.dataset.state = s;
  }

  document.addEventListener("DOMContentLoaded", () => {
    info();
    GK.liveBoard(render, status);
    window.addEventListener("resize", () => { if (last) render(last); });
  });
})();
