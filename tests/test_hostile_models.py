"""Hostile model files: every limit of lstm_engine/store.py is checked before memory is taken.

Each case must end in a ModelFileError naming the file, quickly, and with a small peak of traced
memory (NumPy reports its buffers to tracemalloc), so a regression that allocates first fails here.
"""

from __future__ import annotations

import io
import json
import os
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

from lstm_engine import Model, ModelFileError, load_model, save_model
from lstm_engine.store import read_meta

PEAK_LIMIT = 32 * 1024 * 1024


@pytest.fixture
def saved(tmp_path):
    model = Model.create("lstm", 5, 6, 3, slots=2, seed=1)
    path = tmp_path / "model.npz"
    save_model(path, model)
    return path


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_zip(path, items: dict[str, bytes], compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as z:
        for n, data in items.items():
            z.writestr(n, data)


def npy(header: dict, body: bytes) -> bytes:
    f = io.BytesIO()
    np.lib.format.write_array_header_1_0(f, header)
    return f.getvalue() + body


def refused(path, *words):
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError) as info:
            load_model(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    for w in words:
        assert w in message, message
    assert peak < PEAK_LIMIT, f"{peak / 1e6:.0f} MB traced before refusing"
    return message


def test_header_claiming_256_tib(saved, tmp_path):
    items = members(saved)
    body = items["cell.weight_hh_l0.npy"][128:]
    items["cell.weight_hh_l0.npy"] = npy({"descr": "<f8", "fortran_order": False,
                                          "shape": (2 ** 24, 2 ** 21)}, body)
    bad = tmp_path / "huge-header.npz"
    write_zip(bad, items)
    assert bad.stat().st_size < 16 * 1024
    refused(bad, "cell.weight_hh_l0", "header")


def _patch_declared_size(data: bytearray, name: bytes, size: int) -> None:
    """Set a member's uncompressed size in its local header and central directory entry."""
    local = data.index(b"PK\x03\x04" + data[4:4])  # first local header
    while local >= 0:
        n = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30:local + 30 + n] == name:
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        n = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46:central + 46 + n] == name:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)


def test_zip_bomb_declared_1_6_gb(saved, tmp_path):
    """A member that would unpack to 1.6 GB is refused from its declared size, before unpacking."""
    items = members(saved)
    bad = tmp_path / "bomb.npz"
    write_zip(bad, items, zipfile.ZIP_DEFLATED)
    data = bytearray(bad.read_bytes())
    _patch_declared_size(data, b"cell.weight_ih_l0.npy", 1_600_000_000)
    bad.write_bytes(bytes(data))
    refused(bad, "unpacked")


def test_zip_bomb_that_lies_about_its_size(saved, tmp_path):
    """A deflated member of 64 MB of zeros that declares 200 bytes: unpacking stops at the declared size."""
    items = members(saved)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(1 << 20)
    stream = b"".join(comp.compress(zeros) for _ in range(64)) + comp.flush()
    bad = tmp_path / "liar.npz"
    write_zip(bad, {**items, "readout.bias.npy": b"x" * 200}, zipfile.ZIP_DEFLATED)
    data = bytearray(bad.read_bytes())
    with zipfile.ZipFile(bad) as z:
        info = z.getinfo("readout.bias.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start:start + info.compress_size] = b""
    data[start:start] = stream[:info.compress_size] if len(stream) > info.compress_size else stream
    bad.write_bytes(bytes(data))
    refused(bad)


def test_forged_metadata_is_refused_before_a_model_is_built(saved, tmp_path):
    """hidden_size 100000 would build a 6 GB network before any shape check."""
    items = members(saved)
    meta = read_meta(saved)
    meta["config"]["hidden_size"] = 100_000
    meta["config"]["slots"] = 100_000
    f = io.BytesIO()
    np.save(f, np.array(json.dumps(meta)))
    items["__meta__.npy"] = f.getvalue()
    bad = tmp_path / "forged.npz"
    write_zip(bad, items)
    refused(bad, "hidden_size")


def test_forged_metadata_with_matching_forged_arrays_is_capped(saved, tmp_path):
    """Arrays and metadata that agree on a huge model: the dimension cap refuses it."""
    meta = read_meta(saved)
    meta["config"].update(hidden_size=8192, slots=None)
    f = io.BytesIO()
    np.save(f, np.array(json.dumps(meta)))
    items = members(saved)
    items["__meta__.npy"] = f.getvalue()
    bad = tmp_path / "big.npz"
    write_zip(bad, items)
    refused(bad, "hidden_size", "4096")


def test_deeply_nested_metadata(saved, tmp_path):
    meta = read_meta(saved)
    meta["extra"] = json.loads("[" * 900 + "]" * 900)
    text = json.dumps(meta)
    f = io.BytesIO()
    np.save(f, np.array(text))
    items = members(saved)
    items["__meta__.npy"] = f.getvalue()
    bad = tmp_path / "deep.npz"
    write_zip(bad, items)
    refused(bad, "nested")
    # 200 KB of brackets: still a clear error, not a RecursionError
    items["__meta__.npy"] = npy({"descr": "<U200000", "fortran_order": False, "shape": ()},
                                ("[" * 100_000 + "]" * 100_000).encode("utf-32-le"))
    write_zip(bad, items)
    refused(bad, "nested")


def test_object_dtype_header(saved, tmp_path):
    items = members(saved)
    items["readout.bias.npy"] = npy({"descr": "|O", "fortran_order": False, "shape": (3,)}, b"\0" * 24)
    bad = tmp_path / "object.npz"
    write_zip(bad, items)
    refused(bad, "readout.bias")


@pytest.mark.parametrize("special", ["fifo", "dev-zero", "folder"])
def test_special_files_are_refused_without_hanging(tmp_path, special):
    if special == "fifo":
        path = tmp_path / "model.npz"
        os.mkfifo(path)
    elif special == "dev-zero":
        path = "/dev/zero"
    else:
        path = tmp_path
    with pytest.raises(ModelFileError, match="not a regular file|no such"):
        load_model(path)


def test_a_valid_model_still_loads(saved):
    model, meta = load_model(saved)
    assert meta["config"]["hidden_size"] == 6 and model.cell.slots == 2


def test_save_model_never_replaces_a_device():
    before = os.stat("/dev/null")
    with pytest.raises(ModelFileError, match="not a regular file"):
        save_model("/dev/null", Model.create("rnn", 2, 2, 1))
    after = os.stat("/dev/null")
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
