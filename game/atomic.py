"""Writing user files atomically: a crash mid-write leaves the old file or the new one, never half.

The new text goes to a temporary file in the same folder, is flushed to disk, and is renamed over the
target. A target that exists and is not a regular file (a device such as /dev/null, a FIFO, a folder) is
refused before anything is written (game/safe_io.check_write_target): renaming over it would replace the
device node itself when run as root.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .safe_io import check_write_target


def write_text(path, text: str) -> None:
    path = Path(path)
    check_write_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        check_write_target(path)  # it may have appeared meanwhile
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
