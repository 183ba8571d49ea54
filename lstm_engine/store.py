"""Save and load models as .npz files: plain arrays, no pickle, with metadata and a content hash.

Layout: one array per parameter ("cell.weight_ih_l0", ..., "readout.weight", "readout.bias") and
"__meta__", a JSON string (a NumPy unicode array, so ``allow_pickle=False`` can read it). The content
hash covers the architecture and every weight; training details (timings) are kept beside it but do
not change it, so retraining with the same seed reproduces the same hash.

Reading a file never trusts it: every size is checked before the memory for it is taken.
  * The file must be a regular file (not a FIFO, device or folder; opened without blocking) of at most
    MAX_FILE_BYTES; it is read once into memory, so what is checked is what is used.
  * Zip members: only ``<name>.npy``, stored or deflated, at most MAX_MEMBERS of them, and the sizes they
    declare unpacked add up to at most MAX_ARRAYS_BYTES (a zip bomb is refused before it is unpacked, and
    unpacking never yields more than the declared size).
  * Each .npy header: float data (one text array, the metadata), at most 2 dimensions, and
    itemsize x prod(shape) == the bytes that follow the header exactly, so a 12 KB file claiming
    256 TiB is refused at once. Arrays are views of the bytes already read: no further allocation.
  * Metadata: at most MAX_META_CHARS characters and MAX_META_DEPTH levels of JSON nesting (checked on the
    text before parsing, like game/safe_io.py, which the engine may not import), and its architecture
    must give exactly the arrays' shapes (:func:`expected_shapes`, every size at most MAX_DIMENSION)
    *before* a model is built from it.
Every failure is a ModelFileError naming the file.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import stat
import tempfile
import zipfile
import zlib
from itertools import accumulate
from pathlib import Path

import numpy as np

from .model import Model

FORMAT = "gatekeeper-model"
FORMAT_VERSION = 1

# Limits checked before anything is allocated (see "Reading" above). A shipped model is ~13 KB.
MAX_FILE_BYTES = 64 * 1024 * 1024      # the .npz file on disk
MAX_ARRAYS_BYTES = 128 * 1024 * 1024   # all members unpacked together (declared sizes, zip-bomb guard)
MAX_MEMBERS = 16
MAX_META_CHARS = 1024 * 1024
MAX_META_DEPTH = 32
MAX_DIMENSION = 4096                   # input, hidden and output sizes

_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


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
    _check_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(buf.getvalue())
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a model file is an ordinary asset
        _check_target(path)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def _check_target(path: Path) -> None:
    """A model is written only over a regular file (or a new one): renaming over a device such as
    /dev/null would replace the device node when run as root (the rule of game/safe_io.py)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise ModelFileError(f"{path}: not a regular file (a folder, pipe or device); refused to write "
                             "over it")


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
    """(meta, arrays) of a model file, every limit checked before anything is allocated (module docstring)."""
    members = _read_members(path)
    headers = {n: _npy_header(path, n, data) for n, data in members.items()}
    if "__meta__" not in headers:
        raise ModelFileError(f"{path}: not a Gatekeeper model file (no metadata)")
    meta = _read_meta(path, members.pop("__meta__"), headers.pop("__meta__"))
    _check_config(path, meta["config"], {n: shape for n, (shape, _, _, _) in headers.items()})
    arrays = {}
    for n, data in members.items():
        shape, fortran, dtype, offset = headers[n]
        arrays[n] = np.frombuffer(data, dtype, offset=offset).reshape(shape, order="F" if fortran else "C")
    return meta, arrays


def _read_members(path: Path) -> dict[str, bytes]:
    """The archive's members by array name: a regular file under the caps, each member's declared size
    checked before it is decompressed (and the decompressed bytes never more than declared)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)  # non-blocking: a FIFO must not hang the open
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file") from None
    except OSError as e:
        raise ModelFileError(f"{path}: cannot read the model file ({e.strerror or e})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ModelFileError(f"{path}: not a regular file (a folder, pipe or device); refused")
        if st.st_size > MAX_FILE_BYTES:
            raise ModelFileError(f"{path}: too big for a model file ({st.st_size} bytes; at most "
                                 f"{MAX_FILE_BYTES})")
        with os.fdopen(os.dup(fd), "rb") as f:
            raw = f.read(st.st_size + 1)  # no more than it claims: a buffer of the cap would be 64 MiB
    except OSError as e:
        raise ModelFileError(f"{path}: cannot read the model file ({e.strerror or e})") from None
    finally:
        os.close(fd)
    if len(raw) > st.st_size:
        raise ModelFileError(f"{path}: the model file changed while it was read")
    bad = f"{path}: not a model file (not an .npz archive; empty, corrupt or truncated)"
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as e:
        raise ModelFileError(f"{bad}: {e}") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ModelFileError(f"{path}: {len(infos)} arrays in the archive (at most {MAX_MEMBERS})")
        total, names = 0, set()
        for info in infos:
            name = info.filename
            if not name.endswith(".npy") or name[:-4] in names or info.is_dir():
                raise ModelFileError(f"{path}: {name!r} is not an array (corrupt file)")
            names.add(name[:-4])
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ModelFileError(f"{path}: {name!r} uses an unsupported compression")
            total += info.file_size
            if info.file_size > MAX_ARRAYS_BYTES or total > MAX_ARRAYS_BYTES:
                raise ModelFileError(f"{path}: the arrays would take {total} bytes unpacked (at most "
                                     f"{MAX_ARRAYS_BYTES}); refused before unpacking")
        members = {}
        try:
            for info in infos:
                with archive.open(info) as f:
                    data = f.read(info.file_size + 1)
                if len(data) != info.file_size:
                    raise ModelFileError(f"{path}: {info.filename!r} is not the size it declares (corrupt)")
                members[info.filename[:-4]] = data
        except ModelFileError:
            raise
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError,
                RuntimeError, zlib.error) as e:
            raise ModelFileError(f"{path}: unreadable model file, corrupt or truncated ({e})") from None
    return members


def _npy_header(path: Path, name: str, data: bytes):
    """(shape, fortran order, dtype, data offset) from an .npy header; its declared size must be exactly
    the bytes that follow it (a header claiming 256 TiB in a 12 KB file is refused here)."""
    f = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f"npy format version {version}")
    except Exception as e:  # noqa: BLE001 - NumPy's header parser raises ValueError, TokenError, ... on garbage
        raise ModelFileError(f"{path}: {name!r} is not an array (corrupt file: {type(e).__name__})") from None
    if dtype.hasobject or dtype.kind not in ("f", "U"):
        raise ModelFileError(f"{path}: {name!r} holds {dtype} data; a model file holds numbers and one text")
    if len(shape) > 2:
        raise ModelFileError(f"{path}: {name!r} has {len(shape)} dimensions (at most 2)")
    declared = dtype.itemsize * math.prod(shape)
    if declared != len(data) - f.tell():
        raise ModelFileError(f"{path}: {name!r} declares {shape} {dtype} ({declared} bytes) but holds "
                             f"{len(data) - f.tell()} bytes (corrupt or forged header)")
    return tuple(shape), fortran, dtype, f.tell()


def _read_meta(path: Path, data: bytes, header) -> dict:
    shape, _, dtype, offset = header
    if dtype.kind != "U" or shape != ():
        raise ModelFileError(f"{path}: the metadata is not text (corrupt file)")
    if dtype.itemsize // 4 > MAX_META_CHARS:
        raise ModelFileError(f"{path}: the metadata is too long ({dtype.itemsize // 4} characters; at most "
                             f"{MAX_META_CHARS})")
    try:
        text = str(np.frombuffer(data, dtype, offset=offset)[0])
    except (ValueError, UnicodeError) as e:
        raise ModelFileError(f"{path}: unreadable metadata ({e})") from None
    if _json_depth(text) > MAX_META_DEPTH:
        raise ModelFileError(f"{path}: the metadata is nested too deeply (at most {MAX_META_DEPTH} levels)")
    try:
        meta = json.loads(text)
    except (ValueError, UnicodeError, RecursionError) as e:
        raise ModelFileError(f"{path}: unreadable metadata ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a Gatekeeper model file")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"{path}: model format version {meta.get('format_version')} is not "
                             f"supported (this engine reads version {FORMAT_VERSION})")
    if not isinstance(meta.get("config"), dict):
        raise ModelFileError(f"{path}: metadata has no architecture")
    return meta


def _json_depth(text: str) -> int:
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def expected_shapes(config: dict) -> dict[str, tuple[int, ...]]:
    """Every parameter's shape for an architecture, computed from the numbers alone (nothing built).
    EngineError-free: raises ValueError for a config that names no usable architecture."""
    kind = config.get("kind")
    dims = {k: config.get(k) for k in ("input_size", "hidden_size", "output_size")}
    for k, v in dims.items():
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_DIMENSION:
            raise ValueError(f"{k} must be a whole number from 1 to {MAX_DIMENSION}, got {v!r}")
    I, H, O = dims["input_size"], dims["hidden_size"], dims["output_size"]
    slots = config.get("slots")
    if kind in ("lstm", "gru"):
        S = H if slots is None else slots
        if isinstance(S, bool) or not isinstance(S, int) or not 1 <= S <= H or H % S:
            raise ValueError(f"slots must be a divisor of hidden_size={H}, got {slots!r}")
        G = (3 if kind == "lstm" else 2) * S + H
    elif kind == "rnn":
        if slots is not None:
            raise ValueError(f"a plain RNN has no slots, got {slots!r}")
        G = H
    else:
        raise ValueError(f"unknown cell kind {str(kind)[:40]!r}")
    if config.get("dtype") not in ("float64", "float32"):
        raise ValueError(f"dtype must be float64 or float32, got {str(config.get('dtype'))[:40]!r}")
    if config.get("task_kind") not in ("classify", "regress"):
        raise ValueError(f"task_kind must be classify or regress, got {str(config.get('task_kind'))[:40]!r}")
    tol = config.get("tolerance")
    if tol is not None and (isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 < tol < 1e6):
        raise ValueError(f"tolerance must be a positive number or null, got {str(tol)[:40]!r}")
    return {"cell.weight_ih_l0": (G, I), "cell.weight_hh_l0": (G, H), "cell.bias_ih_l0": (G,),
            "cell.bias_hh_l0": (G,), "readout.weight": (O, H), "readout.bias": (O,)}


def _check_config(path: Path, config: dict, shapes: dict[str, tuple]) -> None:
    """The metadata's architecture must be the one the arrays have, before a model is built from it:
    forged metadata (hidden_size 100000) would otherwise allocate gigabytes first."""
    try:
        expected = expected_shapes(config)
    except ValueError as e:
        raise ModelFileError(f"{path}: the stored architecture is not usable ({e})") from None
    missing = sorted(set(expected) - set(shapes))
    extra = sorted(set(shapes) - set(expected))
    if missing or extra:
        raise ModelFileError(f"{path}: arrays missing {missing or 'none'}, unexpected {extra or 'none'}")
    for n, shape in expected.items():
        if shapes[n] != shape:
            raise ModelFileError(f"{path}: {n} is {shapes[n]}, expected {shape} from the stored architecture")
