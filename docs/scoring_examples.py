"""Worked examples for docs/scoring.md, computed from the shipped levels and their shipped networks.

    python docs/scoring_examples.py           # print the examples (Markdown)
    python docs/scoring_examples.py --write   # replace the examples section of docs/scoring.md

Run it again after the networks are retrained: every number in that section comes from here.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.levels import catalogue, training  # noqa: E402
from game.session import scoring, scripted  # noqa: E402
from game.session.commands import UseHint  # noqa: E402
from game.session.session import PlaySession  # noqa: E402

START, END = "<!-- examples:start (docs/scoring_examples.py) -->", "<!-- examples:end -->"
LEVELS = {name: e.level for name, e in catalogue.shipped_entries()}


def session(name):
    level = LEVELS[name]
    return PlaySession(level, training.cached_model(level)[0])


def played(name, gates, hints=0):
    s = session(name)
    for _ in range(hints):
        s.apply(UseHint(0))
    return scripted.play(s, gates)


def strategy(name, which="solution", k=0):
    return scripted.strategy_gates(session(name), which, k)


def stars(n):
    return "★" * n + "☆" * (3 - n)


def line(r) -> str:
    if r.error is not None:
        head = (f"answer {r.answer} (off by {r.error:.3f}; with other stars {r.tracking:.3f}; "
                f"a guess {r.baseline:.3f})")
    else:
        head = f"answer {r.answer}, p(right) {r.p_right:.2f}, baseline {r.baseline:.2f}"
    hints = f", hints −{r.hint_part:.1f}" if r.hints else ""
    return (f"{head} → {'win' if r.correct else 'no win'}, "
            f"outcome {r.outcome_points} × 0.7 = {r.answer_part:.1f}, "
            f"agreement {r.agreement:.2f} × 30 = {r.agreement_part:.1f}{hints}, "
            f"score **{r.total:.1f}** {stars(r.stars)}")


def examples() -> str:
    out = []

    def add(title, text, r):
        out.append(f"**{title}.** {text}\n\n- {line(r)}\n- *{r.reason}*")
        crit = r.critical
        if crit:
            d = crit[0]
            out.append(f"- most decisive difference: “{d.word}” (word {d.step + 1}), {d.gate} gate of "
                       f"slot {d.slot + 1}: yours {d.player:.2f}, the network's {d.model:.2f}, "
                       f"cost {d.cost:.2f}")
        out.append("")

    s = played("campaign/01-carry", strategy("campaign/01-carry", "losing", 0))
    add("01-carry, never write the clue",
        "The input gate stays shut at “France”. Whatever country had been written, the network would answer "
        "the same, so p(right) equals its baseline: a guess, never a win.", s.result())

    s = played("campaign/09-keys-and-phone", strategy("campaign/09-keys-and-phone", "losing", 1))
    add("09-keys-and-phone, never write my keys",
        "Whatever the empty memory happens to favour, the keys' place never reaches it, so p(right) equals "
        "the baseline: even a lucky default could not win.", s.result())

    g = strategy("campaign/07-reset")
    s = played("campaign/07-reset", g)
    step = s.sequence.words.index("Meanwhile")
    own = s.model_run.gates[step, 1]
    add("07-reset, the textbook solution",
        f"Forget 0 at “Meanwhile”; the network itself sets {own:.2f} there. A full reset is at least as good "
        "for the answer as the network's in both runs, so that decision costs nothing (the agreement counts "
        "only differences where the network's gate would have done better).", s.result())

    words = s.sequence.words
    g2 = g.copy()
    g2[words.index("Meanwhile"), 1] = 1.0
    g2[words.index("Germany"), 0:2] = [1.0, 0.0]
    s = played("campaign/07-reset", g2)
    add("07-reset, replace at Ben's country",
        "Keep the belt at “Meanwhile”, then forget 0 and input 1 at “Germany”: another correct way to clear "
        "it. Your run is as good as the network's, so the reverse swaps have no shortfall to explain.",
        s.result())

    sol = strategy("campaign/08-two-slots")
    s = played("campaign/08-two-slots", scoring.relabel(sol, (1, 0), 2))
    add("08-two-slots, slots swapped",
        "Keys in slot 2, phone in slot 1, reveal slot 2 at the question. It wins, so it is compared with the "
        "network as the same gating with the slots relabelled.", s.result())

    for name in ("campaign/06-adding", "campaign/13-sensor-log"):
        s = played(name, strategy(name))
        add(f"{name.split('/')[1]}, the textbook solution",
            "Within the tolerance, and it follows the starred numbers when they change: full outcome, and "
            "the network's slightly different gates cost nothing while the answer stays in the tolerance.",
            s.result())

    s = played("campaign/03-distractor", strategy("campaign/03-distractor", "losing", 0), hints=2)
    add("03-distractor, write the friend's country too, with 2 hints",
        "France and Spain are both on the belt. Two hints cost 5 points each.", s.result())
    return "\n".join(out).rstrip() + "\n"


def main(argv) -> int:
    text = examples()
    if "--write" not in argv:
        print(text)
        return 0
    doc = ROOT / "docs" / "scoring.md"
    old = doc.read_text(encoding="utf-8")
    a, b = old.index(START) + len(START), old.index(END)
    doc.write_text(old[:a] + "\n" + text + old[b:], encoding="utf-8")
    print(f"updated {doc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
