"""Rules that tie a level's fields together. Each problem names the field to blame, so the loader can
point at its line: ``problems(level) -> [(location, message)]`` with locations like ("play", 2, "values")."""

from __future__ import annotations

import numpy as np

from .schema import Level, NumericPlay, NumericTask, TextTask
from .sequence import (
    BLANK,
    MARKS,
    PLACEHOLDER,
    SequenceError,
    answer_vocabulary,
    input_vocabulary,
    placeholders,
    play_sequence,
    sample_text,
    template_words,
)


def problems(level: Level) -> list[tuple[tuple, str]]:
    out: list[tuple[tuple, str]] = []
    if isinstance(level.task, TextTask):
        _text_task(level, out)
        _text_play(level, out, task_ok=not out)
    else:
        _numeric(level, out)
    _rules(level, out)
    return out


def _text_task(level: Level, out: list) -> None:
    t, S = level.task, level.network.slots
    for name, s in t.sentences.items():
        loc = ("task", "sentences", name)
        lists = placeholders(s.text)
        for lst in lists:
            if lst not in t.words:
                out.append((loc + ("text",),
                            f"{{{lst}}} names no word list (word lists: {', '.join(t.words)})"))
        words = template_words(s.text)
        bad = [w for w in words if "{" in w and not PLACEHOLDER.match(w)]
        if bad:
            out.append((loc + ("text",),
                        f"'{bad[0]}' is not a placeholder: write {{name}} as a word of its own"))
        blanks = words.count(BLANK)
        if s.role in ("clue", "distractor") and len(lists) != 1:
            out.append((loc + ("text",), f"a {s.role} sentence needs exactly one {{placeholder}}"))
        if s.role == "clue":
            if s.slot is None:
                out.append((loc, "a clue needs 'slot': which memory slot it is written into"))
            elif s.slot > S:
                out.append((loc + ("slot",), f"slot {s.slot} does not exist: the network has {S} slot(s)"))
        elif s.slot is not None:
            out.append((loc + ("slot",), "only clues have a slot"))
        if s.role == "question":
            if blanks != 1 or words[-1] != BLANK:
                out.append((loc + ("text",), f"a question needs one blank {BLANK}, as its last word"))
            if s.about is None:
                out.append((loc, "a question needs 'about': the name of the clue sentence whose word it "
                                  "asks for"))
            elif s.about not in t.sentences or t.sentences[s.about].role != "clue":
                clues = [n for n, c in t.sentences.items() if c.role == "clue"]
                out.append((loc + ("about",), f"no clue sentence named '{s.about}' (clues: "
                                              f"{', '.join(clues) or 'none'})"))
            elif s.answer is not None:
                if s.answer not in t.answers:
                    out.append((loc + ("answer",), f"no answer table named '{s.answer}'"))
                else:
                    clue_lists = placeholders(t.sentences[s.about].text)
                    missing = [w for lst in clue_lists if lst in t.words for w in t.words[lst]
                               if w not in t.answers[s.answer]]
                    if missing:
                        out.append((("task", "answers", s.answer),
                                    f"no answer for {', '.join(missing)}: the table must map every word "
                                    f"the clue can draw"))
        else:
            if blanks:
                out.append((loc + ("text",), f"only a question may contain the blank {BLANK}"))
            if s.about is not None or s.answer is not None:
                out.append((loc, "'about' and 'answer' belong to questions only"))
    for k, f in enumerate(t.fillers):
        if BLANK in template_words(f) or placeholders(f):
            out.append((("task", "fillers", k), "a filler is plain words: no blank, no placeholder"))
    for k, item in enumerate(t.story):
        names = [item.sentence] if item.sentence else (item.one_of or [])
        for n in names:
            if n not in t.sentences:
                field = "sentence" if item.sentence else "one_of"
                out.append((("task", "story", k, field), f"no sentence named '{n}'"))
        if item.fillers is not None and item.fillers[1] > 0 and not t.fillers:
            out.append((("task", "story", k, "fillers"), "the story asks for fillers but 'fillers' is empty"))
    if out:
        return
    last = t.story[-1]
    last_names = [last.sentence] if last.sentence else (last.one_of or [])
    if not last_names or any(t.sentences[n].role != "question" for n in last_names) or last.probability < 1:
        out.append((("task", "story"), "the story must end with a question (the blank is read last)"))
        return
    rng = np.random.default_rng(0)
    for _ in range(20):  # a few samples catch questions asked before their clue was said
        try:
            sample_text(t, rng)
        except SequenceError as e:
            out.append((e.loc, str(e)))
            return


def _text_play(level: Level, out: list, task_ok: bool = True) -> None:
    """Play problems, reported with the task's in one round; the whole-sequence checks (question last,
    the answer) need a sound task and sound play items, so they wait for those."""
    t = level.task
    before = len(out)
    if isinstance(level.play, NumericPlay):
        out.append((("play",), "a text level plays sentences: a list of {sentence: ...} and {filler: ...}"))
        return
    vocab = set(input_vocabulary(t))
    for k, item in enumerate(level.play):
        loc = ("play", k)
        if item.filler is not None:
            unknown = [w for w in template_words(item.filler) if w not in vocab]
            if unknown:
                out.append((loc + ("filler",), f"'{unknown[0]}' never appears in the task, so the network "
                                               f"has never read it"))
            continue
        if item.sentence not in t.sentences:
            out.append((loc + ("sentence",), f"no sentence named '{item.sentence}'"))
            continue
        need = placeholders(t.sentences[item.sentence].text)
        if set(item.values) != set(need):
            out.append((loc + ("values",), f"give exactly the values {', '.join(need) or '(none)'}"))
            continue
        for lst, w in item.values.items():
            if lst in t.words and w not in t.words[lst]:
                out.append((loc + ("values", lst), f"'{w}' is not in the word list {lst}"))
    if len(out) > before or not task_ok:
        return
    last = level.play[-1]
    if last.sentence is None or t.sentences[last.sentence].role != "question":
        out.append((("play",),
                    f"the played sequence must end with a question (its blank {BLANK} is missing)"))
        return
    try:
        seq = play_sequence(level)
    except SequenceError as e:
        out.append((e.loc, str(e)))
        return
    possible = answer_vocabulary(t)
    if not isinstance(level.answer, str) or level.answer not in possible:
        out.append((("answer",),
                    f"{level.answer!r} is not a possible answer (answers: {', '.join(possible)})"))
    elif level.answer != seq.answer:
        out.append((("answer",), f"the played sequence asks for {seq.answer!r}, not {level.answer!r}"))


def _numeric(level: Level, out: list) -> None:
    t: NumericTask = level.task
    if not isinstance(level.play, NumericPlay):
        out.append((("play",), f"a {t.kind} level plays numbers: {{values: [...], marked: [step, ...]}}"))
        return
    n = len(level.play.values)
    if not t.length[0] <= n <= t.length[1]:
        out.append((("play", "values"), f"{n} numbers: the network trains on {t.length[0]} to {t.length[1]}"))
    marked = level.play.marked
    for j, m in enumerate(marked):
        if m >= n:
            out.append((("play", "marked", j), f"step {m} must come before the last step ({n}), where the "
                                               f"answer is read"))
    need = MARKS[t.kind]
    if len(marked) != need or len(set(marked)) != len(marked):
        out.append((("play", "marked"), f"a {t.kind} level marks exactly {need} different step(s)"))
    signs = level.play.signs
    if t.kind == "signed" and (signs is None or len(signs) != len(marked)):
        out.append((("play", "signs"), "a signed level gives a sign (plus or minus) for each marked number"))
    elif t.kind != "signed" and signs is not None:
        out.append((("play", "signs"), f"only signed levels have signs, not a {t.kind} level"))
    if not out:
        factor = dict(zip(marked, [{"plus": 1, "minus": -1}[s] for s in signs], strict=True)) if signs else {}
        total = round(sum(factor.get(m, 1) * level.play.values[m - 1] for m in marked), 10)
        if isinstance(level.answer, str) or abs(level.answer - total) > 1e-9:
            what = "the marked numbers add up to" if need > 1 else "the marked reading is"
            out.append((("answer",), f"{what} {total:g}, not {level.answer!r}"))


def _rules(level: Level, out: list) -> None:
    S = level.network.slots
    names = level.task.sentences if isinstance(level.task, TextTask) else {}
    vocab = set(input_vocabulary(level.task)) if isinstance(level.task, TextTask) else \
        ({"plus", "minus"} if level.task.kind == "signed" else set())
    groups = [(("solution", "rules"), level.solution.rules, False)]
    groups += [(("losing", k, "changes"), s.changes, True) for k, s in enumerate(level.losing)]
    length = None
    if not out:  # the played length is known only when task and play are sound
        try:
            length = len(play_sequence(level))
        except SequenceError:
            pass
    for base, rules, steps_allowed in groups:
        for j, r in enumerate(rules):
            loc = base + (j,)
            if r.slot is not None and r.slot > S:
                out.append((loc + ("slot",), f"slot {r.slot} does not exist: the network has {S} slot(s)"))
            if r.step is not None and not steps_allowed:
                out.append((loc + ("step",), "the solution is used for every training sentence: select by "
                                             "role, sentence or word, not by step"))
            if r.step is not None and steps_allowed and length is not None and r.step > length:
                out.append((loc + ("step",),
                            f"step {r.step} is past the end of the played sequence ({length})"))
            if r.sentence is not None and r.sentence not in names:
                out.append((loc + ("sentence",), f"no sentence named '{r.sentence}'"))
            if r.word is not None and r.word not in vocab:
                out.append((loc + ("word",), f"'{r.word}' never appears in this level"))
