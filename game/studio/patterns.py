"""Level patterns: small forms a teacher fills in, each rendering to a level YAML in today's format.

A pattern is a template level (task shape, network, solution and losing strategies fixed) plus a form:
the fields a teacher edits, each a string (a sentence, a comma list, ``France=French`` pairs, filler
sentences separated by ``;``, played numbers). ``render(pattern, values)`` builds the level's data and
dumps it as YAML; ``fit(data)`` goes back: it reads the form's values out of a level's data and renders
them again, and the file fits a pattern only when that gives the same data (so a hand-edited file that
still has the pattern's shape opens in the studio; any other change makes it read-only).

Every field names the level's data paths it writes (``paths``), so a loader problem about
``task.sentences.clue.text`` is shown beside the field that wrote it (``field_for``).

Numeric answers are computed, never typed: adding sums the marked numbers, series reports the marked
reading, signed adds each marked number with the sign written before it (plus +, minus -).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import yaml

TEXT, WORDS, PAIRS, SENTENCES, NUMBERS, INTS = "text", "words", "pairs", "sentences", "numbers", "ints"


@dataclass(frozen=True)
class FormField:
    key: str  # the form's name for it (labels: game/strings.py "studio.field.<key>")
    kind: str  # TEXT, WORDS (a, b, c), PAIRS (a=b, c=d), SENTENCES (s1; s2), NUMBERS, INTS
    paths: tuple = ()  # the level data paths this field writes (dotted), for loader problems


@dataclass(frozen=True)
class Pattern:
    name: str
    kind: str  # "words" or "numbers": how its form and preview look
    fields: tuple
    example: dict  # the example's form values (strings)
    build: object  # values -> level data (dict)
    read: object  # level data -> values (may raise KeyError/TypeError/ValueError/IndexError)


# -- field text <-> values ----------------------------------------------------------------------------------
def split_words(s: str) -> list[str]:
    return [w.strip() for w in s.split(",") if w.strip()]


def split_sentences(s: str) -> list[str]:
    return [w.strip() for w in s.split(";") if w.strip()]


def split_pairs(s: str) -> dict[str, str]:
    out = {}
    for part in split_words(s):
        k, _, v = part.partition("=")
        out[k.strip()] = v.strip()
    return out


def _number(s: str):
    try:
        return float(s)
    except ValueError:
        return s  # the loader says what is wrong with it, at the field


def _int(s: str):
    try:
        return int(s)
    except ValueError:
        return s


def split_numbers(s: str) -> list:
    return [_number(w) for w in split_words(s)]


def split_ints(s: str) -> list:
    return [_int(w) for w in split_words(s)]


def join_words(xs) -> str:
    return ", ".join(str(x) for x in xs)


def join_pairs(d: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in d.items())


def join_sentences(xs) -> str:
    return "; ".join(xs)


def join_numbers(xs) -> str:
    return ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in xs)


# -- common fields -----------------------------------------------------------------------------------------
ID = FormField("id", TEXT, ("id",))
TITLE = FormField("title", TEXT, ("title",))
INTRO = FormField("intro", TEXT, ("intro", "concept"))
HINTS = FormField("hints", SENTENCES, ("hints",))
CATEGORY = FormField("category", TEXT, ("task.words",))
WORDS_F = FormField("words", WORDS, ("task.words",))
ANSWERS = FormField("answers", PAIRS, ("task.answers", "answer"))
FILLERS = FormField("fillers", SENTENCES, ("task.fillers", "task.story"))
PLAYED = FormField("played", TEXT, ("play",))


def _head(v: dict) -> dict:
    return {
        "format": 1,
        "id": v["id"],
        "title": v["title"],
        "concept": v["intro"].split(". ")[0].rstrip(".") + ".",
        "intro": v["intro"],
        "hints": split_sentences(v["hints"]),
    }


def _read_head(d: dict) -> dict:
    return {"id": d["id"], "title": d["title"], "intro": d["intro"], "hints": join_sentences(d["hints"])}


def _answer_of(v: dict, word: str):
    return split_pairs(v["answers"]).get(word, word)


def _fillers_play(v: dict, k: int) -> list:
    fs = split_sentences(v["fillers"])
    return [{"filler": fs[i % len(fs)]} for i in range(k)] if fs else []


# -- word patterns -----------------------------------------------------------------------------------------
def _word_task(v: dict, sentences: dict, story: list) -> dict:
    return {
        "kind": "text",
        "words": {v["category"]: split_words(v["words"])},
        "answers": {"answer": split_pairs(v["answers"])},
        "sentences": sentences,
        "fillers": split_sentences(v["fillers"]),
        "story": story,
    }


def _read_words(d: dict) -> dict:
    task = d["task"]
    ((cat, words),) = task["words"].items()
    return {
        "category": cat,
        "words": join_words(words),
        "answers": join_pairs(task["answers"]["answer"]),
        "fillers": join_sentences(task["fillers"]),
    }


def _played(d: dict, sentence: str):
    """The played values of a sentence of the play list."""
    (entry,) = [p for p in d["play"] if p.get("sentence") == sentence]
    return entry["values"].values()


def _q(v, about):
    return {"text": v["question"], "role": "question", "about": about, "answer": "answer"}


def _network(seed: int, **extra) -> dict:
    return {"hidden": 16, "slots": 1, "seed": seed, **extra}


def _one_clue(v: dict, cell: str | None = None, filler_range=(0, 3), n_fill=2) -> dict:
    d = _head(v)
    d["task"] = _word_task(
        v,
        {"clue": {"text": v["clue"], "role": "clue", "slot": 1}, "question": _q(v, "clue")},
        ["clue", {"fillers": list(filler_range)}, "question"],
    )
    d["network"] = _network(1) if cell is None else {"cell": cell, "hidden": 8, "slots": 1, "seed": 3}
    d["play"] = (
        [{"sentence": "clue", "values": {v["category"]: v["played"]}}]
        + _fillers_play(v, n_fill)
        + [{"sentence": "question"}]
    )
    d["answer"] = _answer_of(v, v["played"])
    return d


def _read_one_clue(d: dict) -> dict:
    s = d["task"]["sentences"]
    (played,) = d["play"][0]["values"].values()
    return {
        **_read_head(d),
        **_read_words(d),
        "clue": s["clue"]["text"],
        "question": s["question"]["text"],
        "played": played,
    }


def build_one_clue(v):
    d = _one_clue(v)
    d["solution"] = {
        "rules": [{"at": "clue", "input": 1}, {"at": "question", "output": 1}],
        "explanation": "Write the clue, keep it, reveal it at the blank.",
    }
    d["losing"] = [
        {
            "name": "Never write",
            "explanation": "The clue never reaches the belt.",
            "changes": [{"at": "clue", "input": 0}],
        },
        {
            "name": "Forget on the way",
            "explanation": "Forget gate 0 at every word wipes the belt.",
            "changes": [{"at": "every", "forget": 0}],
        },
    ]
    return d


def build_long_gap(v):
    """The story's gap: ``gap`` filler sentences in the played story, from gap - 4 to gap + 2 in training,
    with a curriculum that starts short (the way 10-long-haul does)."""
    gap = _int(v["gap"])
    n = gap if isinstance(gap, int) and 0 <= gap <= 200 else 0
    d = _one_clue(v, filler_range=(max(0, n - 4), n + 2) if isinstance(gap, int) else (gap, gap), n_fill=n)
    d["task"]["curriculum"] = [2, 8, n + 2] if n + 2 > 8 else [2, n + 2]
    d["network"]["seed"] = 10
    d["solution"] = {
        "rules": [{"at": "clue", "input": 1}, {"at": "question", "output": 1}],
        "explanation": "Write the clue once, hold the forget gate at 1 all the way, reveal it.",
    }
    d["losing"] = [
        {
            "name": "A slightly leaky belt",
            "explanation": "A forget gate of 0.9 multiplied at every word leaves almost nothing.",
            "changes": [{"at": "every", "forget": 0.9}],
        }
    ]
    return d


def read_long_gap(d):
    v = _read_one_clue(d)
    v["gap"] = str(sum(1 for p in d["play"] if "filler" in p))
    return v


def build_cell(cell: str):
    def build(v):
        d = _one_clue(
            v, cell=cell, filler_range=(0, 3) if cell == "gru" else (0, 1), n_fill=2 if cell == "gru" else 1
        )
        if cell == "gru":
            d["solution"] = {
                "default": {"update": 1, "reset": 1},
                "rules": [{"at": "clue", "update": 0}],
                "explanation": "Write the clue (update 0) and keep it (update 1) until the blank.",
            }
            d["losing"] = [
                {
                    "name": "Never write",
                    "explanation": "With update 1 at the clue, the memory never takes it in.",
                    "changes": [{"at": "clue", "update": 1}],
                },
                {
                    "name": "Write every word",
                    "explanation": "Update 0 at every word replaces the memory each time.",
                    "changes": [{"at": "every", "update": 0}],
                },
            ]
        return d

    return build


def build_distractor(v):
    d = _head(v)
    d["task"] = _word_task(
        v,
        {
            "clue": {"text": v["clue"], "role": "clue", "slot": 1},
            "distractor": {"text": v["distractor"], "role": "distractor"},
            "question": _q(v, "clue"),
        },
        [
            "clue",
            {"fillers": [0, 2]},
            {"sentence": "distractor", "probability": 0.7},
            {"fillers": [0, 2]},
            "question",
        ],
    )
    d["network"] = _network(3)
    d["play"] = (
        [{"sentence": "clue", "values": {v["category"]: v["played"]}}]
        + _fillers_play(v, 1)
        + [
            {"sentence": "distractor", "values": {v["category"]: v["distractor_played"]}},
            *_fillers_play(v, 3)[2:],
            {"sentence": "question"},
        ]
    )
    d["answer"] = _answer_of(v, v["played"])
    d["solution"] = {
        "rules": [{"at": "clue", "input": 1}, {"at": "question", "output": 1}],
        "explanation": "Write the clue only: the input gate stays shut at the distractor.",
    }
    d["losing"] = [
        {
            # not "write both": a sum of two words is a narrow loss on some seeds (levels check --seeds)
            "name": "Write the distractor instead",
            "explanation": "The clue never reaches the belt and the distractor does: the answer is its word.",
            "changes": [{"at": "clue", "input": 0}, {"at": "distractor", "input": 1}],
        },
        {
            "name": "Replace with the distractor",
            "explanation": "Forgetting the clue and writing the distractor answers the wrong word.",
            "changes": [{"at": "distractor", "input": 1, "forget": 0}],
        },
    ]
    return d


def read_distractor(d):
    s = d["task"]["sentences"]
    (played,) = d["play"][0]["values"].values()
    (other,) = _played(d, "distractor")
    return {
        **_read_head(d),
        **_read_words(d),
        "clue": s["clue"]["text"],
        "distractor": s["distractor"]["text"],
        "question": s["question"]["text"],
        "played": played,
        "distractor_played": other,
    }


def build_reset(v):
    d = _head(v)
    d["task"] = _word_task(
        v,
        {
            "first": {"text": v["first"], "role": "clue", "slot": 1},
            "reset": {"text": v["reset"], "role": "reset"},
            "second": {"text": v["second"], "role": "clue", "slot": 1},
            "question": _q(v, "second"),
        },
        ["first", {"fillers": [0, 2]}, "reset", "second", {"fillers": [0, 2]}, "question"],
    )
    d["network"] = _network(7)
    d["play"] = (
        [{"sentence": "first", "values": {v["category"]: v["first_played"]}}]
        + _fillers_play(v, 1)
        + [
            {"sentence": "reset"},
            {"sentence": "second", "values": {v["category"]: v["played"]}},
            {"sentence": "question"},
        ]
    )
    d["answer"] = _answer_of(v, v["played"])
    d["solution"] = {
        "rules": [{"at": "clue", "input": 1}, {"at": "reset", "forget": 0}, {"at": "question", "output": 1}],
        "explanation": "Write the first, wipe the belt at the reset, write the second, reveal it.",
    }
    d["losing"] = [
        {
            "name": "Never clear the belt",
            "explanation": "Both clues are added together.",
            "changes": [{"at": "reset", "forget": 1}],
        },
        {
            "name": "Keep the first clue",
            "explanation": "Without the second clue the belt still says the first.",
            "changes": [{"sentence": "second", "input": 0}, {"at": "reset", "forget": 1}],
        },
    ]
    return d


def read_reset(d):
    s = d["task"]["sentences"]
    (first,) = d["play"][0]["values"].values()
    (played,) = _played(d, "second")
    return {
        **_read_head(d),
        **_read_words(d),
        "first": s["first"]["text"],
        "reset": s["reset"]["text"],
        "second": s["second"]["text"],
        "question": s["question"]["text"],
        "first_played": first,
        "played": played,
    }


def build_two_slots(v):
    d = _head(v)
    task = {
        "kind": "text",
        "words": {v["category"]: split_words(v["words"])},
        "sentences": {
            "first": {"text": v["first"], "role": "clue", "slot": 1},
            "second": {"text": v["second"], "role": "clue", "slot": 2},
            "ask_first": {"text": v["ask_first"], "role": "question", "about": "first"},
            "ask_second": {"text": v["ask_second"], "role": "question", "about": "second"},
        },
        "fillers": split_sentences(v["fillers"]),
        "story": [
            "first",
            {"fillers": [0, 2]},
            "second",
            {"fillers": [0, 2]},
            {"one_of": ["ask_first", "ask_second"]},
        ],
    }
    d["task"] = task
    d["network"] = _network(8, slots=2, training={"supervision": 0.3})
    d["play"] = (
        [{"sentence": "first", "values": {v["category"]: v["played"]}}]
        + _fillers_play(v, 1)
        + [{"sentence": "second", "values": {v["category"]: v["second_played"]}}, {"sentence": "ask_first"}]
    )
    d["answer"] = v["played"]
    d["solution"] = {
        "rules": [{"at": "clue", "input": 1}, {"at": "question", "output": 1}],
        "explanation": "Each fact into its own slot; at the question, reveal the slot it asks about.",
    }
    d["losing"] = [
        {
            "name": "Second over the first",
            "explanation": "Slot 1 is cleared and the second fact written there.",
            "changes": [
                {"sentence": "second", "slot": 1, "input": 1, "forget": 0},
                {"sentence": "second", "slot": 2, "input": 0},
            ],
        },
        {
            "name": "Reveal the wrong slot",
            "explanation": "Slot 2 holds the other fact.",
            "changes": [
                {"at": "question", "slot": 1, "output": 0},
                {"at": "question", "slot": 2, "output": 1},
            ],
        },
    ]
    return d


def read_two_slots(d):
    task, s = d["task"], d["task"]["sentences"]
    ((cat, words),) = task["words"].items()
    (played,) = d["play"][0]["values"].values()
    (second,) = _played(d, "second")
    return {
        **_read_head(d),
        "category": cat,
        "words": join_words(words),
        "fillers": join_sentences(task["fillers"]),
        "first": s["first"]["text"],
        "second": s["second"]["text"],
        "ask_first": s["ask_first"]["text"],
        "ask_second": s["ask_second"]["text"],
        "played": played,
        "second_played": second,
    }


# -- number patterns ---------------------------------------------------------------------------------------
def numeric_answer(kind: str, values: list, marked: list, signs: list | None = None):
    """The played sequence's answer (None when the numbers do not make one: the loader says why)."""
    try:
        picked = [float(values[m - 1]) for m in marked]
    except (TypeError, ValueError, IndexError):
        return None
    if kind == "adding":
        total = sum(picked)
    elif kind == "series":
        total = picked[0] if picked else None
    else:
        sign = {"plus": 1.0, "minus": -1.0}
        total = sum(sign.get(s, 0.0) * x for s, x in zip(signs or [], picked, strict=False))
    return None if total is None else round(total, 4)


def build_numbers(kind: str, seed: int, extra: dict, solution: dict, losing: list):
    def build(v):
        d = _head(v)
        d["task"] = {"kind": kind, **extra}
        d["network"] = (
            {"hidden": 16, "slots": 1, "seed": seed}
            if kind != "signed"
            else {
                "hidden": 24,
                "slots": 2,
                "seed": 14,
                "training": {"learning_rate": 0.01, "max_steps": 4000, "mixed": 1.0},
            }
        )
        values, marked = split_numbers(v["values"]), split_ints(v["marked"])
        d["play"] = {"values": values, "marked": marked}
        signs = None
        if kind == "signed":
            signs = split_words(v["signs"])
            d["play"]["signs"] = signs
        ans = numeric_answer(kind, values, marked, signs)
        d["answer"] = ans if ans is not None else 0.0
        if kind == "adding":
            d["win_threshold"] = 0.5
        d["solution"] = copy.deepcopy(solution)
        d["losing"] = copy.deepcopy(losing)
        return d

    return build


def read_numbers(d):
    v = {
        **_read_head(d),
        "values": join_numbers(d["play"]["values"]),
        "marked": join_numbers(d["play"]["marked"]),
    }
    if "signs" in d["play"]:
        v["signs"] = join_words(d["play"]["signs"])
    return v


_KEEP = {"rules": [{"at": "clue", "input": 1}, {"at": "question", "output": 1}]}
ADDING = build_numbers(
    "adding",
    6,
    {"length": [6, 12], "tolerance": 0.1},
    {**_KEEP, "explanation": "Write at both starred numbers: the belt adds them up."},
    [
        {
            "name": "Only the second number",
            "explanation": "Forgetting at every step keeps only the last number written.",
            "changes": [{"at": "every", "forget": 0}],
        },
        {
            "name": "Add everything",
            "explanation": "Writing at every number adds all of them.",
            "changes": [{"at": "every", "input": 1}],
        },
    ],
)
SERIES = build_numbers(
    "series",
    13,
    {"length": [8, 14], "tolerance": 0.1},
    {**_KEEP, "explanation": "Write the starred reading only, keep it, reveal it at the end."},
    [
        {
            "name": "Keep the latest reading",
            "explanation": "Writing every reading over the last keeps only the final one.",
            "changes": [{"at": "every", "input": 1, "forget": 0}],
        },
        {
            "name": "Add up the readings",
            "explanation": "Writing every reading without forgetting adds them all up.",
            "changes": [{"at": "every", "input": 1}],
        },
    ],
)
SIGNED = build_numbers(
    "signed",
    14,
    {"length": [6, 12], "tolerance": 0.15},
    {
        "rules": [
            {"at": "clue", "input": 1},
            {"word": "plus", "slot": 2, "forget": 0, "input": 1, "output": 1},
            {"word": "minus", "slot": 2, "forget": 0, "input": 1, "output": 1},
            {"at": "question", "output": 1},
        ],
        "explanation": "At each sign word the scratch slot shows the sign to the next step, so each starred "
        "number is written with its sign.",
    },
    [
        {
            "name": "Keep the output shut until the blank",
            "explanation": "A shut output gate makes h zero: the next step never sees the sign.",
            "changes": [{"word": "plus", "output": 0}, {"word": "minus", "output": 0}],
        },
        {
            "name": "Never write the sign",
            "explanation": "With nothing in slot 2, its open output gate shows nothing.",
            "changes": [{"word": "plus", "slot": 2, "input": 0}, {"word": "minus", "slot": 2, "input": 0}],
        },
    ],
)


# -- the patterns ------------------------------------------------------------------------------------------
_HEAD = (ID, TITLE, INTRO, HINTS)
_WORDS = (CATEGORY, WORDS_F, ANSWERS)
CLUE = FormField("clue", TEXT, ("task.sentences.clue",))
QUESTION = FormField("question", TEXT, ("task.sentences.question",))
VALUES = FormField("values", NUMBERS, ("play.values", "answer"))
MARKED = FormField("marked", INTS, ("play.marked",))

_COUNTRY = {
    "category": "country",
    "words": "France, Spain, Italy, Germany, Japan, Brazil",
    "answers": "France=French, Spain=Spanish, Italy=Italian, Germany=German, Japan=Japanese, "
    "Brazil=Portuguese",
    "clue": "I grew up in {country} .",
    "question": "I speak fluent ___",
    "fillers": "It was a lovely place .; We had a small house .; Now I work in an office .",
    "played": "France",
}


def _ex(id_, title, intro, hints, **more) -> dict:
    return {"id": id_, "title": title, "intro": intro, "hints": hints, **_COUNTRY, **more}


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "one-clue",
        "words",
        (*_HEAD, *_WORDS, CLUE, QUESTION, FILLERS, PLAYED),
        _ex(
            "my-one-clue",
            "Carry the clue",
            "Write the clue, keep it on the belt, and reveal it at the blank.",
            "Input gate 1 at the clue.; Output gate 1 at the blank.",
        ),
        build_one_clue,
        _read_one_clue,
    ),
    Pattern(
        "distractor",
        "words",
        (
            *_HEAD,
            *_WORDS,
            CLUE,
            FormField("distractor", TEXT, ("task.sentences.distractor",)),
            QUESTION,
            FILLERS,
            PLAYED,
            FormField("distractor_played", TEXT, ("play",)),
        ),
        _ex(
            "my-distractor",
            "Not my country",
            "Write only the clue. Keep the input gate shut at the friend's country.",
            "Input gate 1 at the clue only.; Reveal at the blank.",
            distractor="My friend lives in {country} .",
            distractor_played="Spain",
            fillers="It was a lovely place .; We had a small house .; We write to each other .",
        ),
        build_distractor,
        read_distractor,
    ),
    Pattern(
        "reset",
        "words",
        (
            *_HEAD,
            *_WORDS,
            FormField("first", TEXT, ("task.sentences.first",)),
            FormField("reset", TEXT, ("task.sentences.reset",)),
            FormField("second", TEXT, ("task.sentences.second",)),
            QUESTION,
            FILLERS,
            FormField("first_played", TEXT, ("play",)),
            PLAYED,
        ),
        _ex(
            "my-reset",
            "New paragraph, new person",
            "A new paragraph about a new person. Clear the belt with the forget gate at 0 where it starts.",
            "Forget gate 0 at the reset.; Reveal at the blank.",
            first="Anna grew up in {country} .",
            reset="Meanwhile , far away :",
            second="Ben grew up in {country} .",
            question="Ben speaks fluent ___",
            first_played="Italy",
            played="Germany",
            fillers="It was a lovely place .; The winters were cold .",
        ),
        build_reset,
        read_reset,
    ),
    Pattern(
        "two-slots",
        "words",
        (
            *_HEAD,
            CATEGORY,
            WORDS_F,
            FormField("first", TEXT, ("task.sentences.first",)),
            FormField("second", TEXT, ("task.sentences.second",)),
            FormField("ask_first", TEXT, ("task.sentences.ask_first",)),
            FormField("ask_second", TEXT, ("task.sentences.ask_second",)),
            FILLERS,
            PLAYED,
            FormField("second_played", TEXT, ("play",)),
        ),
        {
            "id": "my-two-slots",
            "title": "Two things at once",
            "intro": "Two facts, two slots. Put each in "
            "its own slot and reveal the one the question asks about.",
            "hints": "First fact into slot 1, second into slot 2.; Reveal only the slot that answers.",
            "category": "place",
            "words": "kitchen, car, garden, office, bedroom, garage",
            "first": "The keys are in the {place} .",
            "second": "The phone is in the {place} .",
            "ask_first": "Where are the keys ? ___",
            "ask_second": "Where is the phone ? ___",
            "fillers": "I was in a hurry .; The day was busy .",
            "played": "kitchen",
            "second_played": "car",
        },
        build_two_slots,
        read_two_slots,
    ),
    Pattern(
        "long-gap",
        "words",
        (
            *_HEAD,
            *_WORDS,
            CLUE,
            QUESTION,
            FILLERS,
            PLAYED,
            FormField("gap", TEXT, ("task.story", "task.curriculum", "play")),
        ),
        _ex(
            "my-long-gap",
            "The long haul",
            "Many words between clue and question. Hold the forget gate at 1 all the way.",
            "Write at the clue, then forget gate 1 for the whole story.",
            fillers="Then we moved .; Years went by .; I studied hard .; Work was busy .",
            played="Brazil",
            gap="12",
        ),
        build_long_gap,
        read_long_gap,
    ),
    Pattern(
        "hidden-state",
        "numbers",
        (*_HEAD, VALUES, MARKED, FormField("signs", WORDS, ("play.signs",))),
        {
            "id": "my-hidden-state",
            "title": "Plus or minus",
            "intro": "A sign word before each starred number "
            "says add or take away. Show the sign to the next step through the hidden state.",
            "hints": "At plus and minus: slot 2 forget 0, input 1, output 1.; Input 1 into slot 1 at each "
            "starred number.",
            "values": "0.35, 0.82, 0.1, 0.64, 0.27, 0.31, 0.45, 0.5",
            "marked": "2, 6",
            "signs": "plus, minus",
        },
        SIGNED,
        read_numbers,
    ),
    Pattern(
        "adding",
        "numbers",
        (*_HEAD, VALUES, MARKED),
        {
            "id": "my-adding",
            "title": "The belt adds up",
            "intro": "Two numbers are starred. The belt adds "
            "every write to what it carries, so write at both.",
            "hints": "Input gate 1 at both starred numbers.; Output gate 1 at the last step.",
            "values": "0.35, 0.82, 0.1, 0.64, 0.27, 0.91, 0.45, 0.5",
            "marked": "2, 6",
        },
        ADDING,
        read_numbers,
    ),
    Pattern(
        "time-series",
        "numbers",
        (*_HEAD, VALUES, MARKED),
        {
            "id": "my-time-series",
            "title": "The sensor log",
            "intro": "A sensor reports a drifting value. Hold the starred reading until the end.",
            "hints": "Input gate 1 at the starred reading only.; Output gate 1 at the last step.",
            "values": "0.42, 0.47, 0.55, 0.61, 0.58, 0.52, 0.49, 0.4, 0.33, 0.3, 0.28",
            "marked": "4",
        },
        SERIES,
        read_numbers,
    ),
    Pattern(
        "gru",
        "words",
        (*_HEAD, *_WORDS, CLUE, QUESTION, FILLERS, PLAYED),
        _ex(
            "my-gru",
            "Carry it with a GRU",
            "This network is a GRU. Write the clue with the update gate at 0, then keep it with update 1.",
            "Update gate 0 at the clue, 1 everywhere else.",
            fillers="It was sunny .; We had a dog .",
            played="Spain",
        ),
        build_cell("gru"),
        _read_one_clue,
    ),
    Pattern(
        "rnn",
        "words",
        (*_HEAD, *_WORDS, CLUE, QUESTION, FILLERS, PLAYED),
        _ex(
            "my-rnn",
            "No gates at all",
            "This network has no gates. Watch what its memory says as it reads.",
            "There is nothing to set; watch the memory.",
            words="France, Spain",
            answers="France=French, Spain=Spanish",
            fillers="It was sunny .",
            played="France",
        ),
        build_cell("rnn"),
        _read_one_clue,
    ),
)
BY_NAME = {p.name: p for p in PATTERNS}


def names() -> list[str]:
    return [p.name for p in PATTERNS]


def get(name: str) -> Pattern:
    return BY_NAME[name]


def render_data(pattern: Pattern, values: dict) -> dict:
    return pattern.build({f.key: values.get(f.key, "") for f in pattern.fields})


def dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)


def render(pattern: Pattern, values: dict) -> str:
    """The level's YAML text for these form values."""
    return dump(render_data(pattern, values))


def example_yaml(name: str) -> str:
    p = get(name)
    return render(p, p.example)


def fit(data) -> tuple[Pattern, dict] | None:
    """The pattern whose form, read from ``data`` and rendered again, gives ``data`` back, and those form
    values; None when no pattern's form can hold this level (the studio then opens it read-only)."""
    if not isinstance(data, dict):
        return None
    cell = (data.get("network") or {}).get("cell") if isinstance(data.get("network"), dict) else None
    for p in PATTERNS:
        if (p.name in ("gru", "rnn")) != (cell in ("gru", "rnn")):
            continue
        try:
            values = p.read(data)
            if _norm(render_data(p, values)) == _norm(data):
                return p, values
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            continue
    return None


def _norm(x):
    """Data compared as YAML would hold it (ints and floats of equal value are the same number)."""
    if isinstance(x, dict):
        return {k: _norm(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_norm(v) for v in x]
    if isinstance(x, bool):
        return x
    if isinstance(x, int | float):
        return float(x)
    return x


def field_for(pattern: Pattern, dotted: str) -> str | None:
    """The form field a loader problem's field path is about (the longest matching data path wins)."""
    best, length = None, -1
    for f in pattern.fields:
        for p in f.paths:
            if (dotted == p or dotted.startswith(p + ".")) and len(p) > length:
                best, length = f.key, len(p)
    return best
