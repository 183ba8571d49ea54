"""Save and load models as .npz files: plain arrays, no pickle, with metadata and a content hash.

Layout: one array per parameter ("cell.weight_ih_l0", ..., "readout.weight", "readout.bias") and
"__meta__", a JSON string (a NumPy unicode array, so ``allow_pickle=False`` can read it). The content
hash covers the architecture and every weight; training details (timings) are kept beside it but do
not change it, so retraining with the same seed reproduces the same hash.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .model import Model

FORMAT = "gatekeeper-model"
FORMAT_VERSION = 1


class ModelFileError(Exception):
    """A model file is missing, corrupt, truncated, or does not match what was expected."""


def content_hash(config: dict, arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def model_hash(model: Model) -> str:
    return content_hash(model.config(), model.params())


def save_model(path, model: Model, extra: dict | None = None, training: dict | None = None) -> str:
    """Write atomically (temporary file, then rename). Returns the content hash.

    training: the training configuration and report (e.g. TrainConfig.to_dict()), kept as metadata.
    """
    from . import ENGINE_VERSION

    path = Path(path)
    arrays = {n: np.ascontiguousarray(p) for n, p in model.params().items()}
    digest = content_hash(model.config(), arrays)
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "engine_version": ENGINE_VERSION,
            "config": model.config(), "hash": digest, "training": training or {},
            "extra": extra or {}}
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.array(json.dumps(meta, sort_keys=True)), **arrays)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(buf.getvalue())
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a model file is an ordinary asset
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def read_meta(path) -> dict:
    return _open(Path(path))[0]


def load_model(path, expected_hash: str | None = None, expected_config: dict | None = None):
    """Load a model; returns (model, meta). Every failure raises ModelFileError naming the file."""
    path = Path(path)
    meta, arrays = _open(path)
    try:
        model = Model.from_config(meta["config"])
    except Exception as e:
        raise ModelFileError(f"{path}: the stored architecture is not usable ({e})") from None
    if expected_config is not None:
        diff = {k: (meta["config"].get(k), v) for k, v in expected_config.items()
                if meta["config"].get(k) != v}
        if diff:
            detail = ", ".join(f"{k} is {a!r}, expected {b!r}" for k, (a, b) in diff.items())
            raise ModelFileError(f"{path}: the model does not match: {detail}")
    params = model.params()
    missing = sorted(set(params) - set(arrays))
    extra = sorted(set(arrays) - set(params))
    if missing or extra:
        raise ModelFileError(f"{path}: arrays missing {missing or 'none'}, unexpected {extra or 'none'}")
    for n, p in params.items():
        a = arrays[n]
        if a.shape != p.shape or a.dtype != p.dtype:
            raise ModelFileError(f"{path}: {n} is {a.dtype} {a.shape}, expected {p.dtype} {p.shape}")
        if not np.all(np.isfinite(a)):
            raise ModelFileError(f"{path}: {n} contains NaN or infinity")
        p[...] = a
    digest = model_hash(model)
    if digest != meta.get("hash"):
        raise ModelFileError(f"{path}: content hash mismatch (the file is corrupt or was edited)")
    if expected_hash is not None and digest != expected_hash:
        raise ModelFileError(f"{path}: content hash {digest[:12]}… differs from the expected "
                             f"{expected_hash[:12]}…")
    return model, meta


def _open(path: Path):
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    if not zipfile.is_zipfile(path):  # np.load would otherwise try to read it as a pickle
        raise ModelFileError(f"{path}: not a model file (not an .npz archive; empty, corrupt or truncated)")
    try:
        with np.load(path, allow_pickle=False) as z:
            if "__meta__" not in z.files:
                raise ModelFileError(f"{path}: not a Gatekeeper model file (no metadata)")
            members = {n: z[n] for n in z.files}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as e:
        raise ModelFileError(f"{path}: unreadable model file, corrupt or truncated ({e})") from None
    for n, a in members.items():  # np.load hands back raw bytes for a member that is not an array
        if not isinstance(a, np.ndarray):
            raise ModelFileError(f"{path}: {n!r} is not an array (corrupt file)")
    try:
        meta = json.loads(str(members.pop("__meta__")))
        arrays = members
    except (ValueError, UnicodeError) as e:
        raise ModelFileError(f"{path}: unreadable metadata ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a Gatekeeper model file")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"{path}: model format version {meta.get('format_version')} is not "
                             f"supported (this engine reads version {FORMAT_VERSION})")
    if not isinstance(meta.get("config"), dict):
        raise ModelFileError(f"{path}: metadata has no architecture")
    return meta, arrays
