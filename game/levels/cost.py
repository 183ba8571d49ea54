"""What a level costs, computed from its grammar before anything is generated, and the caps it must fit.

Every number is exact for the worst case the level allows (no sampling), so a level that passes
validation can be trained, checked and scored within known time and memory:

  longest  L = words of the longest training sequence. Story items add up: a sentence its words (with
               any probability > 0), ``one_of`` its longest option, ``fillers: [least, most]`` a run of
               r = most fillers (with a curriculum: r = max(least, min(most, its last stage))) of the
               longest filler. Number tasks: r = the longest length (capped by the curriculum the same
               way).
  played   P = words (or numbers) of the played sequence.
  vocabulary = words the network reads (its input size); answers = its output size.
  size     z = max(1, hidden / 16): how much more a step costs than in a 16-cell network.
  training work  = max_steps x (restarts + 1) x batch x L x z      (word-steps; all attempts run out)
  training data  = pool x L x (33 + 48 x slots) bytes              (one stage's sequences and targets)
  one pass       = max(batch, 1000) x L x hidden                   (cells of one training or
                                                                   held-out check's run)
  scoring work   = (2 + 6 x slots x P) x P x z                     (the results screen re-runs the
               sentence once per differing gate value both ways: O(P^2), see game/session/scoring.py)
  scoring memory = (2 + 6 x slots x P) x P x 3 x slots x 8 bytes   (those gatings, all held at once)

The caps (docs/levels.md, "How big a level may be") were measured with benchmarks/bench_level_cost.py:
at each cap validation takes milliseconds, scoring a few seconds, training at most minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .schema import Level, NumericPlay, NumericTask, TextTask
from .sequence import MARKS, answer_vocabulary, input_vocabulary, template_words

HELD_OUT_PASS = 1000  # sequences run at once by the held-out check (training.HELD_OUT)

MAX_LONGEST = 500             # words in one training sequence
MAX_PLAYED = 500              # words (or numbers) in the played sequence
MAX_VOCABULARY = 2000         # words the network reads
MAX_TRAINING_WORK = 1.3e8     # word-steps of a 16-cell network over all attempts (minutes on one core)
MAX_TRAINING_DATA = 256 * 2**20   # bytes of one stage's training sequences
MAX_ONE_PASS = 8e6            # cells of one pass over max(batch, 1000) sequences x L x hidden
MAX_SCORING_WORK = 4e6        # word-runs of a 16-cell network to score a finished sentence
MAX_SCORING_MEMORY = 128 * 2**20  # bytes of the gatings scoring runs (all of them at once)


@dataclass(frozen=True)
class Cost:
    longest: int
    played: int
    vocabulary: int
    answers: int
    training_work: float
    training_data: float
    one_pass: float
    scoring_work: float
    scoring_memory: float


def _run(least: int, most: int, curriculum) -> int:
    return most if not curriculum else max(least, min(most, max(curriculum)))


def longest_sequence(level: Level) -> int:
    t = level.task
    if isinstance(t, NumericTask):  # a signed level also reads a sign word before each marked number
        return _run(t.length[0], t.length[1], t.curriculum) + (MARKS[t.kind] if t.kind == "signed" else 0)
    filler = max((len(template_words(f)) for f in t.fillers), default=0)
    total = 0
    for item in t.story:
        if item.fillers is not None:
            total += _run(item.fillers[0], item.fillers[1], t.curriculum) * filler
        elif item.probability > 0:
            names = [item.sentence] if item.sentence else item.one_of
            total += max(len(template_words(t.sentences[n].text)) for n in names if n in t.sentences)
    return total


def played_length(level: Level) -> int:
    if isinstance(level.play, NumericPlay):
        return len(level.play.values) + len(level.play.signs or ())
    sentences = level.task.sentences if isinstance(level.task, TextTask) else {}
    return sum(len(template_words(item.filler if item.filler is not None else sentences[item.sentence].text))
               for item in level.play if item.filler is not None or item.sentence in sentences)


def cost(level: Level) -> Cost:
    """The level's worst-case cost. Needs a sound story (every sentence name known)."""
    n, tr = level.network, level.network.training
    text = isinstance(level.task, TextTask)
    L, P = longest_sequence(level), played_length(level)
    z = max(1.0, n.hidden / 16)
    return Cost(
        longest=L, played=P,
        vocabulary=len(input_vocabulary(level.task)) if text else 3,
        answers=len(answer_vocabulary(level.task)) if text else 1,
        training_work=float(tr.max_steps) * (tr.restarts + 1) * tr.batch * L * z,
        training_data=float(max(tr.pool, tr.batch)) * L * (33 + 48 * n.slots),
        one_pass=float(max(HELD_OUT_PASS, tr.batch)) * L * n.hidden,
        scoring_work=(2.0 + 6 * n.slots * P) * P * z,
        scoring_memory=(2.0 + 6 * n.slots * P) * P * 3 * n.slots * 8)


def _mib(b: float) -> str:
    return f"{b / 2**20:.0f} MiB"


def over_caps(level: Level) -> list[tuple[tuple, str]]:
    """(field to blame, message naming the cap) for every cap the level's cost exceeds."""
    c = cost(level)
    story = ("task", "story") if isinstance(level.task, TextTask) else ("task", "length")
    training = ("network", "training")
    out = []
    if c.longest > MAX_LONGEST:
        out.append((story, f"the longest training sequence has {c.longest:,} words: the cap is "
                           f"{MAX_LONGEST:,} (fewer or shorter fillers, or a curriculum)"))
    if c.played > MAX_PLAYED:
        out.append((("play",), f"the played sequence has {c.played:,} words: the cap is {MAX_PLAYED:,}"))
    if c.vocabulary > MAX_VOCABULARY:
        out.append((("task", "words"), f"the network would read {c.vocabulary:,} different words: the cap "
                                       f"is {MAX_VOCABULARY:,}"))
    if out:  # the budgets below follow from these sizes: one message per cause
        return out
    if c.training_work > MAX_TRAINING_WORK:
        out.append((training, f"the training budget is {c.training_work:,.0f} word-steps (max_steps x "
                              f"(restarts + 1) x batch x {c.longest} words x hidden/16): the cap is "
                              f"{MAX_TRAINING_WORK:,.0f}"))
    if c.training_data > MAX_TRAINING_DATA:
        out.append((training, f"one stage's training data takes {_mib(c.training_data)} (pool x "
                              f"{c.longest} words): the cap is {_mib(MAX_TRAINING_DATA)}"))
    if c.one_pass > MAX_ONE_PASS:
        runs = max(HELD_OUT_PASS, level.network.training.batch)
        out.append((("network", "hidden"), f"one pass runs {runs} sequences of {c.longest} words x "
                                           f"{level.network.hidden} cells = {c.one_pass:,.0f} cells at once: "
                                           f"the cap is {MAX_ONE_PASS:,.0f}"))
    if c.scoring_work > MAX_SCORING_WORK:
        out.append((("play",), f"scoring the played sequence takes {c.scoring_work:,.0f} word-runs "
                               f"((2 + 6 x slots x {c.played} words) x {c.played} words x hidden/16): the "
                               f"cap is {MAX_SCORING_WORK:,.0f} (a shorter play, fewer slots or cells)"))
    if c.scoring_memory > MAX_SCORING_MEMORY:
        out.append((("play",), f"scoring the played sequence holds {_mib(c.scoring_memory)} of gatings "
                               f"((2 + 6 x slots x {c.played} words) x {c.played} words x 3 x slots values): "
                               f"the cap is {_mib(MAX_SCORING_MEMORY)} (a shorter play or fewer slots)"))
    return out
