"""The lab's results: what one run and one gradient measurement are, and the shipped file of them.

assets/lab/results.json (written by `python main.py lab ship`, developers) holds, per task, the rows of
`lab run` and `lab gradients` and the exact commands that print them again. Reading it imports neither
NumPy nor the engine, so the lab screen opens instantly; every field is checked, and a bad file is one
line naming the file and the field (ResultsError).

File format 1:
  {"format": 1, "tasks": {"adding": {"commands": {"runs": "...", "gradients": "..."},
                                      "runs": [RunResult...], "gradients": [GradientPoint...]}, ...}}
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .. import paths
from ..atomic import write_text
from ..safe_io import load_json_file

FORMAT = 1
MAX_BYTES = 512 * 1024
CELL_NAMES = ("rnn", "gru", "lstm")
TASK_NAMES = ("adding", "carry")


class ResultsError(ValueError):
    """A results file that cannot be used, in one line."""


@dataclass(frozen=True)
class RunResult:
    cell: str
    task: str
    gap: int
    seed: int
    accuracy: float     # held-out, on fresh sequences
    solved: bool
    seconds: float
    steps: int
    hidden: int
    parameters: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class GradientPoint:
    cell: str
    distance: int
    norm: float
    trained: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TaskResults:
    task: str
    commands: dict[str, str]
    runs: tuple[RunResult, ...]
    gradients: tuple[GradientPoint, ...]

    def to_dict(self) -> dict:
        return {"commands": dict(self.commands), "runs": [r.to_dict() for r in self.runs],
                "gradients": [g.to_dict() for g in self.gradients]}


_TYPES = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}


def _row(cls, raw, where: str):
    if not isinstance(raw, dict):
        raise ResultsError(f"{where}: must be an object")
    kw = {}
    for f in fields(cls):
        if f.name not in raw:
            raise ResultsError(f"{where}: {f.name} is missing")
        v, kind = raw[f.name], {"int": int, "float": float, "bool": bool, "str": str}[f.type]
        ok = isinstance(v, bool) if kind is bool else (
            isinstance(v, (int, float)) and not isinstance(v, bool) if kind is float else
            isinstance(v, kind) and not isinstance(v, bool))
        if not ok:
            raise ResultsError(f"{where}: {f.name} must be {_TYPES[kind]}")
        kw[f.name] = float(v) if kind is float else v
    if kw["cell"] not in CELL_NAMES:
        raise ResultsError(f"{where}: cell must be one of {', '.join(CELL_NAMES)}")
    return cls(**kw)


def parse(data, where: str = "results") -> dict[str, TaskResults]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ResultsError(f"{where}: format must be {FORMAT}")
    tasks = data.get("tasks")
    if not isinstance(tasks, dict) or not tasks:
        raise ResultsError(f"{where}: tasks must be a non-empty object")
    out = {}
    for name, raw in tasks.items():
        at = f"{where}: tasks.{name}"
        if name not in TASK_NAMES:
            raise ResultsError(f"{at}: not a lab task ({', '.join(TASK_NAMES)})")
        if not isinstance(raw, dict):
            raise ResultsError(f"{at}: must be an object")
        commands = raw.get("commands")
        if not isinstance(commands, dict) or not all(isinstance(commands.get(k), str) for k in
                                                      ("runs", "gradients")):
            raise ResultsError(f"{at}.commands: runs and gradients must be text")
        for part in ("runs", "gradients"):
            if not isinstance(raw.get(part), list):
                raise ResultsError(f"{at}.{part}: must be a list")
        runs = tuple(_row(RunResult, r, f"{at}.runs[{k}]") for k, r in enumerate(raw["runs"]))
        grads = tuple(_row(GradientPoint, g, f"{at}.gradients[{k}]") for k, g in enumerate(raw["gradients"]))
        if any(r.task != name for r in runs):
            raise ResultsError(f"{at}.runs: every run must be of task {name}")
        if any(g.norm < 0 or g.distance < 1 for g in grads):
            raise ResultsError(f"{at}.gradients: distances start at 1 and norms are not negative")
        out[name] = TaskResults(name, {k: commands[k] for k in ("runs", "gradients")}, runs, grads)
    return out


def shipped_path() -> Path:
    return paths.assets_dir() / "lab" / "results.json"


def load(path=None) -> dict[str, TaskResults]:
    """The shipped results (or those at ``path``); FileRefused / JSONRefused / ResultsError, one line."""
    path = Path(path) if path is not None else shipped_path()
    return parse(load_json_file(path, MAX_BYTES, what="lab results"), str(path))


def dumps(results: dict[str, TaskResults]) -> str:
    return json.dumps({"format": FORMAT, "tasks": {k: v.to_dict() for k, v in results.items()}},
                      indent=1) + "\n"


def save(path, results: dict[str, TaskResults]) -> None:
    write_text(path, dumps(results))
