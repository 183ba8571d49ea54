"""Model files: round trip, metadata, atomic writes, and a clear ModelFileError (naming the file)
for every way a file can be missing, corrupt, tampered with or unexpected."""

import io
import json
import zipfile

import numpy as np
import pytest

from lstm_engine import ENGINE_VERSION, Model, ModelFileError, load_model, model_hash, save_model

MODELS = {
    "lstm": dict(cell="lstm", input_size=5, hidden_size=6, output_size=3),
    "lstm-slots-float32": dict(cell="lstm", input_size=5, hidden_size=6, output_size=3, slots=2,
                               dtype="float32"),
    "gru": dict(cell="gru", input_size=4, hidden_size=3, output_size=2),
    "gru-slots": dict(cell="gru", input_size=4, hidden_size=6, output_size=2, slots=3),
    "rnn-regress": dict(cell="rnn", input_size=2, hidden_size=4, output_size=1, kind="regress",
                        tolerance=0.04),
}


def build(name, seed=3):
    kw = dict(MODELS[name])
    return Model.create(kw.pop("cell"), kw.pop("input_size"), kw.pop("hidden_size"),
                        kw.pop("output_size"), seed=seed, **kw)


def outputs(model, rng):
    x = rng.integers(0, model.cell.input_size, (6, 2))
    return model.outputs(model.run(x).h)


@pytest.fixture
def saved(tmp_path):
    model = build("lstm-slots-float32")
    path = tmp_path / "model.npz"
    digest = save_model(path, model, {"level": "first-symbol", "steps": 12})
    return path, model, digest


def rewrite_npz(src, dst, *, meta=None, drop=(), change=None, add=None):
    """Copy a model file with its metadata and/or arrays changed (a hand-edited file)."""
    with np.load(src, allow_pickle=False) as z:
        arrays = {n: z[n] for n in z.files}
    if meta is not None:
        arrays["__meta__"] = np.array(json.dumps(meta))
    for n in drop:
        arrays.pop(n)
    for n, f in (change or {}).items():
        arrays[n] = f(arrays[n])
    arrays.update(add or {})
    np.savez(dst, **arrays)


def read_meta(path):
    with np.load(path, allow_pickle=False) as z:
        return json.loads(str(z["__meta__"]))


def expect_file_error(path, *words, **kw):
    with pytest.raises(ModelFileError) as e:
        load_model(path, **kw)
    msg = str(e.value)
    assert str(path) in msg, f"the message does not name the file: {msg!r}"
    for w in words:
        assert w.lower() in msg.lower(), f"{msg!r} does not mention {w!r}"
    return msg


# -- round trip -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(MODELS))
def test_round_trip(tmp_path, rng, name):
    model = build(name)
    for p in model.params().values():  # not the initial weights: as if trained
        p += rng.normal(scale=0.1, size=p.shape).astype(p.dtype)
    path = tmp_path / f"{name}.npz"
    digest = save_model(path, model, {"note": "hello"})
    assert digest == model_hash(model) and len(digest) == 64
    loaded, meta = load_model(path, expected_hash=digest)
    assert loaded.config() == model.config()
    assert type(loaded.cell) is type(model.cell)
    for n, p in model.params().items():
        q = loaded.params()[n]
        assert q.dtype == p.dtype and np.array_equal(q, p), n
    x_rng = np.random.default_rng(1)
    a = outputs(model, x_rng)
    b = outputs(loaded, np.random.default_rng(1))
    assert np.array_equal(a, b)
    # hash stable across save -> load -> save
    again = tmp_path / "again.npz"
    assert save_model(again, loaded, {"note": "hello"}) == digest
    assert model_hash(loaded) == digest
    assert load_model(again)[1]["hash"] == digest


def test_float32_model_stays_float32(saved):
    path, model, digest = saved
    loaded, meta = load_model(path)
    assert loaded.cell.dtype == np.float32 and meta["config"]["dtype"] == "float32"
    assert all(p.dtype == np.float32 for p in loaded.params().values())
    assert loaded.cell.slots == 2


def test_metadata(saved):
    path, model, digest = saved
    _, meta = load_model(path)
    assert meta["engine_version"] == ENGINE_VERSION
    assert meta["config"] == model.config()
    assert meta["config"]["kind"] == "lstm" and meta["config"]["slots"] == 2
    assert meta["extra"] == {"level": "first-symbol", "steps": 12}
    assert meta["hash"] == digest
    assert isinstance(meta["format"], str) and isinstance(meta["format_version"], int)


def test_hash_depends_on_weights_and_architecture_not_extra(tmp_path):
    m = build("lstm")
    h1 = save_model(tmp_path / "a.npz", m, {"seconds": 1.0})
    assert save_model(tmp_path / "b.npz", m, {"seconds": 2.5}) == h1
    m.readout["bias"][0] += 1e-12
    assert model_hash(m) != h1
    assert model_hash(build("lstm", seed=4)) != model_hash(build("lstm"))
    a = Model.create("lstm", 5, 6, 3, seed=3)
    b = Model.create("lstm", 5, 6, 3, seed=3, kind="regress", tolerance=0.1)
    assert model_hash(a) != model_hash(b)


def test_atomic_write_leaves_no_temp_files(tmp_path):
    m = build("gru")
    path = tmp_path / "sub" / "dir" / "m.npz"  # parents are created
    for _ in range(3):  # overwriting an existing file too
        save_model(path, m)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["m.npz"]
    load_model(path)


def test_failed_write_leaves_old_file_and_no_temp_files(tmp_path):
    path = tmp_path / "m.npz"
    m = build("gru")
    digest = save_model(path, m)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        save_model(path, m, {"not json": object()})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]
    assert load_model(path)[1]["hash"] == digest


def test_interrupted_write_keeps_old_file_and_cleans_up(tmp_path, monkeypatch):
    """If the final rename fails (disk full, crash), the previous file survives intact."""
    import os

    path = tmp_path / "m.npz"
    m = build("gru")
    digest = save_model(path, m)
    before = path.read_bytes()

    def boom(*a, **k):
        raise OSError("simulated failure")

    monkeypatch.setattr(os, "replace", boom)
    monkeypatch.setattr(os, "rename", boom)
    m.readout["bias"] += 1.0
    with pytest.raises(OSError):
        save_model(path, m)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]
    assert load_model(path)[1]["hash"] == digest


def test_save_and_load_accept_str_paths(tmp_path):
    m = build("rnn-regress")
    save_model(str(tmp_path / "m.npz"), m)
    loaded, _ = load_model(str(tmp_path / "m.npz"))
    assert loaded.tolerance == 0.04 and loaded.kind == "regress"


# -- errors -----------------------------------------------------------------------------------------

def test_missing_file(tmp_path):
    expect_file_error(tmp_path / "nope.npz")
    expect_file_error(tmp_path)  # a directory is not a model file


def test_empty_file(tmp_path):
    p = tmp_path / "empty.npz"
    p.write_bytes(b"")
    expect_file_error(p)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_bytes(tmp_path, seed):
    p = tmp_path / "noise.npz"
    p.write_bytes(np.random.default_rng(seed).bytes(3000))
    expect_file_error(p)


def test_plain_npy_file_instead_of_npz(tmp_path):
    """np.load returns an ndarray (not an NpzFile) for .npy content; still a ModelFileError."""
    p = tmp_path / "weights.npz"
    with open(p, "wb") as f:
        np.save(f, np.zeros(3))
    expect_file_error(p)


def test_text_file(tmp_path):
    p = tmp_path / "m.npz"
    p.write_text('{"format": "gatekeeper-model"}')
    expect_file_error(p)


@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.1])
def test_truncated_file(saved, tmp_path, fraction):
    path, _, _ = saved
    data = path.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[:int(len(data) * fraction)])
    expect_file_error(cut)


def test_corrupted_array_bytes(saved, tmp_path):
    """Flip bytes inside a stored array (the zip CRC or the hash must catch it)."""
    path, _, _ = saved
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("cell.weight_hh_l0.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200  # inside the data
    data[start:start + 4] = bytes(b ^ 0xFF for b in data[start:start + 4])
    bad = tmp_path / "flipped.npz"
    bad.write_bytes(bytes(data))
    expect_file_error(bad)


def test_object_array_is_refused(saved, tmp_path):
    """allow_pickle=False must refuse an object array; the engine reports it as ModelFileError."""
    path, model, _ = saved
    bad = tmp_path / "pickled.npz"
    obj = np.empty(2, dtype=object)
    obj[0], obj[1] = {"a": 1}, [1, 2]
    rewrite_npz(path, bad, change={"cell.bias_hh_l0": lambda a: obj})
    expect_file_error(bad)
    # also as the metadata itself
    bad2 = tmp_path / "pickled_meta.npz"
    np.savez(bad2, __meta__=np.array([read_meta(path)], dtype=object),
             **{n: p for n, p in model.params().items()})
    expect_file_error(bad2)


def test_edited_weight_fails_hash_check(saved, tmp_path):
    path, _, _ = saved
    bad = tmp_path / "edited.npz"
    rewrite_npz(path, bad, change={"readout.bias": lambda a: a + np.float32(0.25)})
    expect_file_error(bad, "hash")


def test_wrong_expected_hash(saved):
    path, _, digest = saved
    wrong = ("0" if digest[0] != "0" else "1") + digest[1:]
    expect_file_error(path, expected_hash=wrong)
    load_model(path, expected_hash=digest)  # the right one is accepted


def test_missing_metadata(saved, tmp_path):
    path, _, _ = saved
    bad = tmp_path / "nometa.npz"
    rewrite_npz(path, bad, drop=["__meta__"])
    expect_file_error(bad, "metadata")


def test_unparseable_metadata(saved, tmp_path):
    path, _, _ = saved
    bad = tmp_path / "badjson.npz"
    rewrite_npz(path, bad, add={"__meta__": np.array("{not json")})
    expect_file_error(bad)


@pytest.mark.parametrize("version", [0, 2, 999, "1", None])
def test_wrong_format_version(saved, tmp_path, version):
    path, _, _ = saved
    meta = read_meta(path)
    meta["format_version"] = version
    bad = tmp_path / "version.npz"
    rewrite_npz(path, bad, meta=meta)
    expect_file_error(bad, "version")


def test_wrong_format_name(saved, tmp_path):
    path, _, _ = saved
    meta = read_meta(path)
    meta["format"] = "someone-elses-model"
    bad = tmp_path / "format.npz"
    rewrite_npz(path, bad, meta=meta)
    expect_file_error(bad)


@pytest.mark.parametrize("edit", ["no-config", "bad-kind", "bigger-hidden", "missing-array",
                                  "extra-array", "wrong-dtype", "nan-weight"])
def test_inconsistent_contents(saved, tmp_path, edit):
    path, _, _ = saved
    meta = read_meta(path)
    kw = {}
    if edit == "no-config":
        del meta["config"]
    elif edit == "bad-kind":
        meta["config"]["kind"] = "transformer"
    elif edit == "bigger-hidden":
        meta["config"]["hidden_size"] = 12
    elif edit == "missing-array":
        kw["drop"] = ["readout.weight"]
    elif edit == "extra-array":
        kw["add"] = {"cell.weight_ih_l1": np.zeros(3, np.float32)}
    elif edit == "wrong-dtype":
        kw["change"] = {"cell.weight_ih_l0": lambda a: a.astype(np.float64)}
    elif edit == "nan-weight":
        kw["change"] = {"cell.bias_ih_l0": lambda a: np.full_like(a, np.nan)}
    bad = tmp_path / f"{edit}.npz"
    rewrite_npz(path, bad, meta=meta, **kw)
    expect_file_error(bad)


def test_expected_config_mismatch(saved):
    path, _, _ = saved
    expect_file_error(path, "hidden_size", expected_config={"hidden_size": 7})
    load_model(path, expected_config={"hidden_size": 6, "kind": "lstm"})


@pytest.mark.parametrize("member", ["readout.bias.npy", "readout.bias"])
def test_zip_member_that_is_not_an_array(saved, tmp_path, member):
    """A valid zip whose weight member is not .npy data: np.load hands back raw bytes for it, which
    must still end in a ModelFileError, not an AttributeError."""
    path, _, _ = saved
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    bad = tmp_path / "rawmember.npz"
    with zipfile.ZipFile(bad, "w") as z:
        for n, data in members.items():
            if n == "readout.bias.npy":
                z.writestr(member, b"these are not the bytes of an array")
            else:
                z.writestr(n, data)
    expect_file_error(bad)


def test_metadata_that_is_not_json_text(saved, tmp_path):
    path, _, _ = saved
    for i, meta in enumerate([np.array(3.0), np.array([1, 2, 3]), np.array('["a list"]')]):
        bad = tmp_path / f"meta{i}.npz"
        rewrite_npz(path, bad, add={"__meta__": meta})
        expect_file_error(bad)
