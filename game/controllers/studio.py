"""The studio's form: a pattern's fields edited by keyboard, checked by the level loader as you type.

Each keystroke renders the form to YAML (game/studio/patterns) and parses it with the game's own loader;
every problem (``file:line:column: field: message``) is filed under the form field that wrote that part of
the level (patterns.field_for), or under "" when no field did. The preview is the played sequence with each
word's role (clue, distractor, reset, question, filler) as the level plays it.
"""

from __future__ import annotations

from ..levels.loader import LevelError, parse_level
from ..levels.schema import Level
from ..levels.sequence import SequenceError, play_sequence
from ..studio import patterns
from ..studio.files import Opened


class StudioForm:
    def __init__(self, pattern: patterns.Pattern, values: dict | None = None, opened: Opened | None = None):
        self.pattern = pattern
        given = values if values is not None else pattern.example
        self.values = {f.key: given.get(f.key, "") for f in pattern.fields}  # the form's fields, no more
        self.opened = opened  # the file it came from (comments to keep, inline ones to warn about)
        self.focus = 0
        self.dirty = False
        self._cache: tuple[str, Level | None, dict] | None = None

    # -- editing ------------------------------------------------------------------------------------------
    @property
    def fields(self) -> tuple:
        return self.pattern.fields

    @property
    def focused(self) -> patterns.FormField:
        return self.fields[self.focus]

    def move(self, delta: int) -> None:
        self.focus = (self.focus + delta) % len(self.fields)

    def type(self, text: str) -> None:
        key = self.focused.key
        self.values[key] = self.values.get(key, "") + "".join(c for c in text if c.isprintable())
        self.dirty = True

    def backspace(self) -> None:
        key = self.focused.key
        self.values[key] = self.values.get(key, "")[:-1]
        self.dirty = True

    def set(self, key: str, text: str) -> None:
        self.values[key] = text
        self.dirty = True

    # -- the loader's verdict -----------------------------------------------------------------------------
    @property
    def level_id(self) -> str:
        return self.values.get("id", "").strip()

    def yaml_text(self) -> str:
        return patterns.render(self.pattern, self.values)

    def _check(self) -> tuple[str, Level | None, dict]:
        text = self.yaml_text()
        if self._cache is None or self._cache[0] != text:
            level, problems = None, {}
            try:
                level = parse_level(text, file=f"{self.level_id or 'level'}.yaml")
            except LevelError as e:
                for p in e.problems:
                    problems.setdefault(patterns.field_for(self.pattern, p.field) or "", []).append(str(p))
            self._cache = (text, level, problems)
        return self._cache

    @property
    def level(self) -> Level | None:
        return self._check()[1]

    @property
    def problems(self) -> dict[str, list[str]]:
        """Field key -> the loader's messages about it ("" for those no field wrote)."""
        return self._check()[2]

    @property
    def valid(self) -> bool:
        return self.level is not None

    def preview(self) -> list[tuple[str, str, bool]]:
        """(word, role, key word) of the played sequence; [] while the level does not load."""
        level = self.level
        if level is None:
            return []
        try:
            seq = play_sequence(level)
        except (SequenceError, ValueError):
            return []
        return [(tok.word, tok.role, tok.key) for tok in seq.tokens]

    # -- saving -------------------------------------------------------------------------------------------
    @property
    def comments(self) -> list[str]:
        return self.opened.comments if self.opened is not None else []

    @property
    def loses_comments(self) -> bool:
        """Saving drops inline comments the file had (whole-line ones are kept at the top)."""
        return self.opened is not None and bool(self.opened.inline)


class SeedsCheck:
    """The playability check over a few seeds, in the background: each seed trained fresh and checked
    (game/levels/training.check_level), then diagnosis.seeds_report's lines and every losing strategy's
    verdict in words. ``cancel`` stops the training at its next progress report."""

    def __init__(self, level: Level, seeds: int = 3, background: bool = True):
        import threading

        self.level, self.n = level, seeds
        self.done_seeds = 0
        self.fraction = 0.0
        self.state = "running"
        self.lines: list[str] = []  # diagnosis.seeds_report's lines: summary, table, advice
        self.verdicts: list[str] = []  # "strategy: why it wins or loses", in words
        self.playable = False
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"check {level.id}", daemon=True)
        if background:
            self._thread.start()
        else:
            self._run()

    def _progress(self, p) -> bool:
        self.fraction = (self.done_seeds + p.fraction) / self.n
        return not self._cancel.is_set()

    def _run(self) -> None:
        from lstm_engine import TrainingCancelled

        from ..levels import diagnosis, training

        try:
            seeds = training.seed_sequence(self.level, self.n)
            checks = []
            for seed in seeds:
                model, _ = training.train_level(self.level, self._progress, seed)
                checks.append(training.check_level(self.level, model))
                self.done_seeds += 1
            report = diagnosis.seeds_report(self.level, self.level.id, seeds, checks)
            # the verdict of every losing strategy in words (the first seed's), then the table and advice
            self.verdicts = [f"{name}: {o.reason}" for name, o in checks[0].losing]
            self.lines = report.lines()
            self.playable = report.count >= 0.8 * self.n
            self.state = "done"
        except TrainingCancelled:
            self.state = "cancelled"
        except Exception as e:  # noqa: BLE001 - shown on screen, never a dead thread
            self.lines, self.state = [f"{type(e).__name__}: {e}"], "failed"

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)


class ChallengeExport:
    """A one-level challenge file made from a saved studio level (game/classroom/challenge.make_challenge),
    in the background: it embeds the level's network, training it first if it was never trained."""

    def __init__(self, level_path, title: str, out_path, background: bool = True):
        import threading

        self.level_path, self.title, self.out_path = level_path, title, out_path
        self.state, self.error = "running", ""
        self._thread = threading.Thread(target=self._run, name="challenge", daemon=True)
        if background:
            self._thread.start()
        else:
            self._run()

    def _run(self) -> None:
        from ..classroom.challenge import Rules, make_challenge

        try:
            make_challenge(self.title, [str(self.level_path)], Rules(), self.out_path)
            self.state = "done"
        except Exception as e:  # noqa: BLE001 - ChallengeError, LevelError, OSError...: said on screen
            self.error, self.state = str(e), "failed"

    def wait(self, timeout: float | None = None) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)
