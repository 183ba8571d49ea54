"""The results of a finished sentence: the score (game/session/scoring.py), saving the attempt and its
replay, and where the player can go next."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cached_property

from ..progress import StoreError
from ..session.replay import ReplayError, save_attempt
from ..session.resemblance import Resemblance, closest_strategy
from ..session.scoring import HINT_COST, Score
from ..session.session import PlaySession
from ..strings import t
from .level_select import Row
from .menu import Item, Menu


class Results:
    def __init__(
        self,
        session: PlaySession,
        ref: str,
        player: str | None,
        store,
        assisted: int,
        next_level: Callable[[], Row | None] = lambda: None,
        started: str | None = None,
        source: str | None = None,
    ):
        """next_level: the level after this one as level select sees it once this attempt is saved.
        source: the level file of a level opened by path (recorded so the attempt can be reopened)."""
        self.session, self.ref = session, ref
        self.score: Score = session.result()
        self.outcome = session.prediction()  # top answers with the player's gates
        self.model_outcome = session.model_run.outcome
        self.assisted = assisted
        self.saved: int | None = None
        self.notice = ""
        if assisted:
            self.notice = t("results.notice.assisted", assisted=assisted, total=session.T)
        elif store is None or player is None:
            self.notice = t("results.notice.no_player")
        else:
            try:
                self.saved = save_attempt(store, player, session, ref, started, source)
            except (StoreError, OSError, ReplayError) as e:  # a full disk costs this record, never the game
                self.notice = t("results.notice.save_failed", error=e)
        self.next_row = next_level()
        items = [Item("retry", t("results.menu.retry"))]
        if self.next_row is not None:
            items.append(
                Item(
                    "next",
                    t("results.menu.next", title=self.next_row.title),
                    enabled=self.next_row.playable,
                    detail="" if self.next_row.playable else t("results.menu.next_locked"),
                )
            )
        items += [
            Item("compare", t("results.menu.compare")),
            Item("explain", t("results.menu.explain"), detail=t("results.menu.explain.detail")),
            Item("watch", t("results.menu.watch")),
            Item("back", t("results.menu.back")),
        ]
        self.menu = Menu(items, 1 if self.next_row is not None and self.next_row.playable else 0)

    @property
    def won(self) -> bool:
        return self.score.correct and self.score.confident

    @cached_property
    def resemblance(self) -> Resemblance | None:
        """After a loss: the level's losing strategy the player's gating resembles most (see
        game/session/resemblance.py), or None (after a win, or a gating like none of them)."""
        if self.won:
            return None
        s = self.session
        return closest_strategy(s.level, s.sequence, s.state.gates)

    def level_words(self) -> list[tuple[str, str]]:
        """The level's own words after play, as (title, text): after a loss, the losing strategy the
        gating resembles most and why it fails; then the solution's explanation."""
        out = []
        r = self.resemblance
        if r is not None:
            out.append((t("results.level.resembles", name=r.name),
                        r.explanation or t("results.level.no_explanation")))
        solution = self.session.level.solution  # a plain RNN level has none
        explanation = solution.explanation if solution is not None else None
        if explanation:
            out.append((t("results.level.solution"), explanation))
        return out

    @property
    def stars(self) -> int:
        """Stars shown: none when autoplay played part of the sentence (the run is not counted)."""
        return 0 if self.assisted else self.score.stars

    def headline(self) -> str:
        s = self.score
        if s.correct and s.confident:
            return t("results.headline.won")
        if s.correct:
            return t("results.headline.unsure")
        if s.on_top:
            return t("results.headline.guess")
        return t("results.headline.wrong")

    def in_words(self) -> str:
        """The two parts of the score said in words (docs/scoring.md)."""
        s = self.score
        change = -math.log(max(s.agreement, 1e-300))
        if self.session.task.numeric:
            first = t("results.words.outcome.numeric", answer=s.answer, points=s.outcome_points,
                      tol=self.session.task.tolerance)
            second = t("results.words.agreement.numeric", change=change, agreement=s.agreement)
        else:
            first = t("results.words.outcome", p=100 * s.p_right, points=s.outcome_points,
                      baseline=100 * s.baseline)
            second = t("results.words.agreement", change=change, agreement=s.agreement)
        if s.agreement >= 1.0:
            second = t("results.words.agreement.full")
        return first + " " + second

    def parts(self) -> list[tuple[str, str]]:
        """The score broken into its parts, as (label, value) lines (docs/scoring.md). Every number is
        shown as rounded in the score itself, so the lines add up exactly to the total shown."""
        s = self.score
        if not s.hints:
            hints = t("results.part.hints.none")
        elif s.hint_part < HINT_COST * s.hints:
            hints = t("results.part.hints.capped", hints=s.hints, cost=HINT_COST, total=s.hint_part)
        else:
            hints = t("results.part.hints.value", hints=s.hints, cost=HINT_COST, total=s.hint_part)
        return [
            (t("results.part.answer"),
             t("results.part.answer.value", points=s.outcome_points, weighted=s.answer_part)),
            (t("results.part.agreement"),
             t("results.part.agreement.value", agreement=s.agreement, weighted=s.agreement_part)),
            (t("results.part.hints"), hints),
            (t("results.part.score"), t("results.part.score.value", total=s.total)),
        ]
