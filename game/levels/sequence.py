"""Sequences with roles: the words a network reads, what each word is for, and the gatings rules produce.

A level's templates become a Sequence of Tokens. Each token knows its sentence's role and whether it
is that sentence's *key* word: the drawn word of a clue or distractor, the first word of a reset, the
blank of a question. Rules (the solution, the losing strategies) select tokens by role, sentence name,
word or step, and set gate values; the same code produces the intended gating of every training
sequence and of the played sequence, so training and play cannot disagree about what a rule means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import cells
from .schema import Gates, Level, NumericPlay, NumericTask, Rule, TextTask

BLANK = "___"
PAD = "<pad>"
PLACEHOLDER = re.compile(r"^\{([a-z][a-z0-9_]*)\}$")
GATE_INDEX = {"input": 0, "forget": 1, "output": 2}  # an LSTM's [i | f | o] blocks
ROLE_GATE = cells.ROLE_GATE["lstm"]


def gate_index(gates: tuple[str, ...]) -> dict[str, int]:
    """Column block of each gate of a gating table (cells.columns of the level)."""
    return {g: k for k, g in enumerate(gates)}
SIGNS = {"plus": 1.0, "minus": -1.0}


@dataclass(frozen=True)
class Token:
    word: str
    role: str                 # role of the sentence the word belongs to
    key: bool = False         # the word the role is about (drawn clue word, blank, first reset word)
    sentence: str | None = None
    slot: int | None = None   # 0-based: a clue's slot, or the slot a question asks about
    value: float | None = None  # numeric levels: the number read at this step


@dataclass(frozen=True)
class Sequence:
    tokens: tuple[Token, ...]
    answer: str | float

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def words(self) -> list[str]:
        return [t.word for t in self.tokens]

    @cached_property  # asked several times per sequence while a batch is built; tokens never change
    def blank(self) -> int:
        """Step index of the (last) question blank, where the answer is read."""
        return max(k for k, t in enumerate(self.tokens) if t.role == "question" and t.key)


class SequenceError(ValueError):
    """A sequence cannot be built; ``loc`` is the level field to blame."""

    def __init__(self, loc: tuple, message: str):
        super().__init__(message)
        self.loc = loc


def template_words(text: str) -> list[str]:
    return text.split()


def placeholders(text: str) -> list[str]:
    return [m.group(1) for w in template_words(text) if (m := PLACEHOLDER.match(w))]


# -- vocabularies ---------------------------------------------------------------------------------------
def input_vocabulary(task: TextTask) -> list[str]:
    """Every word a network of this level can read, in a stable order; index = token id."""
    words = {PAD, BLANK}
    for s in task.sentences.values():
        words.update(w for w in template_words(s.text) if not PLACEHOLDER.match(w))
    for f in task.fillers:
        words.update(template_words(f))
    for values in task.words.values():
        words.update(values)
    return sorted(words)


def answer_vocabulary(task: TextTask) -> list[str]:
    """Every answer a question of this level can have; index = output class."""
    out: set[str] = set()
    for s in task.sentences.values():
        if s.role != "question" or s.about not in task.sentences:
            continue
        clue = task.sentences[s.about]
        lists = placeholders(clue.text)
        if s.answer is not None:
            out.update(task.answers.get(s.answer, {}).values())
        elif lists:
            out.update(task.words.get(lists[0], []))
    return sorted(out)


# -- building sequences -------------------------------------------------------------------------------------
class Builder:
    """Appends sentences to a sequence, tracking the latest value of every clue."""

    def __init__(self, task: TextTask, cache: dict | None = None):
        self.task = task
        self.tokens: list[Token] = []
        self.latest: dict[str, str] = {}  # clue sentence name -> its latest drawn word
        self.answer: str | None = None
        self.cache = {} if cache is None else cache  # rendered sentences; tokens are immutable

    def sentence(self, name: str, values: dict[str, str], loc: tuple) -> None:
        s = self.task.sentences[name]
        if s.role not in ("clue", "question"):  # nothing to track: reuse the rendering
            key = (name, tuple(sorted(values.items())))
            if key not in self.cache:
                self.cache[key] = tuple(self._render(s, name, values, loc))
            self.tokens.extend(self.cache[key])
            return
        self.tokens.extend(self._render(s, name, values, loc))

    def _render(self, s, name: str, values: dict[str, str], loc: tuple) -> list[Token]:
        out = []
        slot = None if s.slot is None else s.slot - 1
        words = template_words(s.text)
        for k, w in enumerate(words):
            m = PLACEHOLDER.match(w)
            if m:
                value = values[m.group(1)]
                out.append(Token(value, s.role, s.role in ("clue", "distractor"), name, slot))
                if s.role == "clue":
                    self.latest[name] = value
            elif w == BLANK:
                if s.about not in self.latest:
                    raise SequenceError(loc, f"the question '{name}' asks about clue '{s.about}', "
                                             f"which has not been said before it")
                clue = self.task.sentences[s.about]
                value = self.latest[s.about]
                self.answer = self.task.answers[s.answer][value] if s.answer else value
                out.append(Token(BLANK, "question", True, name, clue.slot - 1))
            else:
                out.append(Token(w, s.role, s.role == "reset" and k == 0, name,
                                 slot if s.role == "clue" else None))
        return out

    def filler(self, text: str) -> None:
        key = ("<filler>", text)
        if key not in self.cache:
            self.cache[key] = tuple(Token(w, "filler") for w in template_words(text))
        self.tokens.extend(self.cache[key])

    def done(self, loc: tuple) -> Sequence:
        if self.answer is None:
            raise SequenceError(loc, "the sequence has no question: a sentence with role question "
                                     f"and a blank {BLANK} must come last")
        return Sequence(tuple(self.tokens), self.answer)


def sample_text(task: TextTask, rng: np.random.Generator, max_fillers: int | None = None,
                cache: dict | None = None) -> Sequence:
    """One training sequence from the story. max_fillers caps filler runs (the length curriculum)."""
    b = Builder(task, cache)
    for k, item in enumerate(task.story):
        if item.fillers is not None:
            lo, hi = item.fillers
            hi = hi if max_fillers is None else max(lo, min(hi, max_fillers))
            for _ in range(int(rng.integers(lo, hi + 1))):
                b.filler(task.fillers[int(rng.integers(len(task.fillers)))])
            continue
        if item.probability < 1.0 and rng.random() >= item.probability:
            continue
        name = item.sentence or item.one_of[int(rng.integers(len(item.one_of)))]
        s = task.sentences[name]
        values = {}
        for lst in placeholders(s.text):
            choices = task.words[lst]
            if s.role == "distractor":  # a look-alike: never the value a clue of that list holds now
                taken = {v for c, v in b.latest.items() if lst in placeholders(task.sentences[c].text)}
                choices = [w for w in choices if w not in taken] or choices
            values[lst] = choices[int(rng.integers(len(choices)))]
        b.sentence(name, values, ("task", "story", k))
    return b.done(("task", "story"))


def play_text(level: Level) -> Sequence:
    b = Builder(level.task)
    for k, item in enumerate(level.play):
        if item.filler is not None:
            b.filler(item.filler)
        else:
            b.sentence(item.sentence, item.values, ("play", k))
    return b.done(("play",))


MARKS = {"adding": 2, "series": 1, "signed": 2}  # how many steps a numeric task marks


def numeric_sequence(values, marked, signs: dict[int, str] | None = None) -> Sequence:
    """Marked steps (0-based indices into values) are clues in slot 0; the last step is the question.
    The answer is the sum of the marked values (one mark: that value). signs: marked index -> "plus" or
    "minus", a sign word read just before that number (key word of role "sign"); the answer is then
    the signed sum."""
    T = len(values)
    signs = signs or {}
    toks = []
    for t, v in enumerate(values):
        role = "question" if t == T - 1 else ("clue" if t in marked else "filler")
        if t in signs:
            toks.append(Token(signs[t], "sign", True, None, None, 0.0))
        toks.append(Token(f"{v:.2f}" + ("*" if t in marked else ""), role,
                          role != "filler", None, 0 if role != "filler" else None, float(v)))
    total = sum(SIGNS.get(signs.get(t, "plus"), 1.0) * values[t] for t in marked)
    return Sequence(tuple(toks), round(float(total), 10))


def sample_numeric(task: NumericTask, rng: np.random.Generator, max_length: int | None = None) -> Sequence:
    lo, hi = task.length
    hi = hi if max_length is None else max(lo, min(hi, max_length))
    T = int(rng.integers(lo, hi + 1))
    if task.kind == "series":  # a drifting reading: a bounded random walk
        steps = rng.normal(0.0, 0.12, T)
        values = np.clip(rng.random() + np.cumsum(steps), 0.0, 1.0).round(2)
    else:
        values = rng.random(T).round(2)
    marked = rng.choice(T - 1, size=MARKS[task.kind], replace=False)  # never the question step itself
    signs = None
    if task.kind == "signed":
        signs = {int(m): ("plus", "minus")[int(rng.integers(2))] for m in marked}
    return numeric_sequence(values.tolist(), {int(m) for m in marked}, signs)


def play_sequence(level: Level) -> Sequence:
    if isinstance(level.play, NumericPlay):
        p = level.play
        signs = None if p.signs is None else {m - 1: s for m, s in zip(p.marked, p.signs, strict=False)}
        return numeric_sequence(p.values, {m - 1 for m in p.marked}, signs)
    return play_text(level)


# -- gatings ---------------------------------------------------------------------------------------------
def selects(rule: Rule, k: int, tok: Token) -> bool:
    if rule.step is not None:
        return k == rule.step - 1
    if rule.word is not None:
        return tok.word == rule.word
    if rule.sentence is not None:
        return tok.key and tok.sentence == rule.sentence
    if rule.at == "every":
        return True
    return tok.key and tok.role == rule.at


def apply_rules(values: np.ndarray, seq: Sequence, rules, slots: int,
                gates: tuple[str, ...] = cells.COLUMNS["lstm"]) -> None:
    """values (T, nS), one block per gate of ``gates`` (LSTM [i | f | o], GRU [z | r]), changed in place by
    each rule in turn. Within one rule every selected cell gets the same value, so a rule's cells are
    set at once (rows per slot), in NumPy. Gates the cell does not have are refused by semantics."""
    for rule in rules:
        own_slot = rule.slot is None and (rule.at in ("clue", "question") or rule.sentence is not None)
        every_slot: list[int] = []
        by_slot: dict[int, list[int]] = {}
        for k, tok in enumerate(seq.tokens):
            if not selects(rule, k, tok):
                continue
            if rule.slot is not None:
                by_slot.setdefault(rule.slot - 1, []).append(k)
            elif own_slot and tok.slot is not None:
                by_slot.setdefault(tok.slot, []).append(k)
            else:
                every_slot.append(k)
        for gate, g in gate_index(gates).items():
            v = getattr(rule, gate)
            if v is None:
                continue
            if every_slot:
                values[every_slot, g * slots:(g + 1) * slots] = v
            for s, rows in by_slot.items():
                values[rows, g * slots + s] = v


def default_gating(T: int, default: Gates, slots: int,
                   gates: tuple[str, ...] = cells.COLUMNS["lstm"]) -> np.ndarray:
    """Every word gated by ``default``; a gate it leaves unset (a GRU level's default not written out)
    starts where every slot starts, keeping the memory (cells.KEEP)."""
    v = np.empty((T, len(gates) * slots))
    for gate, g in gate_index(gates).items():
        value = getattr(default, gate)
        v[:, g * slots:(g + 1) * slots] = cells.KEEP[gate] if value is None else value
    return v


def solution_gating(level: Level, seq: Sequence) -> np.ndarray:
    """The intended gating (T, nS) of a sequence (a plain RNN level: no columns)."""
    S, gates = level.network.slots, cells.columns(level)
    if level.solution is None:
        return np.empty((len(seq), 0))
    v = default_gating(len(seq), level.solution.default, S, gates)
    apply_rules(v, seq, level.solution.rules, S, gates)
    return v


def strategy_gating(level: Level, seq: Sequence, changes) -> np.ndarray:
    """A losing strategy: the solution with the strategy's changes applied on top."""
    v = solution_gating(level, seq)
    apply_rules(v, seq, changes, level.network.slots, cells.columns(level))
    return v


def decisive_targets(level: Level, seq: Sequence, intended: np.ndarray) -> np.ndarray:
    """Gate supervision targets (T, 3S), NaN = free: the level's supervised gates at every word, and
    at each key word the gate its role is about (input at clues and distractors, forget at resets,
    output at the question), on every slot."""
    S, index = level.network.slots, gate_index(cells.columns(level))
    role_gate = cells.ROLE_GATE[level.network.cell]
    out = np.full_like(intended, np.nan)
    for gate in cells.supervised(level):
        g = index[gate]
        out[:, g * S:(g + 1) * S] = intended[:, g * S:(g + 1) * S]
    for k, tok in enumerate(seq.tokens):
        if tok.key and tok.role in role_gate:
            g = index[role_gate[tok.role]]
            out[k, g * S:(g + 1) * S] = intended[k, g * S:(g + 1) * S]
    return out
