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
    "gate.update": "update",
    "gate.reset": "reset",
    "gate.label": "{symbol} {gate}",
    "gate.label.slot": "{symbol} {gate} {slot}",
    "key.space": "Space",
    "key.tab": "Tab",
    "key.bksp": "Bksp",
    "key.ctrl_s": "Ctrl+S",
    "key.enter_or_arrows": "Enter / ←→",
    "key.esc_or_x": "Esc / X",
    "footer.change": "change",
    "footer.go": "go",
    "footer.level_select": "level select",
    "footer.start": "start",
    "footer.keys": "keys",
    "footer.play": "play",
    "footer.replays": "replays",
    "footer.lab": "lab",
    "footer.read_word": "read word",
    "footer.slot": "slot",
    "footer.gate": "gate",
    "footer.adjust": "adjust",
    "footer.presets": "presets",
    "footer.undo": "undo",
    "footer.hint": "hint",
    "footer.explain": "explain",
    "footer.autoplay": "autoplay",
    "footer.all_keys": "all keys",
    "footer.leave": "leave",
    "footer.step": "step",
    "footer.next_decisive": "next decisive",
    "footer.what_if": "what if",
    "footer.from_here": "…from here on",
    "footer.reset": "reset",
    "footer.save": "save",
    "footer.number": "number",
    "footer.cell_or_slot": "cell / slot",
    "footer.word": "word",
    "footer.close": "close",
    "menu.back": "Back",
    "level.numbered": "{number}. {title}",
    "answer.numeric": "answer {predicted}  (needs {answer})",
    # -- the window and starting it ----------------------------------------------------------------
    "app.window_title": "Gatekeeper",
    "app.notice.no_store": "Progress cannot be saved this time: {error}",
    "launch.own_pack": "your level",
    # -- title screen ------------------------------------------------------------------------------
    "title.tagline": "You are the gatekeeper of a real LSTM's memory.",
    "title.continue": "Continue",
    "title.need_player": "Choose a player first.",
    "title.campaign": "Campaign",
    "title.player": "Player: {name}",
    "title.nobody": "nobody yet",
    "title.settings": "Settings",
    "title.quit": "Quit",
    "title.join": "Join a class",
    "title.teacher": "Teacher",
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
    "help.play.hint": "hint: the level's own hints (free), then the network's gates from your memory (−5)",
    "help.play.autoplay.keys": "A",
    "help.play.autoplay": "let the trained network play / take over again",
    "help.play.speed.keys": "P, [ ]",
    "help.play.speed": "pause autoplay, slower / faster",
    "help.play.leave.keys": "Esc twice",
    "help.play.leave": "leave the level",
    "help.play.explain.keys": "X",
    "help.play.explain": "explain the chosen number (formula with this word's numbers)",
    "help.section.explain": "The explanation panel",
    "help.explain.number.keys": "← →",
    "help.explain.number": "number",
    "help.explain.unit.keys": "↑ ↓",
    "help.explain.unit": "cell or slot",
    "help.explain.word.keys": ", .",
    "help.explain.word": "word (results/comparison)",
    "help.section.compare": "Comparing with the network",
    "help.compare.step.keys": "← →",
    "help.compare.step": "step",
    "help.compare.decisive.keys": "Tab / Shift+Tab",
    "help.compare.decisive": "next / previous decisive step",
    "help.compare.whatif.keys": "Enter",
    "help.compare.whatif": "what if (the network's gates at this word)",
    "help.compare.from_here.keys": "F",
    "help.compare.from_here": "… from this word on",
    "help.compare.reset.keys": "Backspace",
    "help.compare.reset": "reset",
    "help.compare.save.keys": "Ctrl+S",
    "help.compare.save": "save PNG + replay",
    "help.compare.explain.keys": "X",
    "help.compare.explain": "explain",
    "help.section.levels": "Level select",
    "help.levels.replays.keys": "O",
    "help.levels.replays": "open saved replays of the level",
    "help.levels.lab.keys": "L",
    "help.levels.lab": "the lab: RNN, GRU and LSTM side by side",
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
    "loading.building": "Writing the sentences the network learns from",
    "loading.building_progress": "{percent:.0f}% of {sentences} sentences",
    "loading.progress": (
        "{percent:.0f}% · attempt {attempt} of {attempts} · stage {stage} of {stages} · {steps} steps · "
        "accuracy on new sentences {accuracy:.0f}%"
    ),
    "loading.seed": "seed {seed} of {tries} (the last one did not play as designed)",
    "loading.phase.learning": "learning the task",
    "loading.phase.annealing": "making its gates decisive",
    "loading.phase.done": "finished",
    "loading.first_time": (
        "The first time a level is played on this computer its network is trained from "
        "scratch with NumPy, then kept for next time."
    ),
    "loading.cancelling": "Cancelling…",
    # -- the lab (game/ui/screens/lab.py, game/controllers/lab.py) -----------------------------------
    "lab.title": "The lab: RNN, GRU and LSTM side by side",
    "lab.header.right": "real runs, one budget",
    "lab.task.adding": "the adding problem",
    "lab.task.carry": "carry one symbol",
    "lab.chart.accuracy": "Held-out accuracy against lag",
    "lab.chart.accuracy.x": "lag (steps, log scale)",
    "lab.chart.gradient": "Gradient reaching d steps back, ‖∂L/∂state‖",
    "lab.chart.gradient.x": "distance d (steps)",
    "lab.chart.solved": "solved ≥ {percent}%",
    "lab.legend.init": "dashed: at initialisation",
    "lab.legend.trained": "solid: after training",
    "lab.legend.yours": "ring: your run",
    "lab.no_results": "No shipped lab results to show ({error}). Run one from the menu.",
    "lab.item.task": "Task: {task}",
    "lab.item.cell": "Cell: {cell}",
    "lab.item.gap": "Lag: {gap} steps",
    "lab.item.run": "Run it now",
    "lab.item.running": "Training… Esc cancels",
    "lab.item.detail": "←→ change a choice. Run it now trains that cell at that lag here, live.",
    "lab.run.progress": (
        "{cell} at lag {gap}, seed {seed}: {percent:.0f}% of the step budget, held-out {accuracy:.0f}%"
    ),
    "lab.run.done": (
        "Your run: {cell} at lag {gap}, seed {seed}: {accuracy:.1f}% held-out, {verdict}, {seconds:.1f} s."
    ),
    "lab.run.solved": "solved",
    "lab.run.unsolved": "not solved",
    "lab.run.cancelled": "Run cancelled.",
    "lab.run.error": "the run failed: {error}",
    "lab.sum.cell_percent": "{cell} {percent:.0f}%",
    "lab.sum.accuracy": "Held-out accuracy at lag {lag}: {cells}. Solved means at least {solved}%.",
    "lab.sum.solved_to": "{cell} {lag}",
    "lab.sum.solved_none": "{cell} none",
    "lab.sum.solved": "Longest lag solved: {cells}.",
    "lab.sum.cell_norm": "{cell} {norm:.0e}",
    "lab.sum.gradient": (
        "Gradient {distance} steps back: before training {before}; after training {after}."
    ),
    "lab.sum.one_seed": (
        "Each cell: about {weights} weights and at most {steps} steps of {batch} sequences. One seed per "
        "point: another seed can differ."
    ),
    "lab.paper": (
        "The paper (Hochreiter & Schmidhuber 1997): one symbol to carry, RTRL succeeded in 78% of "
        "trials at lag 4 and 0% at lag 10; at lag 100 RTRL and BPTT 0%, LSTM 100% after about 5,000 "
        "sequences. Their LSTM solved the adding problem at T = 100, 500 and 1,000."
    ),
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
    # a GRU (no belt: the hidden state is the memory) and a plain RNN (no gates)
    "cell.gru.memory": "memory h (= hidden state)",
    "cell.gru.new": "new memory h → answer",
    "cell.gru.candidate": "candidate n",
    "cell.gru.takes": "takes 1 − z of n",
    "cell.valve.update": "z {value:.2f}",
    "cell.valve.reset": "r {value:.2f}",
    "cell.rnn.memory": "memory h",
    "cell.rnn.new": "new memory h → answer",
    "cell.rnn.box": "h = tanh(W·x + U·h + b)",
    "cell.rnn.no_gates": "No gates: every word rewrites the memory. Watch what it says.",
    "controls.rnn.none": (
        "A plain RNN has no gates to set: press Space to read each word and watch the memory."
    ),
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
    "results.headline.guess": (
        "Right only by guessing: the network answers the same when the clue is different, so your gates "
        "did not carry it."
    ),
    "results.part.answer": "Answer",
    "results.part.answer.value": "{points:.0f} of 100 × 0.7 = {weighted:.1f}",
    "results.part.agreement": "Agreement with the model",
    "results.part.agreement.value": "{agreement:.2f} × 30 = {weighted:.1f}",
    "results.part.hints": "Hints",
    "results.part.hints.value": "{hints} × −{cost:g} = −{total:.1f}",
    "results.part.hints.capped": "{hints} × −{cost:g}, never below 0: −{total:.1f}",
    "results.part.hints.none": "none used",
    "results.part.score": "Score",
    "results.part.score.value": "{total:.1f}",
    "results.menu.explain": "Explain the numbers, word by word",
    "results.menu.explain.detail": "Every gate, memory cell, candidate and hidden value with its formula.",
    "results.words.outcome": (
        "The right answer got {p:.0f}% from the network ({baseline:.0f}% when the clue is changed): "
        "{points:.0f} of 100 outcome points (0 for a guess, 100 when certain)."
    ),
    "results.words.outcome.numeric": (
        "The network's answer was {answer}: {points:.0f} of 100 outcome points (100 within the tolerance "
        "of {tol:g}, 0 for an answer that ignores the starred numbers)."
    ),
    "results.words.agreement": (
        "Where your gates differed from the network's and theirs would have done better, the right "
        "answer's log-probability would have gained {change:.2f} in all, so the agreement is "
        "e^−{change:.2f} = {agreement:.2f}."
    ),
    "results.level.title": "The level says",
    "results.level.resembles": "Your gating looks most like “{name}”",
    "results.level.no_explanation": "That is one of the mistakes this level was written to show.",
    "results.level.solution": "The solution",
    "results.words.agreement.numeric": (
        "Where your gates differed from the network's and theirs would have done better, your answer "
        "would have come {change:.2f} tolerances closer in all, so the agreement is e^−{change:.2f} = "
        "{agreement:.2f}."
    ),
    "results.words.agreement.full": (
        "None of your gates that differ from the network's did worse for the answer: full agreement."
    ),
    # -- the verdict (game/levels/verdict.py): also printed by `levels check` and `replay verify` --------
    "verdict.words.wins": (
        "wins: {answer} is on top with p {p:.2f}; with the clue changed it would get {baseline:.2f}, "
        "so the gates carry the clue."
    ),
    "verdict.words.guess": (
        "loses: {answer} is on top with p {p:.2f}, but that is a guess: with the clue changed it still "
        "gets {baseline:.2f} (a win needs {needed:.2f})."
    ),
    "verdict.words.wrong": "loses: the network answers {top} (p {ptop:.2f}); {answer} gets {p:.2f}.",
    "verdict.words.uninformed": "The gates carry nothing of the clue: changing it changes nothing.",
    "verdict.words.narrow": (
        "Only narrowly: a clear loss needs p(right) at most {line:.2f} or another answer {factor:g} times "
        "as likely."
    ),
    "verdict.numbers.wins": (
        "wins: the answer {answer} is {error:.3f} from the truth (tolerance {tol:g}), and with other starred "
        "numbers it follows them to within {tracking:.3f} on average (an answer ignoring them would be "
        "{baseline:.3f} off)."
    ),
    "verdict.numbers.off": (
        "loses: the answer {answer} is {error:.3f} from {truth:g}, outside the tolerance {tol:g}."
    ),
    "verdict.numbers.guess": (
        "loses: the answer {answer} is {error:.3f} off, within the tolerance {tol:g}, but it ignores the "
        "starred numbers: with others it is {tracking:.3f} off on average, about as far as a guess "
        "({baseline:.3f})."
    ),
    "verdict.numbers.luck": (
        "loses: the answer {answer} is {error:.3f} off, within the tolerance {tol:g} here, but with other "
        "starred numbers it is {tracking:.3f} off on average, so it is right by luck."
    ),
    "verdict.numbers.narrow": "Only narrowly: a clear loss is more than twice the tolerance ({tol:g}) off.",
    # -- settings ----------------------------------------------------------------------------------
    "settings.title": "Settings",
    "settings.no_player": "no player chosen: not saved",
    "settings.on": "on",
    "settings.off": "off",
    "settings.ui_scale.label": "UI scale: {scale:.0%}",
    "settings.ui_scale.label.here": "UI scale: {scale:.0%} (here {here:.0%})",
    "settings.ui_scale.detail": (
        "Everything larger: text, buttons, the cell. A window too small for the whole scale shows "
        "as much as fits; make the window larger (or full screen) for the rest."
    ),
    "settings.palette.label": "Colours: {palette}",
    "settings.palette.standard": "standard",
    "settings.palette.colour_blind": "colour-blind",
    "settings.palette.detail": (
        "standard, or colour-blind: the Okabe–Ito colours, told apart with any colour vision. "
        "Gates also always carry their symbol: × forget, + input, ▸ output."
    ),
    "settings.high_contrast.label": "High contrast: {state}",
    "settings.high_contrast.detail": "Black background, white text and outlined panels.",
    "settings.reduced_motion.label": "Reduced motion: {state}",
    "settings.reduced_motion.detail": "The conveyor does not move between words; values change at once.",
    "settings.volume.label": "Sound volume: {volume:.0%}",
    "settings.volume.off": "Sound: off",
    "settings.volume.detail": (
        "Short, quiet cues when a word is read, memory is written or erased, and at the end."
    ),
    "settings.autoplay_speed.label": "Autoplay speed: ×{speed:g}",
    "settings.autoplay_speed.detail": (
        "How fast the trained network plays when you watch it (also [ and ] while watching)."
    ),
    "settings.show_numbers.label": "Numbers on the valves: {state}",
    "settings.show_numbers.detail": "Print each gate's value beside its valve.",
    "settings.unlock_all.label": "Unlock every level: {state}",
    "settings.unlock_all.detail": "Every level can be played, won or not (for classrooms and revisiting).",
    # -- level select ------------------------------------------------------------------------------
    # -- the level studio (game/ui/screens/studio.py) ------------------------------------------------
    "footer.studio.new": "new level",
    "footer.studio.edit": "edit",
    "footer.studio.field": "next field",
    "footer.studio.train": "train & play-test",
    "footer.studio.check": "check 3 seeds",
    "footer.studio.save": "save",
    "footer.studio.export": "export",
    "footer.studio.challenge": "to a challenge",
    "studio.pick.title": "New level: pick a pattern",
    "studio.title": "Level studio · {pattern}",
    "studio.pattern.one-clue": "One clue",
    "studio.pattern.distractor": "A distractor",
    "studio.pattern.reset": "A reset",
    "studio.pattern.two-slots": "Two facts in two slots",
    "studio.pattern.long-gap": "A long gap",
    "studio.pattern.hidden-state": "Hidden state (a sign word)",
    "studio.pattern.adding": "Adding numbers",
    "studio.pattern.time-series": "A time series",
    "studio.pattern.gru": "A GRU cell",
    "studio.pattern.rnn": "A plain RNN cell",
    "studio.field.id": "File name (id)",
    "studio.field.title": "Title",
    "studio.field.intro": "Introduction",
    "studio.field.hints": "Hints (a; b)",
    "studio.field.category": "Word list name",
    "studio.field.words": "Words (a, b, c)",
    "studio.field.answers": "Answers (word=answer)",
    "studio.field.clue": "Clue sentence",
    "studio.field.question": "Question (with ___)",
    "studio.field.distractor": "Distractor sentence",
    "studio.field.fillers": "Fillers (a; b)",
    "studio.field.played": "Played word",
    "studio.field.distractor_played": "Played distractor",
    "studio.field.first": "First sentence",
    "studio.field.second": "Second sentence",
    "studio.field.reset": "Reset sentence",
    "studio.field.first_played": "First played word",
    "studio.field.second_played": "Second played word",
    "studio.field.ask_first": "Question on the first",
    "studio.field.ask_second": "Question on the second",
    "studio.field.gap": "Gap (filler sentences)",
    "studio.field.values": "Played numbers",
    "studio.field.marked": "Starred steps (from 1)",
    "studio.field.signs": "Sign words (plus, minus)",
    "studio.preview": "The played sentence",
    "studio.preview.none": "No preview until the level loads.",
    "studio.role.clue": "clue",
    "studio.role.distractor": "distractor",
    "studio.role.reset": "reset",
    "studio.role.question": "question",
    "studio.valid": "The level loads.",
    "studio.check.hint": "F6 trains 3 seeds and checks the level plays as designed on each.",
    "studio.check.running": "Checking: {done} of {seeds} seeds trained",
    "studio.check.cancelled": "Check cancelled.",
    "studio.check.playable": "Playable on enough seeds",
    "studio.check.not_playable": "Not playable on enough seeds",
    "studio.status.invalid": "Fix the marked fields first.",
    "studio.status.saved": "Saved to {path}",
    "studio.status.exported": "Exported to {path}",
    "studio.status.save_failed": "Could not save: {error}",
    "studio.status.save_first": "Save the level first (Ctrl+S).",
    "studio.status.challenge_making": "Making a challenge file with this level and its network…",
    "studio.status.challenge_done": "Challenge file: {path} (host it with classroom serve)",
    "studio.status.inline_comments": (
        "The file has comments after values, which saving drops (whole-line comments are kept). "
        "Ctrl+S again to save anyway."
    ),
    "studio.read_only.title": "Read only",
    "studio.read_only.no_pattern": (
        "This level no longer fits any studio pattern's form (edited by hand), so the studio shows it "
        "read-only. Edit it in a text editor, or start a new level."
    ),
    "level_select.title": "Choose a level",
    "level_select.progress": "{player} · {done}/{playable} won",
    "level_select.no_player": "no player",
    "level_select.broken": "{title}: cannot be played",
    "level_select.best": "best {score:.1f}",
    "level_select.new": "new",
    "level_select.none": "No levels found.",
    "level_select.problems": (
        "This level file has problems, so it is left out. Fix them in a text "
        "editor (each one names the line and the field):"
    ),
    "level_select.locked": (
        "Locked: win the level before it to open this one (or turn on “Unlock every level” in Settings)."
    ),
    "level_select.best_line": "best score {score:.1f} · {attempts} attempts · {wins} won",
    "level_select.network.words.one": "{cells} memory cells · {slots} slot · reads words",
    "level_select.network.words.many": "{cells} memory cells · {slots} slots · reads words",
    "level_select.network.numbers.one": "{cells} memory cells · {slots} slot · reads numbers",
    "level_select.network.numbers.many": "{cells} memory cells · {slots} slots · reads numbers",
    # -- saved replays -----------------------------------------------------------------------------
    "replays.title": "Replays: {title}",
    "replays.intro": (
        "Your finished attempts at this level, newest first, then replay files of this level (saved "
        "comparisons and files put in {folder}). Opening one plays it again with the real network."
    ),
    "replays.attempt.label": "{when}  {stars}  {score:.1f} points",
    "replays.attempt.won": "won",
    "replays.attempt.not_won": "not won",
    "replays.attempt.source": "attempt {id}",
    "replays.attempt.missing": "attempt {id} has no replay any more",
    "replays.unreadable": "cannot read the replay: {error}",
    "replays.hints_self_reported": "{hints} hint(s), as the replay says: hint counts are self-reported "
    "(replays are not signed)",
    # -- level intro -------------------------------------------------------------------------------
    "intro.play": "Play",
    "intro.watch_model": "Watch the trained network play",
    "intro.watch_solution": "Watch the intended solution",
    "intro.back": "Back to the levels",
    "intro.diagram.forget": "keep (1) or wipe (0)",
    "intro.diagram.input": "write the word (1)",
    "intro.diagram.output": "reveal (1)",
    # -- playing a level ---------------------------------------------------------------------------
    "play.header.progress": "word {n} of {total} · hints {hints}",
    "play.header.time_left": "{progress} · {time} left",
    "play.tip": "Set the gates for this word, then press Space to read it. F1 lists every key.",
    "play.autoplay.model.paused": "Autoplay: the trained network · paused",
    "play.autoplay.model.speed": "Autoplay: the trained network · ×{speed:g}",
    "play.autoplay.solution.paused": "Autoplay: the intended solution · paused",
    "play.autoplay.solution.speed": "Autoplay: the intended solution · ×{speed:g}",
    "play.say.leave": "Press Esc again to leave this level (this attempt is not saved).",
    "play.say.paused": "Autoplay paused: P to go on, or take over with any gate key.",
    "play.say.resumed": "Autoplay goes on.",
    "play.say.speed": "Autoplay speed ×{speed:g}",
    "play.say.refused": "{reason}.",
    "play.say.hint_shown": "The hint for this word is already shown.",
    "play.say.hint": (
        "Marked on the sliders: what the network would set from your memory now (−5 points)."
    ),
    "play.say.text_hint": (
        "The level's hint {n} of {total} (free). H again: what the network would set (−5 points)."
    ),
    "play.say.autoplay.model": (
        "The trained network plays. P pauses, [ and ] change the speed; any gate key takes over."
    ),
    "play.say.autoplay.solution": (
        "The intended solution plays. P pauses, [ and ] change the speed; any gate key takes over."
    ),
    "play.say.taken_over": "You have taken over at word {n}.",
    "play.say.no_gates": "This network has no gates to set: press Space and watch what its memory says.",
    # -- the side panel of the play screen ---------------------------------------------------------
    "side.button.step": "Step ▶",
    "side.button.undo": "Undo",
    "side.button.redo": "Redo",
    "side.button.hint": "Hint",
    "side.memory.says": "The memory says, if revealed",
    "side.memory.says.slots": "Each slot says, if revealed alone",
    "side.memory.says.direct": "The memory says",
    "side.memory.slot_word": "{n} · {word}",
    "side.memory.holds": "The memory holds",
    "side.memory.numeric": "≈ {value}  (running value read from the belt)",
    "side.answer.title": "Answer with your gates (needs {answer})",
    "side.answer.title.numeric": "Answer with your gates",
    "side.hint.title": "What the network would set from your memory now",
    "side.hint.text.title": "The level's hint {n} of {total}",
    "side.hint.value": "{letter} {value:.2f}",
    "side.hint.slot": "slot {n}: {values}",
    "side.bars.percent": "{percent:.0f}%",
    # -- results screen ----------------------------------------------------------------------------
    "results.title": "{number}. {title}: results",
    "results.points": "{points:.1f} points",
    "results.with_yours": "With your gates",
    "results.with_network": "With the network's own gates",
    "results.how": "How the score is made",
    "results.decisive": (
        "Most decisive difference: at “{word}” (word {n}) your {gate} gate was {player:.2f}, the "
        "network's {model:.2f}; with the network's value the answer would be {answer}."
    ),
    "results.saved": "Saved to your progress, with the replay.",
    # -- comparing with the network ----------------------------------------------------------------
    "compare.title": "{title}: your gates against the network's",
    "compare.memory.player": "your memory c",
    "compare.memory.model": "its memory c",
    "compare.hidden.player": "your hidden h",
    "compare.hidden.model": "its hidden h",
    "compare.legend.bars": "bars: your gates · line: the network's · ▼ and dark column: a decisive step",
    "compare.legend.cells.standard": "cells: gold positive, blue negative, grey near zero",
    "compare.legend.cells.colour_blind": "cells: yellow positive, sky blue negative, grey near zero",
    "compare.word": "“{word}”",
    "compare.save.failed": "Could not save: {error}",
    "compare.save.done": "Saved {file} and its replay in {folder}",
    "compare.side.word": "Word {n}: “{word}”",
    "compare.side.gate": "gate",
    "compare.side.yours": "yours",
    "compare.side.network": "network",
    "compare.side.unchanged": "Your gates here did as well for the answer as the network's: no cost.",
    "compare.side.weight": (
        "Your gates here cost {weight:.2f}: the network's would have done that much better for the answer."
    ),
    "compare.side.weight.decisive": (
        "Your gates here cost {weight:.2f}: the network's would have done that much better — a decisive step."
    ),
    "compare.side.answer.right": "Your answer: {answer}, the right one (the network gives it {percent:.0f}%)",
    "compare.side.answer.wrong": "Your answer: {answer} — the right answer, {right}, got {percent:.0f}%",
    "compare.side.answer.numeric": "Your answer: {answer}",
    "compare.say.no_decisive": (
        "No decisive step: no single word's gates changed the answer much. Use ← → to look at each word."
    ),
    "compare.say.only_decisive": "This is the only decisive step.",
    "compare.side.flips": "That flips the answer.",
    "compare.side.stays": "The answer stays as it was.",
    "compare.side.prompt": (
        "Enter: what if the network's gates had been used at this word? F: from this word on."
    ),
    "compare.whatif.at": "With the network's gates at “{word}” (word {n}): {answer} ({percent:.0f}%)",
    "compare.whatif.at.bare": "With the network's gates at “{word}” (word {n}): {answer}",
    "compare.whatif.from": (
        "With the network's gates from “{word}” (word {n}) on: {answer} ({percent:.0f}%)"
    ),
    "compare.whatif.from.bare": "With the network's gates from “{word}” (word {n}) on: {answer}",
    "compare.classroom.caption": (
        "{name}: {score:.1f} points, {stars} of 3 stars — re-simulated by the class server"
    ),
    # -- explaining one number of the cell ---------------------------------------------------------
    "explain.name.forget": "Forget gate",
    "explain.name.input": "Input gate",
    "explain.name.output": "Output gate",
    "explain.name.update": "Update gate",
    "explain.name.reset": "Reset gate",
    "explain.name.candidate": "Candidate",
    "explain.name.cell": "Memory",
    "explain.name.hidden": "Hidden state",
    "explain.formula.forget": "fₜ = your setting",
    "explain.formula.input": "iₜ = your setting",
    "explain.formula.output": "oₜ = your setting",
    "explain.formula.candidate": "gₜ = tanh(W_g·[hₜ₋₁, xₜ] + b_g)",
    "explain.formula.cell": "cₜ = fₜ·cₜ₋₁ + iₜ·gₜ",
    "explain.formula.hidden": "hₜ = oₜ·tanh(cₜ)",
    "explain.formula.update": "zₜ = your setting",
    "explain.formula.reset": "rₜ = your setting",
    "explain.formula.gru.candidate": "nₜ = tanh(W_n·xₜ + b_n + rₜ·(U_n·hₜ₋₁ + b_hn))",
    "explain.formula.gru.hidden": "hₜ = (1 − zₜ)·nₜ + zₜ·hₜ₋₁",
    "explain.formula.rnn.hidden": "hₜ = tanh(W·xₜ + U·hₜ₋₁ + b)",
    "explain.title.gate": "{name} {symbol}, slot {slot}, word {n} '{word}' · your gates' run",
    "explain.title.unit": "{name} {symbol}, slot {slot}, cell {cell}, word {n} '{word}' · your gates' run",
    "explain.memory.holds": "the memory that holds '{word}'",
    "explain.memory.slot": "slot {slot}'s memory",
    "explain.meaning.forget.kept": "The forget gate kept {percent}% of {memory}.",
    "explain.meaning.forget.erased": "The forget gate erased {percent}% of {memory}.",
    "explain.meaning.input": (
        "The input gate wrote {percent}% of the candidate for '{word}' into slot {slot}."
    ),
    "explain.meaning.input.nothing": (
        "The input gate wrote nothing of the candidate for '{word}' into slot {slot}."
    ),
    "explain.meaning.output.answer": "The output gate showed {percent}% of {memory} to the answer.",
    "explain.meaning.output.next": "The output gate showed {percent}% of {memory} to the next word.",
    "explain.meaning.output.nothing.answer": "The output gate showed nothing of {memory} to the answer.",
    "explain.meaning.output.nothing.next": "The output gate showed nothing of {memory} to the next word.",
    "explain.meaning.candidate": (
        "'{word}' offers {value} to write into this cell; "
        "the input gate lets {percent}% of it onto the memory."
    ),
    "explain.meaning.cell": (
        "This cell of {memory} kept {kept}% of its old value and took {took}% "
        "of what '{word}' offers; its square shows tanh(cₜ) = {tanh}."
    ),
    "explain.meaning.hidden.answer": (
        "This cell passes {percent}% of its squashed memory tanh(cₜ) = {tanh} to the answer."
    ),
    "explain.meaning.hidden.next": (
        "This cell passes {percent}% of its squashed memory tanh(cₜ) = {tanh} to the next word."
    ),
    "explain.meaning.hidden.shut.answer": (
        "The output gate is shut, so this cell passes nothing to the answer."
    ),
    "explain.meaning.hidden.shut.next": (
        "The output gate is shut, so this cell passes nothing to the next word."
    ),
    "explain.model.gate": (
        "The network's own run (not your gates): it chose {symbol}ₜ = σ(W_{symbol}·[hₜ₋₁, xₜ] + b_{symbol}) "
        "= {value} here."
    ),
    "explain.model.cell": "The network's own run (not your gates): fₜ = {forget}, iₜ = {input} here.",
    "explain.model.hidden": "The network's own run (not your gates): oₜ = {output} here.",
    # -- classroom: the student's side (game/classroom/student.py, ui/screens/join.py, class_levels.py)
    "classroom.nick.adjectives": (
        "Brave,Calm,Clever,Curious,Eager,Gentle,Happy,Jolly,Kind,Lively,Lucky,Merry,Nimble,Quick,Quiet,"
        "Sunny,Swift,Witty,Bold,Bright"
    ),
    "classroom.nick.animals": (
        "Otter,Falcon,Panda,Koala,Lynx,Heron,Badger,Beaver,Dolphin,Fox,Gecko,Hedgehog,Ibis,Lemur,Marmot,"
        "Newt,Owl,Puffin,Robin,Seal"
    ),
    "classroom.rules.attempts": "{n} attempts per level",
    "classroom.rules.attempts_unlimited": "unlimited attempts",
    "classroom.rules.hints_on": "hints allowed",
    "classroom.rules.hints_off": "no hints",
    "classroom.rules.time_limit": "{minutes} min per attempt",
    "classroom.rules.closes": "closes {when}",
    "classroom.rules.practice": "practice (no points)",
    "classroom.hints_forbidden": "Hints are off in this challenge.",
    "classroom.status.offline": "Offline: your attempts are kept for “Export my submission”.",
    "classroom.status.counts": "Verified {verified} · waiting {waiting} · refused {refused}",
    "classroom.status.away": "the class server is away ({reason}); retrying",
    "join.title": "Join a class",
    "join.explain": "Pick a class found on this network, or type the address and the code on the projector.",
    "join.address": "Address",
    "join.code": "Code",
    "join.nickname": "Nickname",
    "join.suggest": "Use “{name}”",
    "join.found": "Found: {name} ({address})",
    "join.searching": "Looking for classes on this network…",
    "join.none_found": "No class found on this network: type the address.",
    "join.go": "Join",
    "join.offline": "Play a challenge file (no network)",
    "join.joining": "Joining {address}…",
    "join.need": "Type the address, the code and a nickname first.",
    "join.failed": "Could not join: {error}",
    "join.placeholder.address": "e.g. 192.168.1.20:8000",
    "join.placeholder.code": "6 letters",
    "open.title": "Play a challenge file",
    "open.explain": "A challenge file from your teacher (USB stick, shared folder), or one in {folder}.",
    "open.path": "File",
    "open.go": "Open",
    "open.none": "No challenge files in {folder} yet.",
    "open.failed": "Could not open it: {error}",
    "class.title": "{title}",
    "class.header.online": "{nickname} · {address}",
    "class.header.offline": "{nickname} · offline",
    "class.level": "{title}",
    "class.level.detail": "{left} · best verified {best}",
    "class.level.detail.none": "{left} · not played yet",
    "class.left": "{n} attempts left",
    "class.left.unlimited": "attempts unlimited",
    "class.left.none": "no attempts left",
    "class.closed": "Not open now: {reason}",
    "class.export": "Export my submission",
    "class.export.done": "Written: {path}",
    "class.export.none": "Play a level first: there is nothing to export yet.",
    "class.export.failed": "Could not export: {error}",
    "class.back": "Leave the class",
    "results.class.waiting": "Sent to the class server: waiting for its verdict…",
    "results.class.away": "Kept to send: the class server is away; it retries on its own.",
    "results.class.verified": "✓ Verified by the class server: {points:.1f} points",
    "results.class.refused": "✗ Refused by the class server: {reason}",
    "results.class.offline": "Kept for your submission (export it from the challenge's list).",
    "results.time_up": "Time was up ({time}): the rest was read with your last gates.",
    # -- classroom: the teacher's side (ui/screens/teacher.py)
    "teacher.title": "Teacher",
    "teacher.host": "Host a class",
    "teacher.host.detail": "Run the class server on this computer; students join on the school network.",
    "teacher.collect": "Collect a folder",
    "teacher.collect.detail": "No network: verify every submission file in a folder and write the CSV.",
    "teacher.back": "Back",
    "host.title": "Host a class",
    "host.file": "Challenge file",
    "host.start": "Start the class",
    "host.starting": "Starting the class server…",
    "host.stop": "Stop the class",
    "host.code": "Join code: {code}",
    "host.projector": "Projector page: {url}",
    "host.teacher_page": "Teacher page (keep it private): {url}",
    "host.running": "The class runs while this screen is open; leaving it stops the server.",
    "host.failed": "The class server did not start: {error}",
    "host.need_file": "Type the path of a challenge file (made with “classroom new”).",
    "collect.title": "Collect a folder",
    "collect.file": "Challenge file",
    "collect.folder": "Submissions",
    "collect.csv": "CSV to write",
    "collect.go": "Collect",
    "collect.working": "Verifying every attempt…",
    "collect.done": "{summary}. CSV written: {path}",
    "collect.failed": "Could not collect: {error}",
    "footer.next_field": "next",
    "explain.meaning.update.kept": (
        "The update gate kept {percent}% of {memory}; the rest comes from the candidate for '{word}'."
    ),
    "explain.meaning.update.replaced": (
        "The update gate replaced {percent}% of {memory} with the candidate for '{word}'."
    ),
    "explain.meaning.reset.seen": "The reset gate let the candidate see {percent}% of {memory}.",
    "explain.meaning.reset.hidden": (
        "The reset gate hid {memory} from the candidate: it is made from '{word}' alone."
    ),
    "explain.meaning.gru.candidate": (
        "'{word}' offers {value} to this unit; the reset gate let {percent}% of the old memory into it."
    ),
    "explain.meaning.gru.hidden": (
        "This unit keeps {kept}% of its old memory and takes {took}% of the candidate for '{word}'; "
        "this hidden state is the memory and what the network answers from."
    ),
    "explain.meaning.rnn.hidden": (
        "No gate decides: '{word}' and the old memory are mixed by the same weights at every word, "
        "so what the memory held fades as words pass."
    ),
    "explain.model.gru.candidate": "The network's own run (not your gates): rₜ = {reset} here.",
    "explain.model.gru.hidden": "The network's own run (not your gates): zₜ = {update} here.",
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
                out.append(f"{key!r}: placeholders {sorted(have)} differ from English's {sorted(want)}")
    return out


def use(catalogue: dict) -> None:
    """Make ``catalogue`` the active one (keys it leaves out stay English); ``use(EN)`` restores English.
    Raises ValueError listing every problem (unknown keys, placeholders that differ from EN's)."""
    global _active
    found = problems(catalogue)
    if found:
        raise ValueError("cannot use this catalogue:\n  " + "\n  ".join(found))
    _active = EN if catalogue is EN else {**EN, **catalogue}
