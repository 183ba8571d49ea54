"""The class board: each student's best score per level and their total, ranked.

Rules (what the projector shows):
- a student's result on a level is their best verified score there; among equal best scores the one
  verified first counts (so its time is when they reached it);
- total = the sum of the level results; ``reached_at`` = when the total was reached, the latest of the
  times of the results it adds up;
- ranking: higher total first; on a tie, whoever reached it first; then by nickname;
- points-off mode: no scores and no totals on the board, only stars, rows in nickname order (nobody
  is ranked);
- practice mode (a challenge rule): no board at all, only the number of students.
Nicknames only: no roster id, no token, no student id.
"""

from __future__ import annotations


def compute_board(rows, levels: list[dict], *, frozen: bool, points_off: bool, practice: bool,
                  revision: int) -> dict:
    """rows: (student id, name, level id, score, stars, verified_at) from Store.board_rows (level id None
    for a student with no attempt); levels: [{"id", "title"}] in the challenge's order."""
    students: dict[int, dict] = {}
    for sid, name, level_id, score, stars, at in rows:
        st = students.setdefault(sid, {"name": name, "best": {}, "attempts": 0})
        if level_id is None:
            continue
        st["attempts"] += 1
        best = st["best"].get(level_id)
        if best is None or score > best[0] or (score == best[0] and at < best[2]):
            st["best"][level_id] = (float(score), int(stars), at)
    out_rows = []
    for st in students.values():
        best = st["best"]
        total = round(sum(b[0] for b in best.values()), 1)
        reached = max((b[2] for b in best.values()), default=None)
        if points_off:
            per_level = {lid: {"score": None, "stars": b[1]} for lid, b in best.items()}
        else:
            per_level = {lid: {"score": round(b[0], 1), "stars": b[1]} for lid, b in best.items()}
        out_rows.append({"name": st["name"], "levels": per_level, "total": None if points_off else total,
                         "stars": sum(b[1] for b in best.values()), "attempts": st["attempts"],
                         "reached_at": reached, "_total": total})
    if points_off:
        out_rows.sort(key=lambda r: r["name"].casefold())
    else:
        out_rows.sort(key=lambda r: (-r["_total"], r["reached_at"] or "~", r["name"].casefold()))
    for rank, r in enumerate(out_rows, 1):
        r["rank"] = None if points_off else rank
        del r["_total"]
    return {"frozen": frozen, "points_off": points_off, "practice": practice, "revision": revision,
            "levels": levels, "students": len(out_rows), "rows": [] if practice else out_rows}
