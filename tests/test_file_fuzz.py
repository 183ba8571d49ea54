"""Fuzzing every kind of file the game reads from others: replays, model files and level files.

Mutations of valid files with a fixed seed (a few hundred cases in all), each run in a worker process
that has a per-case time budget (SIGALRM) and an address-space limit (RLIMIT_AS), so the test fails on
any of:
  * an exception other than the file's own error type (ReplayError, ModelFileError, LevelError) --
    a traceback;
  * a case running longer than its budget -- a hang;
  * a MemoryError under the limit -- a memory blow-up (a 256 TiB header, a zip bomb, forged metadata).
The valid files themselves must load. tests/test_level_fuzz.py fuzzes the level loader in depth in-process
(hypothesis); the level cases here add the time and memory guards. GATEKEEPER_FUZZ_CASES scales the run.
"""

from __future__ import annotations

import io
import json
import os
import random
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = 20261201
CASES = int(os.environ.get("GATEKEEPER_FUZZ_CASES", "120"))  # per kind of file
BUDGET_S = 5            # per case
HEADROOM = 768 << 20    # bytes of address space a case may add to the worker's baseline


# -- mutations ---------------------------------------------------------------------------------------------
HOSTILE_VALUES = [None, True, -1, 0, 2 ** 63, 10 ** 400, 1e308, -1e308, "", "x" * 100_000, "\x00\ud800",
                  "\x1b[31m", [], {}, [[[[[[[[]]]]]]]], list(range(5000)), {"type": "hint", "step": -5},
                  {"type": "set", "step": 0, "values": {"input": [1e308]}}]


def _json_paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _json_paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:40]):
            yield from _json_paths(v, prefix + (i,))


def mutate_json(data, rng: random.Random) -> bytes:
    data = json.loads(json.dumps(data))
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in _json_paths(data) if p]
        path = rng.choice(paths)
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        op = rng.random()
        if op < 0.55:
            parent[path[-1]] = rng.choice(HOSTILE_VALUES)
        elif op < 0.7 and isinstance(parent, dict):
            del parent[path[-1]]
        elif op < 0.8 and isinstance(parent, list):
            parent.extend([parent[path[-1]]] * rng.randint(1, 3000))
        elif op < 0.9:
            depth = rng.choice([50, 500, 50_000])
            parent[path[-1]] = json.loads("[" * min(depth, 500) + "]" * min(depth, 500))
        else:
            parent[path[-1]] = {"k": parent[path[-1]], "extra": rng.random()}
    text = json.dumps(data)
    if rng.random() < 0.15:
        text = "[" * 100_000 + text + "]" * 100_000
    return text.encode()


def mutate_bytes(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        if op < 0.4 and data:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif op < 0.55 and data:
            del data[rng.randrange(len(data)):]
        elif op < 0.7:
            k = rng.randrange(len(data) + 1)
            data[k:k] = rng.randbytes(rng.randint(1, 64))
        elif op < 0.85 and len(data) > 8:  # a 32-bit field somewhere set to a huge or odd value
            k = rng.randrange(len(data) - 4)
            data[k:k + 4] = struct.pack("<I", rng.choice([0, 1, 0x7FFFFFFF, 0xFFFFFFFF, 1 << 30]))
        elif data:
            a = rng.randrange(len(data))
            data[a:a] = data[a:a + rng.randint(1, 256)]
    return bytes(data)


def mutate_npz(raw: bytes, rng: random.Random) -> bytes:
    """Structure-aware: rewrite one member's .npy header (shape, dtype), its metadata, or its size."""
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    name = rng.choice(sorted(members))
    body = members[name]
    op = rng.random()
    if op < 0.45:
        shape = rng.choice([(2 ** 24, 2 ** 21), (0,), (3, 0), (10 ** 6,), (1, 1, 1, 1), (-1,), (5, 6)])
        descr = rng.choice(["<f8", "<f4", "|O", "<U100000000", ">f8", "<i8", "<c16", "|V8"])
        header = {"descr": descr, "fortran_order": rng.random() < 0.2, "shape": shape}
        f = io.BytesIO()
        try:
            import numpy as np
            np.lib.format.write_array_header_1_0(f, header)
        except ValueError:
            f.write(body[:128])
        members[name] = f.getvalue() + body[128:]
    elif op < 0.7 and "__meta__.npy" in members:
        import numpy as np
        meta = json.loads(str(np.load(io.BytesIO(members["__meta__.npy"]), allow_pickle=False)))
        if rng.random() < 0.5:
            text = mutate_json(meta, rng).decode()
        else:  # forged architecture
            meta["config"][rng.choice(["hidden_size", "input_size", "output_size", "slots", "kind"])] = \
                rng.choice([100_000, 0, -3, 4097, 2 ** 40, "lstm", None, 1.5])
            text = json.dumps(meta)
        f = io.BytesIO()
        np.save(f, np.array(text))
        members["__meta__.npy"] = f.getvalue()
    else:
        members[name] = mutate_bytes(body, rng)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])) as z:
        for n, data in members.items():
            z.writestr(n, data)
    data = out.getvalue()
    if rng.random() < 0.3:  # then a declared size in the zip's own headers
        data = mutate_bytes(data, rng)
    return data


# -- the cases ------------------------------------------------------------------------------------------
def make_cases(folder: Path) -> list[tuple[str, Path]]:
    """(kind, file): the valid originals first, then the mutations (fixed seed)."""
    import numpy as np

    from game.levels import catalogue, training
    from game.session import replay, scripted
    from game.session.session import PlaySession
    from lstm_engine import Model, save_model

    rng = random.Random(SEED)
    name, entry = catalogue.shipped("01-carry")
    model, _, _ = training.ensure_model(entry.level)
    session = PlaySession(entry.level, model)
    session.hint()
    scripted.play(session, scripted.strategy_gates(session, "solution", 0))
    good_replay = json.loads(replay.dumps(replay.make(session, name, "fuzz")))
    small = Model.create("lstm", 4, 6, 3, slots=3, seed=1)
    save_model(folder / "model.npz", small)
    good_model = (folder / "model.npz").read_bytes()
    good_level = entry.path.read_bytes()
    (folder / "replay.json").write_text(json.dumps(good_replay))
    (folder / "01-carry.yaml").write_bytes(good_level)
    cases = [("replay", folder / "replay.json"), ("model", folder / "model.npz"),
             ("level", folder / "01-carry.yaml")]
    for i in range(CASES):
        data = mutate_json(good_replay, rng) if rng.random() < 0.7 else \
            mutate_bytes(json.dumps(good_replay).encode(), rng)
        path = folder / f"replay-{i:03d}.json"
        path.write_bytes(data)
        cases.append(("replay", path))
    for i in range(CASES):
        data = mutate_npz(good_model, rng) if rng.random() < 0.7 else mutate_bytes(good_model, rng)
        path = folder / f"model-{i:03d}.npz"
        path.write_bytes(data)
        cases.append(("model", path))
    for i in range(CASES // 2):
        sub = folder / f"level-{i:03d}"
        sub.mkdir()
        path = sub / "01-carry.yaml"
        path.write_bytes(mutate_bytes(good_level, rng))
        cases.append(("level", path))
    assert np is not None
    return cases


# -- the worker (this file run as a script) ---------------------------------------------------------------
def worker(cases_file: str) -> None:
    import resource
    import signal
    import traceback

    from game.levels.loader import LevelError, load_level
    from game.session import replay
    from lstm_engine import ModelFileError, load_model

    class Hang(Exception):
        pass

    def alarm(*_):
        raise Hang()

    expected = {"replay": replay.ReplayError, "model": ModelFileError, "level": LevelError}
    run = {"replay": replay.verify, "model": load_model, "level": load_level}
    replay.verify(json.loads(Path(cases_file).read_text())[0][1])  # warm caches before the limit
    with open("/proc/self/statm") as f:
        baseline = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (baseline + HEADROOM, resource.RLIM_INFINITY))
    signal.signal(signal.SIGALRM, alarm)
    for kind, path in json.loads(Path(cases_file).read_text()):
        signal.alarm(BUDGET_S)
        try:
            run[kind](path)
            outcome = "ok"
        except Hang:
            outcome = f"HANG (over {BUDGET_S} s)"
        except MemoryError:
            outcome = "MEMORY (over the address-space limit)"
        except expected[kind] as e:
            outcome = "refused" if "Traceback" not in str(e) else f"TRACEBACK in message: {e}"
        except BaseException:  # noqa: BLE001 - anything else is what the fuzz test looks for
            tb = traceback.format_exc().splitlines()
            outcome = "TRACEBACK " + "\n".join(tb[-5:])
        finally:
            signal.alarm(0)
        print(json.dumps([kind, path, outcome]), flush=True)


def test_fuzzed_replays_models_and_levels_fail_only_with_their_own_errors(tmp_path):
    cases = make_cases(tmp_path)
    cases_file = tmp_path / "cases.json"
    cases_file.write_text(json.dumps([(k, str(p)) for k, p in cases]))
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "SDL_VIDEODRIVER": "dummy",
           "GATEKEEPER_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, __file__, str(cases_file)], capture_output=True, text=True,
                       env=env, cwd=REPO, timeout=BUDGET_S * len(cases) + 60)
    results = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("[")]
    assert r.returncode == 0, r.stderr[-3000:]
    assert len(results) == len(cases), f"the worker stopped after {len(results)} cases: {r.stderr[-3000:]}"
    outcomes = {p: o for _, p, o in results}
    for kind, path in cases[:3]:
        assert outcomes[str(path)] == "ok", f"the valid {kind} does not load: {outcomes[str(path)]}"
    bad = [f"{k} {Path(p).name}: {o}" for k, p, o in results if o not in ("ok", "refused")]
    assert not bad, "\n".join(bad[:40])
    refused = sum(o == "refused" for _, _, o in results)
    assert refused > len(cases) // 2, "the mutations should mostly break the files"


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    worker(sys.argv[1])
