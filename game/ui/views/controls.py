"""One control group per slot: the level's gates (LSTM forget, input, output; GRU update, reset), each
with its slider (pygame_gui draws the slider itself), its value, the keyboard focus and the hint's
mark. A plain RNN level has no gates: its group says so."""

from __future__ import annotations

import pygame

from ...controllers.play import PlayController
from ...strings import t
from .. import draw, theme
from .layout import PlayLayout


def gate_name(gate: str) -> str:
    """A gate's name as the player reads it (``gate`` is the code's name: forget, input, output)."""
    return {"forget": t("gate.forget"), "input": t("gate.input"), "output": t("gate.output"),
            "update": t("gate.update"), "reset": t("gate.reset")}[gate]


def draw_controls(surface, layout: PlayLayout, ctl: PlayController) -> None:
    S = ctl.session.S
    H = ctl.session.model.cell.hidden_size
    for slot, group in enumerate(layout.groups):
        selected = slot == ctl.slot
        draw.panel(surface, group, theme.PANEL_HI if selected else theme.PANEL)
        title = (
            t("controls.slot.cells", n=slot + 1, first=slot * H // S + 1, last=(slot + 1) * H // S)
            if S > 1
            else t("controls.slot.all", n=slot + 1, count=H)
        )
        draw.text(
            surface,
            draw.fit(title, 16, group.width - 24),
            (group.x + 12, group.y + 8),
            16,
            theme.TEXT if selected else theme.DIM,
            "bold",
        )
        if not ctl.shown_gates:
            draw.paragraph(surface, t("controls.rnn.none"),
                           pygame.Rect(group.x + 12, group.y + layout.title_h, group.width - 24,
                                       group.height - layout.title_h - 8), 16, theme.DIM)
        for k, gate in enumerate(ctl.shown_gates):
            row = layout.gate_row(slot, k)
            focused = selected and k == ctl.gate
            if focused:
                pygame.draw.rect(surface, theme.BG, row, border_radius=6)
                pygame.draw.rect(surface, theme.FOCUS, row, 2, border_radius=6)
            colour = theme.GATE_COLOURS[gate]
            badge = (row.x + 16, row.centery)
            pygame.draw.circle(surface, colour, badge, 10)
            draw.text(surface, theme.GATE_SYMBOLS[gate], badge, 15, theme.BG, "bold", "center")
            slider = layout.slider(slot, k)
            draw.text(
                surface,
                draw.fit(gate_name(gate), 16, slider.x - row.x - 40),
                (row.x + 32, row.centery),
                16,
                colour,
                "bold" if focused else "regular",
                "midleft",
            )
            value = ctl.gate_value(slot, gate)
            draw.text(
                surface, f"{value:.2f}", (row.right - 8, row.centery), 17, theme.TEXT, "bold", "midright"
            )
            if ctl.hint is not None and ctl.hint_step == ctl.session.step:
                hx = slider.x + 24 + (slider.width - 48) * ctl.hint[gate][slot]
                pygame.draw.polygon(
                    surface, theme.FOCUS, [(hx - 6, slider.y - 6), (hx + 6, slider.y - 6), (hx, slider.y + 2)]
                )
