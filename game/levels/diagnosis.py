"""Why a level is not playable on some seeds, and what to change in its file: the rules of
`levels check --seeds N`, in one place.

A level is checked on N seeds (the level's own and the next ones, without the retries that training
does). For each strategy the table counts the seeds on which it fails: the solution fails when it does
not win confidently, a losing strategy when it wins. Failures are then read against the played
sequence to find a cause in the level's design; each rule gives one sentence saying what to change.

The rules look at the gating of the slot the question asks about (s), at the last clue the question
asks about (k, whose value is the answer) and at the blank (b):
  informed  = input at k on, forget on from k+1 to b, output at b on: the answer is in the memory;
  mixed     = informed, and another value of the asked word list is written into s after the last
              clear and before b: the memory holds two answers added together.
  - a winning strategy that is not informed guessed (p(right) at most 0.5): its answer does not depend
    on the clue; with fewer than 4 answers a guess is often right; above 0.5 the answer must follow
    from other words;
  - a winning mixed strategy whose two values come from different sentences, with the output gate open
    between them: the network can tell them apart without clearing; one sentence for both, or the
    output shut until the blank, makes the mixture lose;
  - a winning informed strategy whose forget gates, multiplied from k+1 to b, keep less than half of the
    clue (a leaky belt, e.g. 0.99 over 300 words: 0.05): the network reads the faint rest; a lower
    forget value or a longer gap makes it lose;
  - a solution that fails or held-out accuracy below 99%: training does not converge.
A GRU's gating is informed when the update gate z is shut at k (the candidate replaces the memory) and
open from k+1 up to the blank (excluded: there the candidate may read the memory).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .generator import LevelTask
from .schema import Level, NumericTask
from .sequence import GATE_INDEX, Sequence, placeholders, play_sequence, strategy_gating
from .training import PLAYABLE_ACCURACY, SURE, CheckResult, counts_as_playable, losing_counts

ON = 0.5  # a gate value above this counts as open
LEAKY = 0.5  # a belt that keeps less than this share of the clue from it to the blank leaks


@dataclass
class StrategyRow:
    name: str
    failures: int = 0
    p_right: list[float] = field(default_factory=list)       # on every seed
    p_failing: list[float] = field(default_factory=list)     # on the seeds where it failed


@dataclass
class SeedsReport:
    level: str
    seeds: list[int]
    playable: list[bool]
    rows: list[StrategyRow]
    advice: list[str]
    sure: list[bool] = field(default_factory=list)   # playable with the solution at p(right) >= SURE

    @property
    def count(self) -> int:
        return sum(self.playable)

    @property
    def playable_seeds(self) -> list[int]:
        return [s for s, ok in zip(self.seeds, self.playable, strict=True) if ok]

    def to_dict(self) -> dict:
        return {"level": self.level, "seeds": self.seeds, "playable": self.count, "of": len(self.seeds),
                "sure": sum(self.sure),
                "playable_seeds": self.playable_seeds,
                "strategies": [{"name": r.name, "failures": r.failures, "p_right": r.p_right,
                                "p_right_when_failing": r.p_failing} for r in self.rows],
                "advice": self.advice}

    def lines(self) -> list[str]:
        n = len(self.seeds)
        out = [f"{self.level}: playable on {self.count} of {n} seeds "
               f"({', '.join(str(s) for s in self.playable_seeds) or 'none'}); the solution at p(right) >= "
               f"{SURE} on {sum(self.sure)} of them"]
        out.append(f"  {'strategy':<44} {'fails':>6}  p(right) over the seeds")
        for r in self.rows:
            spread = f"{min(r.p_right):.2f}-{max(r.p_right):.2f}" if r.p_right else "-"
            failing = (f"; when it fails {', '.join(f'{p:.2f}' for p in r.p_failing)}" if r.p_failing else "")
            out.append(f"  {r.name[:44]:<44} {r.failures:>2} of {n}  {spread}{failing}")
        out += [f"  to change: {a}" for a in self.advice]
        return out


def seeds_report(level: Level, name: str, seeds: list[int], checks: list[CheckResult]) -> SeedsReport:
    sol = StrategyRow("solution")
    rows = {s.name: StrategyRow(f"losing: {s.name}") for s in level.losing}
    for c in checks:
        sol.p_right.append(c.solution.probability)
        if not c.solution.confident:
            sol.failures += 1
            sol.p_failing.append(c.solution.probability)
        for strategy_name, o in c.losing:
            r = rows[strategy_name]
            r.p_right.append(o.probability)
            if losing_counts(o):
                r.failures += 1
                r.p_failing.append(o.probability)
    ok = [counts_as_playable(c) for c in checks]
    report = SeedsReport(name, seeds, ok, [sol, *rows.values()], [],
                         [o and c.solution.probability >= SURE for o, c in zip(ok, checks, strict=True)])
    report.advice = advice(level, checks, report)
    return report


# -- the design rules ---------------------------------------------------------------------------------
def _asked(level: Level, seq: Sequence) -> tuple[int, int | None, set[str]]:
    """(slot, step of the last clue the question asks about, the values of its word list)."""
    b = seq.blank
    q = seq.tokens[b]
    slot = q.slot or 0
    if isinstance(level.task, NumericTask):
        return slot, None, set()
    question = level.task.sentences[q.sentence]
    clues = [k for k, t in enumerate(seq.tokens[:b]) if t.key and t.sentence == question.about]
    lists = placeholders(level.task.sentences[question.about].text)
    return slot, (clues[-1] if clues else None), set(level.task.words.get(lists[0], [])) if lists else set()


def gating_facts(level: Level, seq: Sequence, gates: np.ndarray) -> dict:
    """What a gating does with the asked clue: informed, and the other values mixed into its slot."""
    S = level.network.slots
    slot, k, values = _asked(level, seq)
    b = seq.blank
    if k is None:
        return {"informed": True, "mixed": []}
    if level.network.cell == "gru":
        return _gru_facts(gates, S, slot, k, b)
    i, f, o = (gates[:, GATE_INDEX[g] * S + slot] for g in ("input", "forget", "output"))
    informed = bool(i[k] > ON and np.all(f[k + 1:b + 1] > ON) and o[b] > ON)
    kept = float(np.prod(f[k + 1:b + 1]))  # the share of the clue left on the belt at the blank
    cleared = [t for t in range(b) if f[t] <= ON]
    start = cleared[-1] if cleared else 0
    mixed = [t for t, tok in enumerate(seq.tokens[:b]) if t != k and t >= start and tok.key
             and tok.role in ("clue", "distractor") and tok.word in values and tok.word != seq.tokens[k].word
             and i[t] > ON]
    output_open = [t for t in range(b) if o[t] > ON]
    return {"informed": informed, "mixed": mixed, "k": k, "output_open": output_open, "kept": kept}


def _gru_facts(gates: np.ndarray, S: int, slot: int, k: int, b: int) -> dict:
    """A GRU (columns [update | reset]) is informed when the clue is written (update z shut at k: the
    candidate replaces the memory) and kept (z open from k+1 up to the blank, not included: at the blank
    the candidate may read the memory). Writing replaces the memory, so nothing is mixed in."""
    z = gates[:, slot]
    return {"informed": bool(z[k] <= ON and np.all(z[k + 1:b] > ON)), "mixed": [], "k": k,
            "output_open": []}


def numeric_memory(level: Level, seq: Sequence, gates: np.ndarray) -> float:
    """What the memory of a number level holds at the blank under a gating, read faithfully:
    c = f * c + i * value at every step (sign words flip the next number's sign)."""
    S = level.network.slots
    i, f = gates[:, GATE_INDEX["input"] * S], gates[:, GATE_INDEX["forget"] * S]
    c, sign = 0.0, 1.0
    for k, tok in enumerate(seq.tokens[:seq.blank + 1]):
        if tok.role == "sign":
            sign = -1.0 if tok.word == "minus" else 1.0
            continue
        c = f[k] * c + i[k] * sign * (tok.value or 0.0)
        sign = 1.0
    return c


def advice(level: Level, checks: list[CheckResult], report: SeedsReport) -> list[str]:
    out: list[str] = []
    n_answers = len(LevelTask(level).answers)
    if any(c.held_out < PLAYABLE_ACCURACY or c.held_out_forced < PLAYABLE_ACCURACY for c in checks) \
            or report.rows[0].failures:
        out.append("training does not always converge: give it more steps (network.training.max_steps), "
                   "a bigger network (network.hidden) or a shorter story (task.curriculum)")
    seq = play_sequence(level)
    for strategy, row in zip(level.losing, report.rows[1:], strict=True):
        if not row.failures:
            continue
        if isinstance(level.task, NumericTask):
            held = numeric_memory(level, seq, strategy_gating(level, seq, strategy.changes))
            tol = level.task.tolerance
            if abs(held - float(level.answer)) <= 2 * tol:
                out.append(f"under '{strategy.name}' the memory holds {held:.2f}, within twice the tolerance "
                           f"({2 * tol:g}) of the answer {level.answer}: make the played numbers differ more")
            else:
                out.append(f"under '{strategy.name}' the memory holds {held:.2f}, far from the answer, but "
                           f"the network reads it imprecisely: give it more cells (network.hidden) or steps")
            continue
        if level.network.cell == "rnn":  # no gates to read (gating_facts reads an LSTM's, or a GRU's update)
            out.append(f"'{strategy.name}' does not lose clearly on every seed: make it differ more from the "
                       f"solution, or give the network more cells (network.hidden) or steps")
            continue
        facts = gating_facts(level, seq, strategy_gating(level, seq, strategy.changes))
        if not facts["informed"]:
            if 0 < n_answers < 4:
                out.append(f"'{strategy.name}' leaves the network without the clue, and with only "
                           f"{n_answers} answers a guess is right often: give the word list at least 4 words")
            elif max(row.p_failing) <= 0.5:
                out.append(f"'{strategy.name}' leaves the network without the clue, so what it answers is "
                           f"the same whatever the clue was: a guess (p(right) up to "
                           f"{max(row.p_failing):.2f}) that a verdict comparing with the uninformed answer "
                           f"calls lost; more values in the word list make such guesses rarer")
            else:
                out.append(f"'{strategy.name}' leaves the network without the clue, yet it answers right: "
                           f"the answer must follow from other words; make the clue the only way to know it")
            continue
        if facts["mixed"]:
            k, other = facts["k"], facts["mixed"][0]
            a, b = seq.tokens[k].sentence, seq.tokens[other].sentence
            if a != b and facts["output_open"]:
                out.append(f"the clues of '{a}' and '{b}' use different sentences and the output gate is "
                           f"open before them, so the network can tell them apart without clearing "
                           f"('{strategy.name}' wins): use one clue sentence for both, or keep the output "
                           f"shut until the blank")
            else:
                out.append(f"'{strategy.name}' adds two values in one memory and the sum still reads as the "
                           f"answer: use more values in the word list, or a longer gap between them")
            continue
        if facts.get("kept", 1.0) < LEAKY:
            out.append(f"'{strategy.name}' leaves {facts['kept']:.2g} of the clue on the belt at the blank, "
                       f"and the network still reads what is left: make the leak stronger (a lower "
                       f"forget value) or the gap longer")
            continue
        out.append(f"'{strategy.name}' keeps what the answer needs (writes the clue, keeps it, reveals it): "
                   f"it is not a losing strategy; change it or drop it")
    return out
