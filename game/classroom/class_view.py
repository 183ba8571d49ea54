"""The class view: for each word of a level, how the class set each gate against the network's own value,
and which words the class got most wrong.

Every attempt is re-simulated from its canonical replay (a forward pass and the scoring of
game/session/scoring.py, a few milliseconds), so the view never trusts a stored gate table and reads
the same gates and decision costs the score was computed from.

For word k, gate g and slot s, with x_a the value attempt a chose and m the network's:
    spread      quartiles (min, q1, median, q3, max) and counts in BINS equal bins of [0, 1] of x_a
    distance    mean over attempts of |x_a − m|;  far: how many attempts have |x_a − m| > FAR
    miss        mean over attempts of |x_a − m| · cost_a(k, g, s)   (cost_a below)
How wrong the class got word k (``miss``, the ranking; ``most_wrong`` names up to MOST_WRONG words, each
with at least NOTABLE of the worst word's miss, or by distance when no difference cost anything):
    miss(k)     = mean over attempts of Σ_{g,s} |x_a − m| · cost_a(k, g, s)
where cost_a is the decision's cost in the score (rule 3 of scoring: how much swapping in the
network's value would have helped the answer; 0 for a difference that does not matter). A word the
class set differently but harmlessly ranks below one where the difference cost the answer; when no
difference cost anything, words rank by distance alone (``distance(k)`` = Σ_{g,s} distance).

Slots: when the scoring relabelled a winning gating's slots (keys in slot 2, phone in slot 1), the
player's slots are put in the network's order first, so the strips compare like with like.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..levels import cells
from ..session.commands import ActionError, from_dict
from ..session.session import PlaySession

BINS = 10
MOST_WRONG = 3  # words named as the ones the class got most wrong
NOTABLE = 0.1   # ... each with at least this share of the worst word's miss (no noise on the list)
FAR = 0.25      # a student "far" from the network at a gate: |x − m| above this


def _replay_of(attempt) -> dict:
    """The canonical replay dict of a VerifiedAttempt, or of its to_dict() form."""
    replay = attempt.get("replay") if isinstance(attempt, dict) else getattr(attempt, "replay", None)
    if not isinstance(replay, dict) or not isinstance(replay.get("history"), list):
        raise ValueError("the attempt carries no replay history")
    return replay


def resimulate(level, model, attempt):
    """(player gates (T, W) in the network's slot order, decision costs (T, W)) of one attempt; W = one
    block of S columns per gate of the level's cell (game/levels/cells.py).
    ValueError when its replay does not play to the end on this level."""
    try:
        session = PlaySession(level, model, [from_dict(a) for a in _replay_of(attempt)["history"]])
    except ActionError as e:
        raise ValueError(f"the replay cannot be played: {e}") from None
    if not session.finished:
        raise ValueError("the replay does not finish the sentence")
    score = session.result()
    S = session.S
    columns = cells.columns(level)  # LSTM [i | f | o], GRU [z | r], plain RNN none
    gates = session.state.gates.copy()
    cost = np.zeros_like(gates)
    for d in score.decisions:
        net_slot = d.model_slot if d.model_slot is not None else d.slot
        cost[d.step, columns.index(d.gate) * S + net_slot] += d.cost
    if score.relabelled is not None:  # network slot s is compared with player slot relabelled[s]
        order = list(score.relabelled)
        aligned = gates.copy()
        for g in range(len(columns)):
            aligned[:, g * S:(g + 1) * S] = gates[:, [g * S + order[s] for s in range(S)]]
        gates = aligned
    return gates, cost


def _spread(values: np.ndarray) -> dict:
    counts, _ = np.histogram(np.clip(values, 0.0, 1.0), bins=BINS, range=(0.0, 1.0))
    q = np.percentile(values, [0, 25, 50, 75, 100]) if len(values) else []
    return {"quartiles": [round(float(v), 4) for v in q], "counts": [int(c) for c in counts],
            "mean": round(float(values.mean()), 4) if len(values) else None}


def class_view(challenge_level, attempts: Iterable) -> dict:
    """The class view of one level (module docstring). ``challenge_level``: anything with ``.id``,
    ``.title``, ``.level`` (the Level) and ``.model()``; ``attempts``: VerifiedAttempts (or their dicts)
    of that level — typically each student's best, so nobody counts more than once."""
    level, model = challenge_level.level, challenge_level.model()
    base = PlaySession(level, model)
    net = base.model_run.gates
    T, S = base.T, base.S
    columns, shown = cells.columns(level), cells.reading(level)
    W = len(columns) * S
    words = list(base.sequence.words)
    rows, costs, skipped = [], [], 0
    for attempt in attempts:
        try:
            gates, cost = resimulate(level, model, attempt)
        except ValueError:
            skipped += 1  # verified attempts always replay; anything else is not counted
            continue
        rows.append(gates)
        costs.append(cost)
    n = len(rows)
    player = np.stack(rows) if n else np.zeros((0, T, W))
    cost = np.stack(costs) if n else np.zeros((0, T, W))
    dist = np.abs(player - net[None])  # (n, T, W)
    weighted = (dist * cost).sum(axis=2).mean(axis=0) if n else np.zeros(T)
    distance = dist.sum(axis=2).mean(axis=0) if n else np.zeros(T)
    steps = []
    for k in range(T):
        strips = []
        for gate in shown:
            for slot in range(S):
                col = columns.index(gate) * S + slot
                values = player[:, k, col]
                strips.append({"gate": gate, "slot": slot, "network": round(float(net[k, col]), 4),
                               "distance": round(float(dist[:, k, col].mean()), 4) if n else 0.0,
                               "miss": round(float((dist[:, k, col] * cost[:, k, col]).mean()), 4)
                               if n else 0.0,
                               "far": int((dist[:, k, col] > FAR).sum()),
                               **_spread(values)})
        steps.append({"step": k, "word": words[k], "miss": round(float(weighted[k]), 4),
                      "distance": round(float(distance[k]), 4), "gates": strips})
    # rank by what the differences cost, then by how far they were; only words the class differed on
    order = sorted(range(T), key=lambda k: (-weighted[k], -distance[k], k))
    top = float(weighted.max()) if n else 0.0
    notable = [k for k in order if distance[k] > 1e-6 and (top <= 0 or weighted[k] >= NOTABLE * top)]
    worst = notable[:MOST_WRONG]
    return {"level": challenge_level.id, "title": challenge_level.title, "words": words, "slots": S,
            "gates": list(shown), "bins": BINS, "attempts": n, "skipped": skipped, "steps": steps,
            "most_wrong": worst}
