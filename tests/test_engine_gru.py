"""The GRU the player gates: slot gates, overrides of the update (z) and reset (r) gates, single steps
and proposals, and a from-scratch reference of PyTorch's equations (torch itself: test_engine_parity)."""

import numpy as np
import pytest

from lstm_engine import GRU, EngineError, Model, load_model, save_model


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def reference_gru(cell, x, h0, gates=None):
    """PyTorch's GRU equations written out step by step from torch_state(expand=True), with overrides
    applied per unit: r, z, n = ...; h' = (1 - z) n + z h."""
    sd = cell.torch_state(expand=True)
    H, S = cell.hidden_size, cell.slots
    k = H // S
    Wi, Wh, bi, bh = (sd[n] for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"))
    h, out = h0.copy(), []
    for t in range(x.shape[0]):
        gi, gh = x[t] @ Wi.T + bi, h @ Wh.T + bh
        r = sigmoid(gi[:, :H] + gh[:, :H])
        z = sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
        if gates is not None:
            for name, g in (("r", r), ("z", z)):
                v = np.repeat(np.broadcast_to(gates[name][t], (x.shape[1], S)), k, axis=1)
                g[...] = np.where(np.isnan(v), g, v)
        n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        h = (1 - z) * n + z * h
        out.append(h)
    return np.stack(out)


@pytest.mark.parametrize("H,S", [(4, None), (6, 2), (6, 3), (4, 1)])
@pytest.mark.parametrize("overrides", [False, True], ids=["free", "overrides"])
def test_forward_equals_pytorch_equations(helpers, H, S, overrides):
    T, B, I = 7, 3, 4
    rng = np.random.default_rng([H, S or 0, overrides])
    cell = GRU(I, H, slots=S)
    helpers.randomize(cell, rng)
    x, h0 = rng.normal(size=(T, B, I)), rng.normal(size=(B, H))
    gates = None
    if overrides:
        gates = {n: np.where(rng.random((T, cell.slots)) < 0.5, np.nan, rng.random((T, cell.slots)))
                 for n in ("z", "r")}
    tr = cell.forward(x, h0, gates=gates)
    helpers.assert_close(tr.h, reference_gru(cell, x, h0, gates), 1e-12, "gru h")
    if overrides:  # the values used are the overrides where set
        for n in ("z", "r"):
            set_ = ~np.isnan(gates[n])
            assert np.array_equal(tr.gate(n)[:, 0][set_], gates[n][set_])


def test_update_one_keeps_the_memory(rng):
    """z = 1 (PyTorch's convention): h' = (1 - z) n + z h = h, whatever the words and the reset (to
    rounding: the engine computes n + z (h - n) as PyTorch's kernel does)."""
    cell = GRU(5, 6, slots=2)
    x = rng.integers(0, 5, (9, 2))
    h0 = rng.normal(size=(2, 6))
    tr = cell.forward(x, h0, gates={"z": np.ones((9, 2)), "r": rng.random((9, 2))})
    assert np.abs(tr.h[-1] - h0).max() < 1e-14
    # and z = 0 forgets it: the state is the candidate alone, the same from any earlier memory
    a = cell.forward(x, h0, gates={"z": np.zeros((9, 2)), "r": np.zeros((9, 2))}).h[-1]
    b = cell.forward(x, np.zeros((2, 6)), gates={"z": np.zeros((9, 2)), "r": np.zeros((9, 2))}).h[-1]
    assert np.array_equal(a, b)


def test_reset_zero_hides_the_old_memory_from_the_candidate(rng):
    """r = 0: n = tanh(W_in x + b_in), so the candidate does not depend on h at all."""
    cell = GRU(5, 6, slots=3)
    x = rng.integers(0, 5, (1, 2))
    h_a, h_b = rng.normal(size=(2, 6)), rng.normal(size=(2, 6))
    g = {"r": np.zeros((1, 3))}
    assert np.array_equal(cell.forward(x, h_a, gates=g).n, cell.forward(x, h_b, gates=g).n)
    assert not np.allclose(cell.forward(x, h_a).n, cell.forward(x, h_b).n)


@pytest.mark.parametrize("inputs", ["ids", "dense"])
@pytest.mark.parametrize("slots", [None, 2], ids=["standard", "slots2"])
@pytest.mark.parametrize("overrides", [False, True], ids=["free", "overrides"])
def test_stepper_equals_forward(helpers, rng, inputs, slots, overrides):
    """Step by step == the whole sequence: exactly for token ids; to rounding for dense inputs (the
    whole-sequence input projection is one matrix product over every step)."""
    T, B, I, H = 8, 3, 5, 6
    cell = GRU(I, H, slots=slots)
    helpers.randomize(cell, rng)
    S = cell.slots
    x = rng.integers(0, I, (T, B)) if inputs == "ids" else rng.normal(size=(T, B, I))
    h0 = rng.normal(size=(B, H))
    gates = None
    if overrides:
        gates = {n: np.where(rng.random((T, B, S)) < 0.5, np.nan, rng.random((T, B, S))) for n in ("z", "r")}
    tr = cell.forward(x, h0, gates=gates)
    st, h = cell.stepper(), h0
    for t in range(T):
        h, act = st.step(x[t], h, None if gates is None else {n: v[t] for n, v in gates.items()})
        if inputs == "ids":
            assert np.array_equal(h, tr.h[t]) and np.array_equal(act[:, :2 * S], tr.act[t])
        else:
            helpers.assert_close(h, tr.h[t], 1e-13, f"h step {t}")
        helpers.assert_close(act[:, 2 * S:], tr.n[t], 1e-13, f"n step {t}")


def test_proposal_is_the_free_step(helpers, rng):
    cell = GRU(5, 6, slots=2)
    helpers.randomize(cell, rng)
    h = rng.normal(size=(1, 6))
    st = cell.stepper()
    p = st.proposal(3, h)
    tr = cell.forward(np.array([[3]]), h)
    assert set(p) == {"z", "r", "n"}
    assert np.array_equal(p["z"], tr.z[0]) and np.array_equal(p["r"], tr.r[0])
    assert p["z"].shape == (1, 2) and p["n"].shape == (1, 6)


def test_slot_gates_are_shared_within_a_slot(rng):
    cell = GRU(4, 6, slots=2)
    tr = cell.forward(rng.integers(0, 4, (5, 2)))
    assert tr.z.shape == (5, 2, 2) and tr.r.shape == (5, 2, 2) and tr.n.shape == (5, 2, 6)
    assert cell.params["weight_hh_l0"].shape == (2 * 2 + 6, 6)


def test_overridden_gates_get_no_gradient(helpers, rng):
    """A weight row feeding only an overridden gate gets exactly zero gradient."""
    cell = GRU(3, 4, slots=2)
    helpers.randomize(cell, rng)
    T = 5
    x, dh = rng.normal(size=(T, 1, 3)), rng.normal(size=(T, 1, 4))
    tr = cell.forward(x, gates={"z": np.full((T, 2), 0.5), "r": np.full((T, 2), 0.5)})
    g = cell.backward(tr, dh)
    # PyTorch rows: r = 0..S-1, z = S..2S-1
    assert not g["weight_ih_l0"][:4].any() and not g["bias_hh_l0"][:4].any()
    assert g["weight_ih_l0"][4:].any()


def test_noise_shifts_gate_preactivations(rng):
    cell = GRU(3, 4, slots=2)
    x = rng.integers(0, 3, (4, 1))
    big = np.zeros((4, 1, 4))
    big[:, :, :2] = 50.0  # z -> 1
    tr = cell.forward(x, noise=big)
    assert np.allclose(tr.z, 1.0)
    with pytest.raises(EngineError, match="noise"):
        cell.forward(x, noise=np.zeros((4, 1, 3)))


def test_bad_gru_overrides_raise(rng):
    cell = GRU(3, 4, slots=2)
    x = np.zeros((4, 1), int)
    for gates, words in [({"f": np.zeros((4, 2))}, "z, r"), ({"z": np.zeros((4, 3))}, "'z'"),
                         ({"r": np.full((4, 2), 1.5)}, "[0, 1]"), ([("z", 1)], "dict")]:
        with pytest.raises(EngineError, match=None) as e:
            cell.forward(x, gates=gates)
        assert words in str(e.value)
    with pytest.raises(EngineError, match="no cell state"):
        cell.forward(x, c0=np.zeros((1, 4)))
    with pytest.raises(EngineError, match="z, r"):
        cell.stepper().step(0, np.zeros((1, 4)), {"i": [0.5, 0.5]})
    with pytest.raises(EngineError, match=r"\[0, 1\]"):
        cell.stepper().step(0, np.zeros((1, 4)), {"z": [2.0, 0.5]})


def test_model_with_slot_gated_gru_round_trips(tmp_path, rng):
    m = Model.create("gru", 5, 6, 3, slots=3, seed=4)
    assert m.gated and m.gate_names == ("z", "r")
    path = tmp_path / "g.npz"
    save_model(path, m)
    back, meta = load_model(path, expected_config={"kind": "gru", "slots": 3})
    assert back.cell.slots == 3 and back.config() == m.config()
    x = rng.integers(0, 5, (6, 2))
    g = {"z": rng.random((6, 3)), "r": np.full((6, 3), np.nan)}
    assert np.array_equal(back.run(x, gates=g).h, m.run(x, gates=g).h)
    with pytest.raises(EngineError, match="cell state"):
        m.run(x, c0=np.zeros((2, 6)))
    assert not Model.create("rnn", 5, 6, 3).gated
