"""Level select: packs and levels with stars, best scores and locks; broken level files are listed
with their error instead of stopping the game."""

from __future__ import annotations

import pygame

from ...controllers.level_select import LevelSelect, Row
from ...strings import t
from .. import chrome, draw, theme
from ..actions import Act, Input
from ..scenes import Scene

ROW_H, PACK_H, TOP = 54, 40, chrome.HEADER_H + 16


def list_layout(rows: list[Row]) -> list[tuple[str, int, int]]:
    """("pack", row index, y) separators and ("row", index, y) entries, y from the list's top."""
    out, y, pack = [], 0, None
    for k, r in enumerate(rows):
        if r.pack != pack:
            pack = r.pack
            out.append(("pack", k, y))
            y += PACK_H
        out.append(("row", k, y))
        y += ROW_H
    return out


class LevelSelectScene(Scene):
    name = "level_select"

    def __init__(self, app, focus_ref: str | None = None):
        super().__init__(app)
        self.focus_ref = focus_ref

    def enter(self) -> None:
        self.reload()

    def resume(self) -> None:
        self.reload(self.model.focused.ref if self.model.focused else None)

    def reload(self, focus_ref: str | None = None) -> None:
        self.model = LevelSelect(self.app.rows(), focus_ref or self.focus_ref)
        self.layout = list_layout(self.model.rows)

    # -- geometry (shared by drawing and the mouse) -------------------------------------------------
    def list_rect(self) -> pygame.Rect:
        w, h = self.app.screen.get_size()
        return pygame.Rect(24, TOP, int(w * 0.52), h - TOP - chrome.FOOTER_H - 16)

    def scroll(self) -> int:
        """Scroll so the focused row stays in view (pure: from the focus and the list's size)."""
        rect = self.list_rect()
        ys = [y for kind, k, y in self.layout if kind == "row" and k == self.model.focus]
        if not ys:
            return 0
        total = self.layout[-1][2] + ROW_H
        wanted = max(0, ys[0] + 2 * ROW_H - rect.height)  # the focused row and one more stay in view
        return min(wanted, max(0, total - rect.height))

    def row_at(self, pos) -> int | None:
        rect = self.list_rect()
        if not rect.collidepoint(pos):
            return None
        y = pos[1] - rect.y + self.scroll()
        for kind, k, top in self.layout:
            if kind == "row" and top <= y < top + ROW_H:
                return k
        return None

    # -- input -------------------------------------------------------------------------------------
    def raw(self, event) -> bool:
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_n, pygame.K_e):
            return self.studio(event.key == pygame.K_n)
        if event.type == pygame.MOUSEMOTION:
            k = self.row_at(event.pos)
            if k is not None:
                self.model.point(k)
            return True
        if event.type == pygame.MOUSEBUTTONUP and event.button == 1:
            k = self.row_at(event.pos)
            if k is not None:
                self.model.point(k)
                self.open_focused(suggest=False)
            return True
        if event.type == pygame.MOUSEWHEEL:
            self.model.move(-event.y)
            return True
        return False

    def handle(self, inp) -> None:
        if not isinstance(inp, Input):
            return
        if inp.act == Act.UP:
            self.model.move(-1)
        elif inp.act == Act.DOWN:
            self.model.move(1)
        elif inp.act in (Act.CONFIRM, Act.STEP) and inp.value is None:
            self.open_focused(suggest=False)
        elif inp.act == Act.OPEN:
            row = self.model.focused
            if row is not None and row.level is not None:
                from .replays import ReplaysScene

                self.app.stack.push(ReplaysScene(self.app, row))
        elif inp.act == Act.LAB:
            from .lab import LabScene

            self.app.stack.push(LabScene(self.app))
        elif inp.act == Act.BACK:
            self.app.stack.pop()

    def own_path(self):
        """The file of the focused level when it is one of the player's own (Edit opens it)."""
        from ... import paths
        from ..app import USER_PACKS

        row = self.model.focused
        if row is None or not row.ref.startswith(USER_PACKS) or "/" not in row.ref:
            return None
        folder, name = row.ref[len(USER_PACKS):].split("/", 1)
        return paths.user_data_dir() / "levels" / folder / f"{name}.yaml"

    def studio(self, new: bool) -> bool:
        """N: a new level in the studio; E: edit the focused level when it is the player's own."""
        from . import studio

        if new:
            self.app.stack.push(studio.StudioPickScene(self.app))
            return True
        path = self.own_path()
        if path is not None and path.is_file():
            studio.open_own(self.app, path)
        return True

    def open_focused(self, suggest: bool = True) -> None:
        if suggest:
            self.model.focus = self.model.suggested()
        row = self.model.choose()
        if row is None:
            return
        from .loading import LoadingScene

        self.app.stack.push(LoadingScene(self.app, row))

    # -- drawing -----------------------------------------------------------------------------------
    def draw(self, surface) -> None:
        surface.fill(theme.BG)
        done = sum(1 for r in self.model.rows if r.best and r.best["wins"] > 0)
        playable = sum(1 for r in self.model.rows if r.level is not None)
        chrome.header(
            surface,
            t("level_select.title"),
            t(
                "level_select.progress",
                player=self.app.player or t("level_select.no_player"),
                done=done,
                playable=playable,
            ),
        )
        rect = self.list_rect()
        clip = surface.get_clip()
        surface.set_clip(rect)
        off = rect.y - self.scroll()
        for kind, k, y in self.layout:
            top = off + y
            if top > rect.bottom or top + ROW_H < rect.y:
                continue
            r = self.model.rows[k]
            if kind == "pack":
                draw.text(
                    surface,
                    r.pack.upper(),
                    (rect.x + 4, top + PACK_H - 12),
                    15,
                    theme.DIM,
                    "bold",
                    "bottomleft",
                )
            else:
                self.draw_row(
                    surface, pygame.Rect(rect.x, top, rect.width, ROW_H - 6), r, k == self.model.focus
                )
        surface.set_clip(clip)
        self.draw_details(surface)
        chrome.footer(
            surface,
            [
                ("↑↓", t("footer.choose")),
                (t("key.enter"), t("footer.play")),
                ("O", t("footer.replays")),
                ("L", t("footer.lab")),
                ("N", t("footer.studio.new")),
                *([("E", t("footer.studio.edit"))] if self.own_path() is not None else []),
                (t("key.esc"), t("footer.back")),
                ("F1", t("footer.help")),
            ],
        )

    def draw_row(self, surface, box: pygame.Rect, r: Row, focused: bool) -> None:
        broken = r.level is None
        draw.panel(
            surface,
            box,
            theme.PANEL_HI if focused else theme.PANEL,
            radius=8,
            border=theme.BAD if broken else None,
            width=1,
        )
        colour = theme.TEXT if r.playable else theme.LOCKED if r.locked else theme.BAD
        draw.text(
            surface,
            f"{r.number:2d}" if r.number else "!",
            (box.x + 14, box.centery),
            18,
            theme.DIM,
            "bold",
            "midleft",
        )
        name = r.title if not broken else t("level_select.broken", title=r.title)
        right = box.right - 14
        if r.locked:
            draw.padlock(surface, (right - 12, box.centery), 9)
            right -= 40
        elif not broken:
            score = t("level_select.best", score=r.best["score"]) if r.best else t("level_select.new")
            s = draw.text(surface, score, (right, box.centery), 16, theme.DIM, anchor="midright")
            draw.stars(surface, (s.x - 110, box.centery), r.stars, 13)
            right = s.x - 120
        draw.text(
            surface,
            draw.fit(name, 19, right - box.x - 60),
            (box.x + 52, box.centery),
            19,
            colour,
            "bold" if focused else "regular",
            "midleft",
        )
        if focused:
            draw.focus_ring(surface, box, 8)

    def draw_details(self, surface) -> None:
        w, h = surface.get_size()
        r = self.model.focused
        box = pygame.Rect(int(w * 0.52) + 48, TOP, w - int(w * 0.52) - 72, h - TOP - chrome.FOOTER_H - 16)
        draw.panel(surface, box)
        if r is None:
            draw.paragraph(surface, t("level_select.none"), box.inflate(-40, -40), 18)
            return
        inner = box.inflate(-40, -36)
        y = inner.y
        if r.level is None:
            draw.text(surface, draw.fit(r.title, 22, inner.width), (inner.x, y), 22, theme.BAD, "bold")
            y += 38
            draw.paragraph(
                surface,
                t("level_select.problems"),
                pygame.Rect(inner.x, y, inner.width, 70),
                16,
                theme.DIM,
            )
            y += 56
            draw.paragraph(
                surface,
                r.error or "",
                pygame.Rect(inner.x, y, inner.width, inner.bottom - y),
                14,
                theme.TEXT,
                "mono",
            )
            return
        draw.paragraph(
            surface,
            r.level.title,
            pygame.Rect(inner.x, y, inner.width, 34),
            24,
            theme.TEXT,
            "bold",
            max_lines=1,
        )
        y += 40
        y += draw.paragraph(
            surface, r.level.concept, pygame.Rect(inner.x, y, inner.width, 90), 18, theme.FOCUS
        )
        y += 14
        if r.locked:
            draw.paragraph(
                surface,
                t("level_select.locked"),
                pygame.Rect(inner.x, y, inner.width, 60),
                17,
                theme.DIM,
            )
            y += 60
        elif r.best:
            draw.stars(surface, (inner.x, y + 16), r.stars, 16)
            draw.text(
                surface,
                t(
                    "level_select.best_line",
                    score=r.best["score"],
                    attempts=r.best["attempts"],
                    wins=r.best["wins"],
                ),
                (inner.x + 120, y + 16),
                16,
                theme.DIM,
                anchor="midleft",
            )
            y += 44
        numbers = hasattr(r.level.play, "values") and r.level.play.values is not None
        cells, slots = r.level.network.hidden, r.level.network.slots
        if numbers:
            network = (
                t("level_select.network.numbers.many", cells=cells, slots=slots)
                if slots > 1
                else t("level_select.network.numbers.one", cells=cells, slots=slots)
            )
        else:
            network = (
                t("level_select.network.words.many", cells=cells, slots=slots)
                if slots > 1
                else t("level_select.network.words.one", cells=cells, slots=slots)
            )
        draw.text(
            surface,
            network,
            (inner.x, y),
            16,
            theme.DIM,
        )
        y += 34
        draw.paragraph(
            surface, r.level.intro, pygame.Rect(inner.x, y, inner.width, inner.bottom - y), 16, theme.TEXT
        )
