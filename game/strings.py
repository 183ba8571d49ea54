"""Every piece of text the game shows the player, in one catalogue, so the game can be translated.

Code never writes user-visible English itself: it asks for a string by key, ``t("title.continue")``,
and passes the values the text needs by name, ``t("cell.title", word=w, n=3, total=9)``. Keys are
dotted by screen or module (``results.headline.won``); ``key.*`` are key-cap names, ``footer.*`` the
key hints in the footer, ``gate.*`` the gates' names.

Translating
-----------
1. Copy ``EN`` into a new dict (e.g. ``DE``) and translate the values, never the keys.
2. Keep every ``{placeholder}`` of a value, spelled exactly the same (order may change, and so may
   the words around it). A format after the colon (``{accuracy:.0f}``) should stay as it is.
   Literal braces are written ``{{`` and ``}}``.
3. Key caps (``key.*``, ``help.*.keys``) name real keys: only change how a key's name is written,
   never which key it is.
4. A translation may leave keys out: those stay English.
5. Switch with ``use(DE)``; ``use(EN)`` goes back to English. ``use`` refuses a catalogue with keys
   English does not have or with placeholders that differ from English's (``ValueError``).

Only the standard library is imported here, so any part of the game (controllers included) may use it.
"""

from __future__ import annotations

from string import Formatter

EN: dict[str, str] = {
    # -- shared ------------------------------------------------------------------------------------
    "app.name": "GATEKEEPER",
    "key.enter": "Enter",
    "key.esc": "Esc",
    "key.backspace": "Backspace",
    "footer.choose": "choose",
    "footer.open": "open",
    "footer.help": "help",
    "footer.quit": "quit",
    "footer.play_as": "play as",
    "footer.back": "back",
    "footer.done": "done",
    "footer.erase": "erase",
    "footer.cancel": "cancel",
    "footer.back_to_levels": "back to the levels",
    "gate.forget": "forget",
    "gate.input": "input",
    "gate.output": "output",
    # -- title screen ------------------------------------------------------------------------------
    "title.tagline": "You are the gatekeeper of a real LSTM's memory.",
    "title.continue": "Continue",
    "title.need_player": "Choose a player first.",
    "title.campaign": "Campaign",
    "title.player": "Player: {name}",
    "title.nobody": "nobody yet",
    "title.settings": "Settings",
    "title.quit": "Quit",
    # -- who is playing ----------------------------------------------------------------------------
    "profiles.title": "Who is playing?",
    "profiles.explain": "Progress, stars and settings are kept for each player on this computer.",
    "profiles.new": "New player…",
    "profiles.type_name": "Type your name and press Enter:",
    # -- help overlay ------------------------------------------------------------------------------
    "help.title": "Keys",
    "help.close": "Esc, Enter or F1 closes this.",
    "help.section.play": "Playing a level",
    "help.play.step.keys": "Space or Enter",
    "help.play.step": "read the word with these gates (step)",
    "help.play.slot.keys": "Tab / Shift+Tab, 1–9",
    "help.play.slot": "choose the slot",
    "help.play.gate.keys": "↑ ↓",
    "help.play.gate": "choose the gate: forget, input, output",
    "help.play.nudge.keys": "← → or − +",
    "help.play.nudge": "close / open the chosen gate by 0.1",
    "help.play.full.keys": "Home / End",
    "help.play.full": "shut / open the chosen gate fully",
    "help.play.presets.keys": "K  W  E  R",
    "help.play.presets": "presets: keep, write, erase, reveal",
    "help.play.undo.keys": "Backspace, Ctrl+Z",
    "help.play.undo": "undo",
    "help.play.redo.keys": "Ctrl+Y, Ctrl+Shift+Z",
    "help.play.redo": "redo",
    "help.play.hint.keys": "H",
    "help.play.hint": "hint: the trained network's gates here (−5 points)",
    "help.play.autoplay.keys": "A",
    "help.play.autoplay": "let the trained network play / take over again",
    "help.play.speed.keys": "P, [ ]",
    "help.play.speed": "pause autoplay, slower / faster",
    "help.play.leave.keys": "Esc twice",
    "help.play.leave": "leave the level",
    "help.section.everywhere": "Everywhere",
    "help.all.menus.keys": "↑ ↓, Enter",
    "help.all.menus": "move and choose in menus",
    "help.all.back.keys": "Esc",
    "help.all.back": "back",
    "help.all.help.keys": "F1 or ?",
    "help.all.help": "this help",
    "help.all.mouse.keys": "Mouse",
    "help.all.mouse": "click menus, drag the sliders",
    # -- loading / training a level's network ------------------------------------------------------
    "loading.failed": "The network could not be prepared",
    "loading.error": "could not prepare the network of '{level}': {error}",
    "loading.training": "Training this level's network",
    "loading.loading": "Loading the trained network",
    "loading.progress": (
        "attempt {attempt} · stage {stage} of {stages} · {steps} steps · "
        "accuracy on new sentences {accuracy:.0f}%"
    ),
    "loading.phase.learning": "learning the task",
    "loading.phase.annealing": "making its gates decisive",
    "loading.phase.done": "finished",
    "loading.first_time": (
        "The first time a level is played on this computer its network is trained from "
        "scratch with NumPy, then kept for next time."
    ),
    "loading.cancelling": "Cancelling…",
    # -- the cell (conveyor belt) and the gate controls --------------------------------------------
    "cell.title": "Reading “{word}” (word {n} of {total})",
    "cell.word": "“{word}”",
    "cell.slot": "slot {n}",
    "cell.memory": "memory c",
    "cell.candidate": "candidate g",
    "cell.hidden": "hidden h → answer",
    "cell.valve.forget": "f {value:.2f}",
    "cell.valve.input": "i {value:.2f}",
    "cell.valve.output": "o {value:.2f}",
    "controls.slot.cells": "Slot {n} · memory cells {first}–{last}",
    "controls.slot.all": "Slot {n} · all {count} memory cells",
    # -- results -----------------------------------------------------------------------------------
    "results.notice.assisted": (
        "Autoplay played {assisted} of {total} words, so this run is not counted for stars."
    ),
    "results.notice.no_player": "Not saved: no player is chosen.",
    "results.notice.save_failed": "Could not save this attempt: {error}",
    "results.menu.retry": "Play again",
    "results.menu.next": "Next: {title}",
    "results.menu.next_locked": "Win this level to unlock the next one.",
    "results.menu.compare": "Compare with the network's gates",
    "results.menu.watch": "Watch the trained network play it",
    "results.menu.back": "Level select",
    "results.headline.won": "The network answers right, with confidence.",
    "results.headline.unsure": "Right, but not sure enough to win: make the memory clearer.",
    "results.headline.wrong": "The network answers wrong with your gates.",
    "results.part.answer": "Answer",
    "results.part.answer.value": "{points:.0f} of 100 × 0.7 = {weighted:.1f}",
    "results.part.agreement": "Agreement with the model",
    "results.part.agreement.value": "{agreement:.2f} × 30 = {weighted:.1f}",
    "results.part.hints": "Hints",
    "results.part.hints.value": "{hints} × −{cost:g} = −{total:.0f}",
    "results.part.hints.none": "none used",
    "results.part.score": "Score",
    "results.menu.explain": "Explain the numbers, word by word",
    "results.menu.explain.detail": "Every gate, memory cell, candidate and hidden value with its formula.",
    "results.words.outcome": (
        "The right answer got {p:.0f}% from the network: {points:.0f} of 100 outcome points "
        "(0 for a blind guess, 100 when certain)."
    ),
    "results.words.outcome.numeric": (
        "The network's answer was {answer}: {points:.0f} of 100 outcome points (100 on the true sum)."
    ),
    "results.words.agreement": (
        "Where your gates differed from the network's, its answer changed by {change:.2f} in all, "
        "so the agreement is e^−{change:.2f} = {agreement:.2f}."
    ),
}

_active: dict[str, str] = EN


def placeholders(template: str) -> set[str]:
    """The names of a template's placeholders ("{n} of {total:d}" -> {"n", "total"}), including any
    nested in a format spec; an automatic or numbered field ("{}", "{0}") is returned as its text."""
    names = set()
    for _literal, field, spec, _conversion in Formatter().parse(template):
        if field is None:
            continue
        names.add(field.split(".", 1)[0].split("[", 1)[0])
        if spec:
            names |= placeholders(spec)
    return names


def t(key: str, **values) -> str:
    """The active catalogue's text for ``key``, formatted with ``values`` (every placeholder by name)."""
    try:
        template = _active[key]
    except KeyError:
        raise KeyError(f"no string {key!r} in the catalogue (game/strings.py)") from None
    try:
        return template.format(**values)
    except KeyError as e:
        raise KeyError(f"string {key!r} needs a value for {e.args[0]!r}") from None


def problems(catalogue: dict) -> list[str]:
    """What makes ``catalogue`` unusable as a translation of EN (empty when it is fine)."""
    out = []
    for key, text in catalogue.items():
        if key not in EN:
            out.append(f"{key!r}: not a key of EN")
        elif not isinstance(text, str):
            out.append(f"{key!r}: the text is {type(text).__name__}, not str")
        else:
            try:
                have = placeholders(text)
            except ValueError as e:  # unbalanced braces
                out.append(f"{key!r}: not a valid template ({e})")
                continue
            want = placeholders(EN[key])
            if have != want:
                out.append(
                    f"{key!r}: placeholders {sorted(have)} differ from English's {sorted(want)}"
                )
    return out


def use(catalogue: dict) -> None:
    """Make ``catalogue`` the active one (keys it leaves out stay English); ``use(EN)`` restores English.
    Raises ValueError listing every problem (unknown keys, placeholders that differ from EN's)."""
    global _active
    found = problems(catalogue)
    if found:
        raise ValueError("cannot use this catalogue:\n  " + "\n  ".join(found))
    _active = EN if catalogue is EN else {**EN, **catalogue}
