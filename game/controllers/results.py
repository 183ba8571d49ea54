"""The results of a finished sentence: the score (game/session/scoring.py), saving the attempt and its
replay, and where the player can go next."""

from __future__ import annotations

from collections.abc import Callable

from ..progress import StoreError
from ..session.replay import save_attempt
from ..session.scoring import HINT_COST, Score
from ..session.session import PlaySession
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
    ):
        """next_level: the level after this one as level select sees it once this attempt is saved."""
        self.session, self.ref = session, ref
        self.score: Score = session.result()
        self.outcome = session.prediction()  # top answers with the player's gates
        self.model_outcome = session.model_run.outcome
        self.assisted = assisted
        self.saved: int | None = None
        self.notice = ""
        if assisted:
            self.notice = (
                f"Autoplay played {assisted} of {session.T} words, so this run is not counted for stars."
            )
        elif store is None or player is None:
            self.notice = "Not saved: no player is chosen."
        else:
            try:
                self.saved = save_attempt(store, player, session, ref, started)
            except (StoreError, OSError) as e:  # a full disk costs this record, never the game
                self.notice = f"Could not save this attempt: {e}"
        self.next_row = next_level()
        items = [Item("retry", "Play again")]
        if self.next_row is not None:
            items.append(
                Item(
                    "next",
                    f"Next: {self.next_row.title}",
                    enabled=self.next_row.playable,
                    detail="" if self.next_row.playable else "Win this level to unlock the next one.",
                )
            )
        items += [Item("compare", "Compare with the network's gates"),
                  Item("watch", "Watch the trained network play it"), Item("back", "Level select")]
        self.menu = Menu(items, 1 if self.next_row is not None and self.next_row.playable else 0)

    @property
    def won(self) -> bool:
        return self.score.correct and self.score.confident

    def headline(self) -> str:
        s = self.score
        if s.correct and s.confident:
            return "The network answers right, with confidence."
        if s.correct:
            return "Right, but not sure enough to win: make the memory clearer."
        return "The network answers wrong with your gates."

    def parts(self) -> list[tuple[str, str]]:
        """The score broken into its parts, as (label, value) lines (docs/scoring.md)."""
        s = self.score
        return [
            ("Answer", f"{s.outcome_points:.0f} of 100 × 0.7 = {0.7 * s.outcome_points:.1f}"),
            ("Agreement with the model", f"{s.agreement:.2f} × 30 = {30 * s.agreement:.1f}"),
            ("Hints", f"{s.hints} × −{HINT_COST:g} = −{HINT_COST * s.hints:.0f}" if s.hints else "none used"),
            ("Score", f"{s.total:.1f}"),
        ]
