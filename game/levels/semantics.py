"""Rules that tie a level's fields together. Each problem names the field to blame, so the loader can
point at its line: ``problems(level) -> [(location, message)]`` with locations like ("play", 2, "values").

Everything here reasons over the level's grammar and never samples or expands a story: the story order
is checked structurally (every question's clue is said before it in *every* story), and the level's
worst-case cost (cost.py) is checked against the caps before any sequence is built, so validating any
file takes milliseconds.
"""

from __future__ import annotations

import numpy as np

from . import cells
from .cost import over_caps
from .schema import Level, NumericPlay, NumericTask, TextTask
from .sequence import (
    BLANK,
    MARKS,
    PLACEHOLDER,
    SequenceError,
    answer_vocabulary,
    apply_rules,
    input_vocabulary,
    placeholders,
    play_sequence,
    solution_gating,
    template_words,
)


def problems(level: Level) -> list[tuple[tuple, str]]:
    out: list[tuple[tuple, str]] = []
    if isinstance(level.task, TextTask):
        _text_task(level, out)
        if not out:  # the cost needs a sound story; over a cap, no sequence is ever built
            out.extend(over_caps(level))
        _text_play(level, out, task_ok=not out)
    else:
        _numeric(level, out)
        if not out:
            out.extend(over_caps(level))
    _cell(level, out)
    _rules(level, out)
    return out


def wrong_gate(level: Level, gate: str) -> str | None:
    """Why ``gate`` cannot be set in this level (None when its cell has it)."""
    cell = level.network.cell
    if gate in cells.columns(level):
        return None
    if cell == "gru":
        return f"a GRU level has the gates update and reset, not '{gate}'"
    if cell == "rnn":
        return "a plain RNN level has no gates to set"
    return f"an LSTM level has the gates forget, input and output: '{gate}' belongs to a GRU level"


def _cell(level: Level, out: list) -> None:
    """Every gate a level names belongs to its cell (network.cell)."""
    n = level.network
    if n.cell == "rnn" and n.slots != 1:
        out.append((("network", "slots"), "a plain RNN has no gates, so no slots: write slots: 1"))
    if "supervised_gates" in n.training.model_fields_set:
        for k, g in enumerate(n.training.supervised_gates):
            why = wrong_gate(level, g)
            if why:
                out.append((("network", "training", "supervised_gates", k), why))
    if level.solution is not None and "default" in level.solution.model_fields_set:
        for g in level.solution.default.given():
            why = wrong_gate(level, g)
            if why:
                out.append((("solution", "default", g), why))


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
    _story_order(t, out)
    if not out:
        _answers_differ(t, out)
        _curriculum(t, out)
        _lists(t, out)


def _story_order(t: TextTask, out: list) -> None:
    """Every question's clue is said before it in every story: reasoned over the story's items, not
    sampled. A clue counts as said once an item that always happens (probability 1) always says it
    (a sentence, or a one_of whose every choice is that clue); fillers say nothing."""
    said: set[str] = set()
    for k, item in enumerate(t.story):
        if item.fillers is not None or item.probability == 0:  # probability 0: never in a story
            continue
        names = [item.sentence] if item.sentence else item.one_of
        for name in names:
            s = t.sentences[name]
            if s.role == "question" and s.about not in said:
                sometimes = any(n == s.about for i in t.story[:k] for n in ([i.sentence] if i.sentence
                                                                            else i.one_of or []))
                why = ("only in some stories (its probability is below 1, or it is one of several "
                       "choices)" if sometimes else "not before it")
                out.append((("task", "story", k, "sentence" if item.sentence else "one_of"),
                            f"the question '{name}' asks about clue '{s.about}', which is said {why}: "
                            f"every story must say the clue before the question"))
                return
        if item.probability >= 1:
            said |= set.intersection(*({n} if t.sentences[n].role == "clue" else set() for n in names))


def _answers_differ(t: TextTask, out: list) -> None:
    """One possible answer makes the task trivial and the score's log(answers) zero."""
    answers = answer_vocabulary(t)
    if len(answers) >= 2:
        return
    q = next(s for s in t.sentences.values() if s.role == "question")
    if q.answer is not None:
        loc = ("task", "answers", q.answer)
    else:
        lists = placeholders(t.sentences[q.about].text)
        loc = ("task", "words", lists[0]) if lists else ("task", "sentences", q.about)
    only = f": every answer is '{answers[0]}'" if answers else ""
    out.append((loc, f"a text level needs at least two different answers{only}"))


def _curriculum(t: TextTask, out: list) -> None:
    most = max((item.fillers[1] for item in t.story if item.fillers), default=0)
    for j, c in enumerate(t.curriculum or []):
        if c > most:
            out.append((("task", "curriculum", j), f"{c} fillers: longer than the story allows (its longest "
                                                   f"run of fillers is {most})"))


def _lists(t: TextTask, out: list) -> None:
    """No word twice in a list; no filler word that is also a clue's value."""
    for name, words in t.words.items():
        first: dict[str, int] = {}
        for j, w in enumerate(words):
            if w in first:
                out.append((("task", "words", name, j), f"'{w}' is already in the list (item {first[w]})"))
            first.setdefault(w, j)
    clue_values = _clue_values(t)
    for k, f in enumerate(t.fillers):
        _no_clue_value(f, clue_values, ("task", "fillers", k), out)
    for name, s in t.sentences.items():
        if s.role == "filler":
            _no_clue_value(s.text, clue_values, ("task", "sentences", name, "text"), out)


def _clue_values(t: TextTask) -> dict[str, str]:
    """word -> the word list it is a clue value of."""
    out: dict[str, str] = {}
    for s in t.sentences.values():
        if s.role == "clue":
            for lst in placeholders(s.text):
                for w in t.words.get(lst, []):
                    out.setdefault(w, lst)
    return out


def _no_clue_value(text: str, clue_values: dict, loc: tuple, out: list) -> None:
    for w in template_words(text):
        if w in clue_values:
            out.append((loc, f"'{w}' is a clue's value (word list {clue_values[w]}): a filler must carry "
                             f"nothing to remember"))
            return


def _text_play(level: Level, out: list, task_ok: bool = True) -> None:
    """Play problems, reported with the task's in one round; the whole-sequence checks (question last,
    the answer) need a sound task and sound play items, so they wait for those."""
    t = level.task
    before = len(out)
    if isinstance(level.play, NumericPlay):
        out.append((("play",), "a text level plays sentences: a list of {sentence: ...} and {filler: ...}"))
        return
    vocab, clue_values = set(input_vocabulary(t)), _clue_values(t)
    for k, item in enumerate(level.play):
        loc = ("play", k)
        if item.filler is not None:
            unknown = [w for w in template_words(item.filler) if w not in vocab]
            if unknown:
                out.append((loc + ("filler",), f"'{unknown[0]}' never appears in the task, so the network "
                                               f"has never read it"))
            else:
                _no_clue_value(item.filler, clue_values, loc + ("filler",), out)
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
    for j, c in enumerate(t.curriculum or []):
        if c > t.length[1]:
            out.append((("task", "curriculum", j), f"{c} steps: longer than the task allows (its longest "
                                                   f"sequence has {t.length[1]})"))
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


def _played_length(level: Level) -> int | None:
    try:
        return len(play_sequence(level))
    except SequenceError:
        return None


def _rule_problems(level: Level, loc: tuple, r, steps_allowed: bool, length: int | None) -> list:
    """One rule's problems: a slot, sentence or word the level does not have, a step past the end."""
    S = level.network.slots
    names = level.task.sentences if isinstance(level.task, TextTask) else {}
    vocab = set(input_vocabulary(level.task)) if isinstance(level.task, TextTask) else \
        ({"plus", "minus"} if level.task.kind == "signed" else set())
    out = [(loc + (g,), why) for g in r.given() if (why := wrong_gate(level, g))]
    if r.slot is not None and r.slot > S:
        out.append((loc + ("slot",), f"slot {r.slot} does not exist: the network has {S} slot(s)"))
    if r.step is not None and not steps_allowed:
        out.append((loc + ("step",), "the solution is used for every training sentence: select by "
                                     "role, sentence or word, not by step"))
    if r.step is not None and steps_allowed and length is not None and r.step > length:
        out.append((loc + ("step",), f"step {r.step} is past the end of the played sequence ({length})"))
    if r.sentence is not None and r.sentence not in names:
        out.append((loc + ("sentence",), f"no sentence named '{r.sentence}'"))
    if r.word is not None and r.word not in vocab:
        out.append((loc + ("word",), f"'{r.word}' never appears in this level"))
    return out


def _rules(level: Level, out: list) -> None:
    if level.solution is None:
        return
    groups = [(("solution", "rules"), level.solution.rules, False)]
    groups += [(("losing", k, "changes"), s.changes, True) for k, s in enumerate(level.losing)]
    length = seq = None
    if not out:  # the played length is known only when task and play are sound
        try:
            seq = play_sequence(level)
            length = len(seq)
        except SequenceError:
            pass
    before = len(out)
    for base, rules, steps_allowed in groups:
        for j, r in enumerate(rules):
            out.extend(_rule_problems(level, base + (j,), r, steps_allowed, length))
    if seq is not None and len(out) == before:  # every rule is sound: what each strategy does
        solution = solution_gating(level, seq)
        for k, strategy in enumerate(level.losing):
            gating = solution.copy()  # strategy_gating, without recomputing the solution each time
            apply_rules(gating, seq, strategy.changes, level.network.slots, cells.columns(level))
            if np.array_equal(gating, solution):
                out.append((("losing", k, "changes"),
                            f"'{strategy.name}' sets the same gates as the solution at every word of the "
                            f"played sequence, so it cannot lose: change a gate the solution sets"))


def gating_problems(level: Level, gating) -> list[tuple[tuple, str]]:
    """A gating file's rules against a (valid) level: ``[(location in the gating file, message)]``."""
    length = _played_length(level)
    return [p for j, r in enumerate(gating.rules)
            for p in _rule_problems(level, ("rules", j), r, True, length)]
