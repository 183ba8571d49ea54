// The teacher page: roster and attempts, freeze / points off, the class view, CSV, deleting the class.
// Every request carries the teacher's token from this page's address (?token=…) as a Bearer header.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const TOKEN = new URLSearchParams(location.search).get("token") || "";
  const GATE = {
    forget: {symbol: "×", colour: "#D55E00"},   // Okabe–Ito vermillion
    input: {symbol: "+", colour: "#009E73"},    // bluish green
    output: {symbol: "▸", colour: "#0072B2"},   // blue
    update: {symbol: "z", colour: "#E69F00"},   // orange (a GRU's gates, as the game draws them)
    reset: {symbol: "r", colour: "#56B4E9"},    // sky blue
  };
  let board = {frozen: false, points_off: false, levels: []};
  let levels = [];
  let code = "";
  let selectedLevel = null;
  let viewing = null;

  function withToken(path) {
    return path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(TOKEN);
  }

  async function api(method, path, body) {
    const opts = {method, cache: "no-store", headers: {Authorization: "Bearer " + TOKEN}};
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const r = await fetch(path, opts);
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (!r.ok) throw new Error((data && data.error) || (r.status + " " + r.statusText));
    return data;
  }

  function say(text, bad) {
    const m = $("message");
    m.textContent = text;
    m.hidden = !text;
    m.className = "message" + (bad ? " bad" : "");
  }

  // -- the class and its controls -----------------------------------------------------------------
  async function info() {
    const d = await api("GET", "/api/projector");
    $("title").textContent = d.title || "Class";
    document.title = "Gatekeeper — teacher — " + (d.title || "class");
    $("address").textContent = d.address || location.origin;
    code = String(d.code || "");
    $("code").textContent = code;
    $("delete-code").textContent = code;
    const ch = await api("GET", "/api/challenge");
    levels = ch.levels || [];
    renderLevelTabs();
    roster(true);  // the attempts name their level by its number
    if (levels.length && selectedLevel === null) selectLevel(levels[0].id);
  }

  function renderState() {
    $("freeze").textContent = board.frozen ? "Unfreeze the board" : "Freeze the board";
    $("freeze").setAttribute("aria-pressed", board.frozen ? "true" : "false");
    $("points").textContent = board.points_off ? "Turn points on" : "Turn points off";
    $("points").setAttribute("aria-pressed", board.points_off ? "true" : "false");
    const parts = [board.frozen ? "❄ board frozen" : "board live", board.points_off ? "points off" : "points on"];
    $("state").textContent = parts.join(" · ");
  }

  async function toggle(path, key) {
    try {
      const d = await api("POST", path, {[key]: !board[key]});
      if (d && key in d) board[key] = d[key]; else board[key] = !board[key];
      renderState();
      say("");
    } catch (e) { say(e.message, true); }
  }

  // -- roster -----------------------------------------------------------------------------------------
  function norm(a) {
    return {id: a.id !== undefined ? a.id : a.attempt_id, level: a.level !== undefined ? a.level : a.level_id,
            score: a.score, stars: a.stars, verified_at: a.verified_at, hints: a.hints};
  }

  function levelIndex(id) {
    const i = levels.findIndex((lv) => lv.id === id);
    return i < 0 ? "?" : String(i + 1);
  }

  let editing = false;
  let lastRoster = "";
  let lastView = "";  // a rename or remove form is open: board events must not redraw it away

  let deleted = false;  // the class's data is gone: nothing more to ask the server

  function showDeleted() {
    deleted = true;
    say("This class's data is deleted.");
    GK.clear($("roster-body"));
    GK.clear($("cv-chart"));
    GK.clear($("cv-summary"));
    $("viewer").hidden = true;
    $("delete-confirm").hidden = true;
    for (const b of document.querySelectorAll("button")) b.disabled = true;
  }

  async function roster(force) {
    if (deleted || (editing && force !== true)) return;
    editing = false;
    let d;
    try { d = await api("GET", "/api/teacher/roster"); } catch (e) { if (!deleted) say(e.message, true); return; }
    const text = JSON.stringify(d);
    if (text === lastRoster && force !== true) return;  // nothing new: keep the page as it is
    lastRoster = text;
    const students = Array.isArray(d) ? d : (d.students || d.roster || []);
    $("count").textContent = "(" + students.length + ")";
    $("roster-empty").hidden = students.length > 0;
    GK.clear($("roster-head")).appendChild(GK.el("tr", {},
      GK.el("th", {scope: "col"}, "Nickname"), GK.el("th", {scope: "col"}, "Roster id"),
      GK.el("th", {scope: "col"}, "Attempts (level: score, stars) — open one to see it"),
      GK.el("th", {scope: "col"}, "")));
    const body = GK.clear($("roster-body"));
    for (const s of students) {
      const attempts = (s.attempts || []).map(norm);
      const chips = attempts.map((a) => GK.el("button", {
        type: "button", class: "chip" + (viewing === a.id ? " open" : ""), dataset: {attempt: a.id},
        title: "Open this attempt as the game's comparison",
        onclick: () => openAttempt(a, s.name)},
        "L" + levelIndex(a.level) + ": " + GK.score(a.score) + " " + GK.stars(a.stars)));
      const row = GK.el("tr", {dataset: {student: s.id}},
        GK.el("td", {class: "nick"}, String(s.name)),
        GK.el("td", {class: "dim"}, s.roster_id ? String(s.roster_id) : "—"),
        GK.el("td", {}, GK.el("div", {class: "chips"},
          chips.length ? chips : GK.el("span", {class: "dim"}, "no attempt yet"))),
        GK.el("td", {class: "actions"},
          GK.el("button", {type: "button", class: "rename", onclick: () => renameForm(row, s)}, "Rename"),
          GK.el("button", {type: "button", class: "remove", onclick: () => removeForm(row, s)}, "Remove")));
      body.appendChild(row);
    }
  }

  function inlineForm(row, children) {
    editing = true;
    const cell = row.querySelector(".actions");
    GK.clear(cell);
    for (const c of children) cell.appendChild(c);
  }

  function renameForm(row, s) {
    const input = GK.el("input", {value: s.name, maxlength: 40, "aria-label": "New nickname"});
    const save = async () => {
      try {
        await api("POST", "/api/teacher/students/" + encodeURIComponent(s.id) + "/rename", {name: input.value});
        say("Renamed.");
      } catch (e) { say(e.message, true); }
      roster(true);
    };
    input.addEventListener("keydown", (ev) => { if (ev.key === "Enter") save(); });
    inlineForm(row, [input, GK.el("button", {type: "button", onclick: save}, "Save"),
                     GK.el("button", {type: "button", onclick: () => roster(true)}, "Cancel")]);
    input.focus();
  }

  function removeForm(row, s) {
    const yes = async () => {
      try {
        await api("DELETE", "/api/teacher/students/" + encodeURIComponent(s.id));
        say("Removed " + s.name + " and their attempts.");
      } catch (e) { say(e.message, true); }
      roster(true);
    };
    inlineForm(row, [GK.el("span", {}, "Remove with their attempts? "),
                     GK.el("button", {type: "button", class: "bad", onclick: yes}, "Remove"),
                     GK.el("button", {type: "button", onclick: () => roster(true)}, "Cancel")]);
  }

  function openAttempt(a, name) {
    viewing = a.id;
    $("viewer").hidden = false;
    $("viewer-h").textContent = "Attempt by " + name + " — level " + levelIndex(a.level) + ", " +
      GK.score(a.score) + " points " + GK.stars(a.stars);
    const img = $("viewer-img");
    img.alt = "The comparison of " + name + "'s attempt";
    img.src = withToken("/api/teacher/attempts/" + encodeURIComponent(a.id) + "/comparison.png");
    $("viewer").scrollIntoView({behavior: "smooth", block: "start"});
  }

  // -- class view -------------------------------------------------------------------------------------
  function renderLevelTabs() {
    const box = GK.clear($("cv-levels"));
    levels.forEach((lv, i) => box.appendChild(GK.el("button", {
      type: "button", role: "tab", class: "tab", "aria-selected": selectedLevel === lv.id ? "true" : "false",
      onclick: () => selectLevel(lv.id)}, "Level " + (i + 1) + ": " + lv.title)));
  }

  async function selectLevel(id) {
    if (deleted) return;
    selectedLevel = id;
    renderLevelTabs();
    try {
      const view = await api("GET", "/api/teacher/class-view/" + id.split("/").map(encodeURIComponent).join("/"));
      const text = JSON.stringify(view);
      if (selectedLevel === id && text !== lastView) { lastView = text; renderClassView(view); }
    } catch (e) { if (!deleted) say(e.message, true); }
  }

  // the gate that cost the answer most at this word (then the furthest from the network)
  function worstGate(step) {
    return step.gates.slice().sort((a, b) => (b.miss || 0) - (a.miss || 0) || b.distance - a.distance)[0];
  }

  function gateName(g, slots) {
    return GATE[g.gate].symbol + " " + g.gate + (slots > 1 ? " " + (g.slot + 1) : "");
  }

  function renderClassView(v) {
    const sum = GK.clear($("cv-summary"));
    if (!v.attempts) {
      sum.appendChild(document.createTextNode("No attempt on this level yet: the strips show the network's values."));
    } else if (!v.most_wrong.length) {
      sum.appendChild(document.createTextNode(v.attempts + " students: everyone gated like the network."));
    } else {
      sum.appendChild(document.createTextNode(v.attempts + " students (best attempt each). Most wrong: "));
      v.most_wrong.forEach((k, i) => {
        const st = v.steps[k];
        const g = worstGate(st);
        const median = g.quartiles.length ? g.quartiles[2].toFixed(2) : "–";
        sum.appendChild(GK.el("span", {class: "worst"}, "▼" + (i + 1) + " “" + st.word + "” (word " + (k + 1) +
          "): " + gateName(g, v.slots) + " — " + g.far + " of " + v.attempts + " far from the network's " +
          g.network.toFixed(2) + " (class median " + median + ")"));
        if (i < v.most_wrong.length - 1) sum.appendChild(document.createTextNode("  "));
      });
    }
    drawChart(v);
  }

  function drawChart(v) {
    const box = GK.clear($("cv-chart"));
    const S = v.slots, T = v.steps.length;
    const gatesOrder = [];
    for (let s = 0; s < S; s++) for (const g of v.gates) gatesOrder.push([g, s]);
    const labelW = 120, colW = Math.max(52, Math.min(90, Math.floor((box.clientWidth - labelW - 10) / T)));
    const stripH = 80, gap = 18, top = 58;
    const W = labelW + T * colW + 10, H = top + gatesOrder.length * (stripH + gap) + 10;
    const svg = GK.svg("svg", {width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img",
                               "aria-label": "Class view of " + v.title, class: "cv-svg"});
    const rank = {};
    v.most_wrong.forEach((k, i) => { rank[k] = i + 1; });
    v.steps.forEach((st, k) => {
      const x = labelW + k * colW;
      if (rank[k]) {  // the words the class got most wrong: a hatched column and ▼n (not colour alone)
        svg.appendChild(GK.svg("rect", {x: x + 1, y: top - 6, width: colW - 2, height: H - top - 4, class: "cv-worst"}));
        svg.appendChild(GK.svg("text", {x: x + colW / 2, y: 14, class: "cv-rank", "text-anchor": "middle"},
                               "▼" + rank[k]));
      }
      const word = st.word.length > 9 ? st.word.slice(0, 8) + "…" : st.word;
      svg.appendChild(GK.svg("text", {x: x + colW / 2, y: 32, class: "cv-word", "text-anchor": "middle"}, word,
                             GK.svg("title", {}, "word " + (k + 1) + ": " + st.word)));
      svg.appendChild(GK.svg("text", {x: x + colW / 2, y: 47, class: "cv-n", "text-anchor": "middle"},
                             String(k + 1)));
    });
    gatesOrder.forEach(([gate, slot], row) => {
      const y = top + row * (stripH + gap);
      const colour = GATE[gate].colour;
      svg.appendChild(GK.svg("text", {x: 6, y: y + stripH / 2 + 5, class: "cv-gate", fill: colour},
                             GATE[gate].symbol + " " + gate + (S > 1 ? " " + (slot + 1) : "")));
      svg.appendChild(GK.svg("text", {x: labelW - 6, y: y + 10, class: "cv-n", "text-anchor": "end"}, "1"));
      svg.appendChild(GK.svg("text", {x: labelW - 6, y: y + stripH, class: "cv-n", "text-anchor": "end"}, "0"));
      v.steps.forEach((st, k) => {
        const g = st.gates.find((q) => q.gate === gate && q.slot === slot);
        const x = labelW + k * colW + 3, w = colW - 6;
        const yOf = (val) => y + stripH - val * stripH;  // 0 at the bottom, 1 at the top
        const cell = GK.svg("g", {class: "cv-cell", "data-step": k, "data-gate": gate, "data-slot": slot});
        cell.appendChild(GK.svg("rect", {x, y, width: w, height: stripH, class: "cv-bg"}));
        const maxCount = Math.max(1, ...g.counts);
        const binH = stripH / g.counts.length;
        g.counts.forEach((c, b) => {
          if (!c) return;
          cell.appendChild(GK.svg("rect", {x, y: y + stripH - (b + 1) * binH + 0.5, width: (w * 0.85) * c / maxCount,
                                           height: binH - 1, fill: colour, class: "cv-bin"}));
        });
        if (g.quartiles.length) {  // the middle half of the class, and its median
          const q = g.quartiles;
          cell.appendChild(GK.svg("rect", {x: x + w - 9, y: yOf(q[3]), width: 7, height: Math.max(1, yOf(q[1]) - yOf(q[3])),
                                           class: "cv-box"}));
          cell.appendChild(GK.svg("line", {x1: x + w - 12, x2: x + w + 1, y1: yOf(q[2]), y2: yOf(q[2]), class: "cv-median"}));
        }
        const ny = yOf(g.network);
        cell.appendChild(GK.svg("line", {x1: x, x2: x + w, y1: ny, y2: ny, class: "cv-net"}));
        cell.appendChild(GK.svg("path", {d: "M" + (x + 5) + " " + (ny - 5) + " l5 5 l-5 5 l-5 -5 z", class: "cv-net-mark"}));
        const median = g.quartiles.length ? g.quartiles[2].toFixed(2) : "–";
        cell.appendChild(GK.svg("title", {}, "word " + (k + 1) + " “" + st.word + "” · " + gateName(g, S) +
          ": network " + g.network.toFixed(2) + ", class median " + median + " (" + g.counts.reduce((a, b) => a + b, 0) +
          " students), mean distance " + g.distance.toFixed(2)));
        svg.appendChild(cell);
      });
    });
    box.appendChild(svg);
  }

  // -- deleting the class -------------------------------------------------------------------------------
  function deleteFlow() {
    $("delete").hidden = true;
    $("delete-confirm").hidden = false;
    $("delete-input").value = "";
    $("delete-input").focus();
  }

  async function deleteYes() {
    if ($("delete-input").value.replace(/\s/g, "").toUpperCase() !== code.toUpperCase()) {
      say("Type the join code exactly to confirm; nothing was deleted.", true);
      return;
    }
    try {
      await api("DELETE", "/api/teacher/class");
      showDeleted();
    } catch (e) { say(e.message, true); }
  }

  // -- start --------------------------------------------------------------------------------------------
  let rosterTimer = null;
  function soon() {  // many board events at once: one roster refresh
    if (rosterTimer) return;
    rosterTimer = setTimeout(() => { rosterTimer = null; roster(); }, 400);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("csv-wide").href = withToken("/api/teacher/export.csv");
    $("csv-long").href = withToken("/api/teacher/export.csv?long=1");
    $("freeze").addEventListener("click", () => toggle("/api/teacher/freeze", "frozen"));
    $("points").addEventListener("click", () => toggle("/api/teacher/points", "points_off"));
    $("viewer-close").addEventListener("click", () => { $("viewer").hidden = true; viewing = null; });
    $("delete").addEventListener("click", deleteFlow);
    $("delete-yes").addEventListener("click", deleteYes);
    $("delete-no").addEventListener("click", () => {
      $("delete-confirm").hidden = true; $("delete").hidden = false; say("");
    });
    renderState();
    info().catch((e) => say(e.message, true));
    roster();
    GK.liveBoard((b) => {
      board = b;
      renderState();
      soon();
      if (selectedLevel) refreshViewSoon();
    }, (s) => {
      $("status").textContent = GK.STATUS[s] || s;
      $("status").dataset.state = s;
      if (s === "deleted" && !deleted) showDeleted();
    }, "?token=" + encodeURIComponent(TOKEN));
  });

  let viewTimer = null;
  function refreshViewSoon() {
    if (viewTimer) return;
    viewTimer = setTimeout(() => { viewTimer = null; if (selectedLevel) selectLevel(selectedLevel); }, 3000);
  }
})();
