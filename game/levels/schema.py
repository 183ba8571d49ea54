"""The level format: what a level YAML file may say, as frozen pydantic models (unknown fields are errors).

A level describes
  - how training sequences are generated (``task``: sentence templates with roles, or a numeric task),
  - the network (``network``: hidden size, slots, seed, training budget),
  - the exact sequence the player plays (``play``) and its ``answer``, the ``win_threshold``,
  - texts (``title``, ``concept``, ``intro``, ``hints``),
  - the ``solution`` (the gating a teacher expects) and ``losing`` strategies that must lose.

Cross-field rules (a sentence that names a missing word list, an answer that is not what the played
sequence asks, ...) live in ``semantics.py`` so that every problem can point at its own field.
docs/levels.md explains the format to a teacher.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Word = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^\S+$")]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Range = Annotated[list[int], Field(min_length=2, max_length=2)]  # [least, most]
ROLES = ("clue", "distractor", "reset", "question", "filler")


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Versioned(Strict):
    """A file with a format version (1), so later formats can be told apart."""

    format: Literal[1]

    @field_validator("format", mode="before")
    @classmethod
    def _not_boolean(cls, v):
        if isinstance(v, bool):  # True == 1 would otherwise pass Literal[1]
            raise ValueError("must be 1, got true/false")
        return v


# -- the task: how training sequences are made -----------------------------------------------------
class Sentence(Strict):
    """A sentence template. Words are separated by spaces; ``{list}`` draws a word from a word list.

    role clue:       the drawn word is a clue the network must remember, written into ``slot``.
    role distractor: the drawn word is a look-alike that must not be written (it differs from the clue).
    role reset:      a new paragraph starts at this sentence's first word: forget everything.
    role question:   ``___`` is the blank; the answer is the latest value of clue ``about``, mapped
                     through answer table ``answer`` when given.
    role filler:     nothing to remember.
    """

    text: Text
    role: Literal["clue", "distractor", "reset", "question", "filler"] = "filler"
    slot: int | None = Field(default=None, ge=1, le=64)
    about: Name | None = None
    answer: Name | None = None


class StoryItem(Strict):
    """One entry of a story: a named sentence (kept with ``probability``), one sentence picked at
    random from ``one_of``, or a run of ``fillers`` [least, most]."""

    sentence: Name | None = None
    one_of: list[Name] | None = Field(default=None, min_length=2, max_length=20)
    fillers: Range | None = None
    probability: Unit = 1.0

    @model_validator(mode="before")
    @classmethod
    def _bare_name(cls, value):
        return {"sentence": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_kind(self):
        if sum(v is not None for v in (self.sentence, self.one_of, self.fillers)) != 1:
            raise ValueError("give exactly one of 'sentence', 'one_of' or 'fillers'")
        if self.fillers is not None and not 0 <= self.fillers[0] <= self.fillers[1] <= 500:
            raise ValueError("fillers must be [least, most] with 0 <= least <= most <= 500")
        return self


class TextTask(Strict):
    kind: Literal["text"]
    words: dict[Name, Annotated[list[Word], Field(min_length=1, max_length=200)]]
    answers: dict[Name, dict[Word, Word]] = {}
    sentences: dict[Name, Sentence] = Field(min_length=1)
    fillers: list[Text] = []
    story: list[StoryItem] = Field(min_length=1, max_length=200)
    # most fillers per training sequence, stage by stage (a length curriculum)
    curriculum: list[Annotated[int, Field(ge=0, le=500)]] | None = None


class NumericTask(Strict):
    """Numbers read one per step; ``marked`` steps carry a "remember this" flag; the answer is read at
    the last step. kind adding: the sum of the two marked numbers. kind series: a time series (readings
    that drift like a sensor log) with one marked reading, whose value is the answer. kind signed: like
    adding, but the word ``plus`` or ``minus`` comes just before each marked number and says whether
    it is added or subtracted; the number itself does not say, so the sign must reach the next step
    through the hidden state."""

    kind: Literal["adding", "series", "signed"]
    length: Range
    tolerance: Annotated[float, Field(gt=0.0, le=1.0)] = 0.1
    curriculum: list[Annotated[int, Field(ge=2, le=1000)]] | None = None  # most steps, stage by stage

    @field_validator("length")
    @classmethod
    def _range(cls, v):
        if not 2 <= v[0] <= v[1] <= 1000:
            raise ValueError("length must be [shortest, longest] with 2 <= shortest <= longest <= 1000")
        return v


# -- the network -----------------------------------------------------------------------------------
class Training(Strict):
    max_steps: int = Field(default=2000, ge=1, le=100_000)
    batch: int = Field(default=32, ge=1, le=1024)
    pool: int = Field(default=1024, ge=1, le=100_000)  # training sequences generated per curriculum stage
    learning_rate: float = Field(default=0.02, gt=0.0, le=1.0)
    restarts: int = Field(default=3, ge=0, le=20)
    crisp: float = Field(default=0.05, ge=0.0, le=10.0)
    gate_noise: float = Field(default=0.5, ge=0.0, le=10.0)
    anneal_steps: int = Field(default=100, ge=0, le=100_000)
    supervision: float = Field(default=0.1, ge=0.0, le=100.0)  # light: strong supervision stalls training
    # Gates supervised at every word towards the solution (besides each role's decisive gate). The
    # output gate is best left free: the network uses it to carry context in its hidden state.
    # A GRU level's default is update and reset (game/levels/cells.py).
    supervised_gates: list[Literal["input", "forget", "output", "update", "reset"]] = ["input", "forget"]
    # How much more each role's decisive gate (input at a clue or distractor, forget at a reset, output
    # at the question) weighs than the other supervised gates: the gates the lesson is about come out crisp.
    decisive: float = Field(default=10.0, ge=0.0, le=100.0)
    # Weight of the mixed-memory run: the same sequence with every value of the asked word list written
    # into the asked slot, trained to answer nothing in particular (a mixed memory holds no answer).
    mixed: float = Field(default=4.0, ge=0.0, le=100.0)
    forced: float = Field(default=1.0, ge=0.0, le=100.0)
    forget_bias: float = Field(default=1.0, ge=-10.0, le=10.0)


class Network(Strict):
    # the recurrent cell: lstm (forget, input, output gates), gru (update, reset gates) or rnn (no gates:
    # the player watches). game/levels/cells.py has the gates of each.
    cell: Literal["lstm", "gru", "rnn"] = "lstm"
    hidden: int = Field(ge=1, le=256)
    slots: int = Field(ge=1, le=64)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    training: Training = Training()

    @field_validator("slots")
    @classmethod
    def _slots_divide(cls, slots, info):  # a field validator, so the error points at the slots line
        hidden = info.data.get("hidden")
        if hidden is not None and hidden % slots:
            raise ValueError(f"slots ({slots}) must divide hidden ({hidden}) evenly")
        return slots


# -- the played sequence -----------------------------------------------------------------------------
class PlayItem(Strict):
    """A named sentence with its words filled in, or a filler sentence written out."""

    sentence: Name | None = None
    values: dict[Name, Word] = {}
    filler: Text | None = None

    @model_validator(mode="after")
    def _one_kind(self):
        if (self.sentence is None) == (self.filler is None):
            raise ValueError("give either 'sentence' (with its 'values') or 'filler'")
        if self.filler is not None and self.values:
            raise ValueError("a filler takes no 'values'")
        return self


class NumericPlay(Strict):
    values: list[Annotated[float, Field(ge=0.0, le=1.0)]] = Field(min_length=2, max_length=1000)
    marked: list[Annotated[int, Field(ge=1)]] = Field(min_length=1, max_length=2)  # adding: 2, series: 1
    # signed: the word before each marked number, in the order of ``marked``; the played sequence has
    # these words inserted, so it is len(values) + len(signs) steps long
    signs: list[Literal["plus", "minus"]] | None = Field(default=None, min_length=1, max_length=2)


# -- gatings: the solution and the losing strategies -------------------------------------------------
class Gates(Strict):
    """Gate values: forget, input, output for an LSTM level; update, reset for a GRU level."""

    forget: Unit | None = None
    input: Unit | None = None
    output: Unit | None = None
    update: Unit | None = None
    reset: Unit | None = None

    def given(self) -> list[str]:
        return [g for g in ("forget", "input", "output", "update", "reset") if getattr(self, g) is not None]


class Rule(Gates):
    """Set gates at the words a selector picks: exactly one of ``at`` (a role), ``sentence`` (the key
    word of that named sentence), ``word`` (every occurrence) or ``step`` (1-based, played sequence only).
    ``slot`` (1-based) defaults to the clue's own slot for clues and questions, all slots otherwise."""

    at: Literal["clue", "distractor", "reset", "question", "every"] | None = None
    sentence: Name | None = None
    word: Word | None = None
    step: int | None = Field(default=None, ge=1)
    slot: int | None = Field(default=None, ge=1, le=64)

    @model_validator(mode="after")
    def _one_selector(self):
        chosen = [k for k in ("at", "sentence", "word", "step") if getattr(self, k) is not None]
        if len(chosen) != 1:
            raise ValueError("a rule needs exactly one of 'at', 'sentence', 'word' or 'step'")
        if not self.given():
            raise ValueError("a rule must set at least one of forget, input, output (LSTM) or "
                             "update, reset (GRU)")
        return self


class Solution(Strict):
    default: Gates = Gates(forget=1.0, input=0.0, output=0.0)
    rules: list[Rule] = Field(min_length=1, max_length=50)
    explanation: Text | None = None

    @field_validator("default")
    @classmethod
    def _complete_default(cls, default):  # a field validator, so the error points at the default line
        given = set(default.given())
        if given & {"update", "reset"}:
            if given != {"update", "reset"}:
                raise ValueError("a GRU level's default must set update and reset (and no LSTM gate)")
        elif None in (default.forget, default.input, default.output):
            raise ValueError("the default must set forget, input and output")
        return default


class Gating(Solution):
    """A gating file (``replay record LEVEL --gating FILE``): a gating in exactly the rule language of a
    level's ``solution``, for one played sequence, so ``step`` selectors are allowed and ``rules`` may
    be empty (the default alone is a gating too)."""

    rules: list[Rule] = Field(default=[], max_length=1000)


class Strategy(Strict):
    name: Text
    explanation: Text | None = None
    changes: list[Rule] = Field(min_length=1, max_length=50)


# -- the level -----------------------------------------------------------------------------------------
class Level(Versioned):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
    title: Annotated[str, Field(min_length=1, max_length=60)]
    concept: Annotated[str, Field(min_length=1, max_length=200)]
    intro: Text
    hints: list[Text] = Field(min_length=1, max_length=3)
    task: TextTask | NumericTask = Field(discriminator="kind")
    network: Network
    play: Annotated[list[PlayItem], Field(min_length=1, max_length=1000)] | NumericPlay
    answer: Word | float
    win_threshold: Annotated[float, Field(gt=0.0, le=1.0)] = 0.5
    # a plain RNN level (network.cell rnn) has no gates: no solution and no losing strategies
    solution: Solution | None = None
    losing: list[Strategy] = Field(default=[], max_length=10)

    @model_validator(mode="after")
    def _gated_levels_have_a_solution(self):
        if self.network.cell == "rnn":
            if self.solution is not None or self.losing:
                raise ValueError("a plain RNN level (network: cell: rnn) has no gates: leave out 'solution' "
                                 "and 'losing'")
        elif self.solution is None:
            raise ValueError("a gated level needs a 'solution' (and at least one of 'losing')")
        elif not self.losing:
            raise ValueError("a gated level needs at least one losing strategy under 'losing'")
        return self


class Pack(Versioned):
    """pack.yaml in a pack folder: its title and the order of its levels (file names without .yaml)."""

    title: Annotated[str, Field(min_length=1, max_length=60)]
    description: Text | None = None
    order: list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]] = Field(min_length=1, max_length=200)
