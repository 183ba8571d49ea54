"""Build the one-folder desktop bundle, and (with --smoke) try it headless.

    .venv/bin/pip install -e ".[bundle]" && .venv/bin/python packaging/build_bundle.py [--smoke]

PyInstaller runs on packaging/gatekeeper.spec and writes dist/gatekeeper/ (work files in build/bundle/).
Copy that folder anywhere and start dist/gatekeeper/gatekeeper (gatekeeper.exe on Windows); nothing else
needs to be installed. A bundle runs on the operating system it was built on: build it once per system.

--smoke then runs the bundled executable as a user without a display would: `--version`, `levels check
01-carry` and the headless screenshot demo (SDL's dummy video driver) into a temporary folder, with empty
per-user folders, and fails unless the PNGs were written and no level needed training (the shipped weights
were found inside the bundle).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "gatekeeper.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "bundle"


def build() -> Path:
    import PyInstaller.__main__

    PyInstaller.__main__.run(["--noconfirm", "--clean", "--log-level", "ERROR", "--distpath", str(DIST),
                              "--workpath", str(WORK), str(SPEC)])
    exe = DIST / "gatekeeper" / ("gatekeeper.exe" if os.name == "nt" else "gatekeeper")
    if not exe.is_file():
        raise SystemExit(f"error: PyInstaller did not write {exe}")
    return exe


def run(exe: Path, *args: str, env: dict, cwd: Path) -> str:
    r = subprocess.run([str(exe), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        said = r.stderr[-3000:]
        raise SystemExit(f"error: {exe.name} {' '.join(args)} exited with {r.returncode}:\n{said}")
    return r.stdout


def smoke(exe: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="gatekeeper-bundle-") as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
               "GATEKEEPER_DATA_DIR": str(tmp / "data"), "GATEKEEPER_CACHE_DIR": str(tmp / "cache")}
        print(run(exe, "--version", env=env, cwd=tmp).strip())
        check = run(exe, "levels", "check", "01-carry", env=env, cwd=tmp)
        if "playable" not in check.splitlines()[0]:
            raise SystemExit(f"error: levels check 01-carry:\n{check}")
        shots = run(exe, "--level", "01-carry", "--autoplay", "solution", "--screenshot", str(tmp / "shots"),
                    env=env, cwd=tmp).split()
        pngs = [Path(p) for p in shots if p.endswith(".png")]
        if not pngs or not all(p.is_file() and p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs):
            raise SystemExit(f"error: the headless demo wrote no screenshots: {shots}")
        if (tmp / "cache" / "models").exists():
            raise SystemExit("error: the bundle trained a level: its shipped weights were not found")
        print(f"smoke test passed: {len(pngs)} screenshots, e.g. {pngs[-1].name}; no level retrained")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="then run the bundle headless and check it")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    exe = build()
    size = sum(f.stat().st_size for f in exe.parent.rglob("*") if f.is_file())
    print(f"built {exe} in {time.perf_counter() - t0:.0f} s ({size / 2**20:.0f} MiB)")
    if args.smoke:
        smoke(exe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
