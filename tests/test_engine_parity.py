"""Parity of the NumPy cells with torch.nn.LSTM / GRU / RNN (float64), and with the Keras layouts.

Every test loads the same random NON-ZERO state into both implementations, starts from non-zero
h0 (and c0), and back-propagates a random upstream gradient at every step, then compares hidden
states, the final cell state and every gradient (all parameters, x, h0, c0) within 1e-10.
The Keras tests need no TensorFlow: the reference forward passes are written out below from the
documented Keras equations.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_engine import GRU, LSTM, RNN, EngineError, interop

TOL = 1e-10
# (T, B, I, H): includes B=1 and T=1, and a longer sequence where recurrence errors would compound.
SHAPES = [(1, 1, 3, 4), (1, 3, 2, 5), (6, 1, 3, 4), (7, 3, 4, 6), (25, 2, 5, 3)]
CELLS = {"lstm": LSTM, "gru": GRU, "rnn": RNN}
PARAMS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


def torch_run(torch, kind, sd, x, h0, c0, dh, dc_last=None, one_hot_size=None):
    """Forward + backward through torch.nn.<kind> with state ``sd``. Returns (h, hn, cn, grads)."""
    T, B = x.shape[:2]
    H = h0.shape[1]
    I = one_hot_size if one_hot_size is not None else x.shape[2]
    mod = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind](I, H).double()
    with torch.no_grad():
        for name, p in mod.named_parameters():
            assert p.shape == sd[name].shape, name
            p.copy_(torch.from_numpy(np.ascontiguousarray(sd[name], dtype=np.float64)))
    if one_hot_size is not None:
        xt = torch.nn.functional.one_hot(torch.from_numpy(x), one_hot_size).double()
    else:
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    h0t = torch.tensor(h0[None], dtype=torch.float64, requires_grad=True)
    if kind == "lstm":
        c0t = torch.tensor(c0[None], dtype=torch.float64, requires_grad=True)
        out, (hn, cn) = mod(xt, (h0t, c0t))
    else:
        c0t, cn = None, None
        out, hn = mod(xt, h0t)
    loss = (out * torch.from_numpy(dh)).sum()
    if dc_last is not None:
        loss = loss + (cn[0] * torch.from_numpy(dc_last)).sum()
    loss.backward()
    grads = {name: p.grad.numpy().copy() for name, p in mod.named_parameters()}
    grads["x"] = None if one_hot_size is not None else xt.grad.numpy().copy()
    grads["h0"] = h0t.grad.numpy()[0].copy()
    if kind == "lstm":
        grads["c0"] = c0t.grad.numpy()[0].copy()
    return (out.detach().numpy(), hn.detach().numpy()[0],
            None if cn is None else cn.detach().numpy()[0], grads)


def engine_run(cell, x, h0, c0, dh, dc_last=None):
    if isinstance(cell, LSTM):
        trace = cell.forward(x, h0, c0)
        grads = (cell.backward(trace, dh) if dc_last is None
                 else cell.backward(trace, dh, dc_last=dc_last))
    else:
        trace = cell.forward(x, h0)
        grads = cell.backward(trace, dh)
    return trace, grads


def compare(helpers, kind, trace, grads, t_out, t_hn, t_cn, t_grads, check_x=True):
    helpers.assert_close(trace.h, t_out, TOL, f"{kind} hidden states")
    helpers.assert_close(trace.h[-1], t_hn, TOL, f"{kind} final h")
    if kind == "lstm":
        helpers.assert_close(trace.c[-1], t_cn, TOL, "lstm final c")
    for name in PARAMS:
        helpers.assert_close(grads[name], t_grads[name], TOL, f"{kind} d{name}")
    if check_x:
        helpers.assert_close(grads["x"], t_grads["x"], TOL, f"{kind} dx")
    helpers.assert_close(grads["h0"], t_grads["h0"], TOL, f"{kind} dh0")
    if kind == "lstm":
        helpers.assert_close(grads["c0"], t_grads["c0"], TOL, f"{kind} dc0")


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}B{}I{}H{}".format(*s))
@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_dense_parity_with_torch(torch, helpers, float64, kind, shape):
    T, B, I, H = shape
    rng = np.random.default_rng([["lstm", "gru", "rnn"].index(kind), *shape])
    cell = CELLS[kind](I, H, dtype=float64, seed=3)
    sd = helpers.randomize(cell, rng)
    x = rng.normal(size=(T, B, I))
    h0 = rng.normal(scale=0.5, size=(B, H))
    c0 = rng.normal(scale=0.5, size=(B, H)) if kind == "lstm" else None
    dh = rng.normal(size=(T, B, H))  # a gradient at every step
    trace, grads = engine_run(cell, x, h0, c0, dh)
    compare(helpers, kind, trace, grads, *torch_run(torch, kind, sd, x, h0, c0, dh))
    # the engine must not have touched its inputs or its parameters
    for name in PARAMS:
        assert np.array_equal(cell.params[name], sd[name])


@pytest.mark.parametrize("shape", [(1, 1, 3, 4), (9, 3, 4, 5)], ids=lambda s: "T{}B{}I{}H{}".format(*s))
def test_lstm_final_cell_gradient_parity_with_torch(torch, helpers, float64, shape):
    """A gradient on the final cell state (``dc_last``) as well as on every h."""
    T, B, I, H = shape
    rng = np.random.default_rng(11)
    cell = LSTM(I, H, dtype=float64)
    sd = helpers.randomize(cell, rng)
    x, h0, c0 = rng.normal(size=(T, B, I)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    dh, dc = rng.normal(size=(T, B, H)), rng.normal(size=(B, H))
    trace, grads = engine_run(cell, x, h0, c0, dh, dc_last=dc)
    compare(helpers, "lstm", trace, grads, *torch_run(torch, "lstm", sd, x, h0, c0, dh, dc_last=dc))


@pytest.mark.parametrize("V", [5, 100], ids=["vocab5", "vocab100"])
@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_token_id_parity_with_torch_one_hot(torch, helpers, float64, kind, V):
    """(T, B) token ids behave as one-hot inputs, forward and every parameter gradient; a large
    vocabulary too (the engine may gather rows there instead of multiplying one-hot rows)."""
    T, B, H = 8, 3, 4
    rng = np.random.default_rng(V)
    cell = CELLS[kind](V, H, dtype=float64)
    sd = helpers.randomize(cell, rng)
    x = rng.integers(0, V, (T, B))
    x[0, 0], x[1, 1] = 0, V - 1  # both ends of the vocabulary
    h0 = rng.normal(size=(B, H))
    c0 = rng.normal(size=(B, H)) if kind == "lstm" else None
    dh = rng.normal(size=(T, B, H))
    trace, grads = engine_run(cell, x, h0, c0, dh)
    assert grads["x"] is None
    compare(helpers, kind, trace, grads,
            *torch_run(torch, kind, sd, x, h0, c0, dh, one_hot_size=V), check_x=False)


@pytest.mark.parametrize("H,S", [(6, 2), (6, 3), (4, 1)])
def test_slot_gated_lstm_parity_with_expanded_torch_lstm(torch, helpers, float64, H, S):
    """A slot-gated cell equals torch.nn.LSTM loaded with torch_state(expand=True); its parameter
    gradient for a slot row is the sum of the torch gradients of the rows that slot expands to."""
    T, B, I = 6, 2, 3
    k = H // S
    rng = np.random.default_rng(H * 10 + S)
    cell = LSTM(I, H, slots=S, dtype=float64)
    helpers.randomize(cell, rng)
    x, h0, c0 = rng.normal(size=(T, B, I)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    dh = rng.normal(size=(T, B, H))
    trace, grads = engine_run(cell, x, h0, c0, dh)
    big = cell.torch_state(expand=True)
    assert big["weight_ih_l0"].shape == (4 * H, I) and big["weight_hh_l0"].shape == (4 * H, H)
    out, hn, cn, tg = torch_run(torch, "lstm", big, x, h0, c0, dh)
    helpers.assert_close(trace.h, out, TOL, "slot lstm h")
    helpers.assert_close(trace.c[-1], cn, TOL, "slot lstm final c")
    for name in ("x", "h0", "c0"):
        helpers.assert_close(grads[name], tg[name], TOL, f"slot lstm d{name}")
    # expanded row r of torch comes from slot row owner[r] of the engine
    owner = np.concatenate([np.arange(S).repeat(k), S + np.arange(S).repeat(k),
                            2 * S + np.arange(H), 2 * S + H + np.arange(S).repeat(k)])
    for name in PARAMS:
        folded = np.zeros_like(grads[name])
        np.add.at(folded, owner, tg[name])
        helpers.assert_close(grads[name], folded, TOL, f"slot lstm d{name}")


@pytest.mark.parametrize("H,S", [(6, 2), (6, 3), (4, 1)])
def test_slot_gated_gru_parity_with_expanded_torch_gru(torch, helpers, float64, H, S):
    """A slot-gated GRU equals torch.nn.GRU loaded with torch_state(expand=True); a slot row's
    gradient is the sum of the torch gradients of the rows it expands to (PyTorch order r, z, n)."""
    T, B, I = 6, 2, 3
    k = H // S
    rng = np.random.default_rng(H * 10 + S + 1)
    cell = GRU(I, H, slots=S, dtype=float64)
    helpers.randomize(cell, rng)
    x, h0, dh = rng.normal(size=(T, B, I)), rng.normal(size=(B, H)), rng.normal(size=(T, B, H))
    trace, grads = engine_run(cell, x, h0, None, dh)
    big = cell.torch_state(expand=True)
    assert big["weight_ih_l0"].shape == (3 * H, I)
    out, hn, cn, tg = torch_run(torch, "gru", big, x, h0, None, dh)
    helpers.assert_close(trace.h, out, TOL, "slot gru h")
    for name in ("x", "h0"):
        helpers.assert_close(grads[name], tg[name], TOL, f"slot gru d{name}")
    owner = np.concatenate([np.arange(S).repeat(k), S + np.arange(S).repeat(k), 2 * S + np.arange(H)])
    for name in PARAMS:
        folded = np.zeros_like(grads[name])
        np.add.at(folded, owner, tg[name])
        helpers.assert_close(grads[name], folded, TOL, f"slot gru d{name}")


@pytest.mark.parametrize("V", [5, 100], ids=["vocab5", "vocab100"])
def test_slot_gated_token_ids_match_one_hot_through_torch(torch, helpers, float64, V):
    """Slot-gated cell fed token ids == torch.nn.LSTM (expanded state) fed one-hot vectors."""
    T, B, H, S = 7, 2, 6, 2
    k = H // S
    rng = np.random.default_rng(V + 1)
    cell = LSTM(V, H, slots=S, dtype=float64)
    helpers.randomize(cell, rng)
    x, h0, c0 = rng.integers(0, V, (T, B)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    x[0, 0], x[-1, -1] = 0, V - 1
    dh = rng.normal(size=(T, B, H))
    trace, grads = engine_run(cell, x, h0, c0, dh)
    out, hn, cn, tg = torch_run(torch, "lstm", cell.torch_state(expand=True), x, h0, c0, dh,
                                one_hot_size=V)
    helpers.assert_close(trace.h, out, TOL, "h")
    helpers.assert_close(trace.c[-1], cn, TOL, "final c")
    owner = np.concatenate([np.arange(S).repeat(k), S + np.arange(S).repeat(k),
                            2 * S + np.arange(H), 2 * S + H + np.arange(S).repeat(k)])
    for name in PARAMS:
        folded = np.zeros_like(grads[name])
        np.add.at(folded, owner, tg[name])
        helpers.assert_close(grads[name], folded, TOL, f"d{name}")
    helpers.assert_close(grads["h0"], tg["h0"], TOL, "dh0")
    helpers.assert_close(grads["c0"], tg["c0"], TOL, "dc0")


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # helpers is stateless
@given(kind=st.sampled_from(["lstm", "gru", "rnn"]), T=st.integers(1, 12), B=st.integers(1, 4),
       I=st.integers(1, 7), H=st.integers(1, 7), seed=st.integers(0, 2**16))
def test_property_parity_with_torch_random_shapes(torch, helpers, kind, T, B, I, H, seed):
    """Random shapes (including I=1, H=1) and states: forward and every gradient within 1e-10."""
    rng = np.random.default_rng(seed)
    cell = CELLS[kind](I, H)
    sd = helpers.randomize(cell, rng)
    x, h0 = rng.normal(size=(T, B, I)), rng.normal(size=(B, H))
    c0 = rng.normal(size=(B, H)) if kind == "lstm" else None
    dh = rng.normal(size=(T, B, H))
    trace, grads = engine_run(cell, x, h0, c0, dh)
    compare(helpers, kind, trace, grads, *torch_run(torch, kind, sd, x, h0, c0, dh))


# -- Keras layouts -----------------------------------------------------------------------------------

def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def keras_lstm_forward(w, x, h0, c0):
    """tf.keras.layers.LSTM: z = x K + h R + b, split in order i, f, c, o."""
    K, R, b = w["kernel"], w["recurrent_kernel"], w["bias"]
    H = R.shape[0]
    h, c, hs = h0, c0, []
    for xt in x:
        z = xt @ K + h @ R + b
        i, f, cc, o = (z[:, j * H:(j + 1) * H] for j in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(cc)
        h = sigmoid(o) * np.tanh(c)
        hs.append(h)
    return np.array(hs), c


def keras_gru_forward(w, x, h0):
    """tf.keras.layers.GRU(reset_after=True): order z, r, h; bias (2, 3H) = [input; recurrent]."""
    K, R, b = w["kernel"], w["recurrent_kernel"], w["bias"]
    H = R.shape[0]
    h, hs = h0, []
    for xt in x:
        mx = xt @ K + b[0]
        mh = h @ R + b[1]
        z = sigmoid(mx[:, :H] + mh[:, :H])
        r = sigmoid(mx[:, H:2 * H] + mh[:, H:2 * H])
        hh = np.tanh(mx[:, 2 * H:] + r * mh[:, 2 * H:])
        h = z * h + (1.0 - z) * hh
        hs.append(h)
    return np.array(hs)


def keras_rnn_forward(w, x, h0):
    """tf.keras.layers.SimpleRNN: h = tanh(x K + h R + b)."""
    h, hs = h0, []
    for xt in x:
        h = np.tanh(xt @ w["kernel"] + h @ w["recurrent_kernel"] + w["bias"])
        hs.append(h)
    return np.array(hs)


def make_cell(kind, I, H, slots=None, seed=0):
    if kind == "lstm":
        return LSTM(I, H, slots=slots, seed=seed)
    return CELLS[kind](I, H, seed=seed)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_keras_layout_shapes(helpers, rng, kind):
    I, H = 3, 5
    cell = make_cell(kind, I, H)
    helpers.randomize(cell, rng)
    w = interop.keras_weights(cell)
    gates = {"lstm": 4, "gru": 3, "rnn": 1}[kind]
    assert w["kernel"].shape == (I, gates * H)
    assert w["recurrent_kernel"].shape == (H, gates * H)
    assert w["bias"].shape == ((2, 3 * H) if kind == "gru" else (gates * H,))


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_keras_round_trip_gives_identical_forward(helpers, rng, kind):
    I, H, T, B = 3, 5, 7, 2
    src = make_cell(kind, I, H, seed=1)
    helpers.randomize(src, rng)
    dst = make_cell(kind, I, H, seed=2)  # different initial weights, all overwritten
    w = interop.keras_weights(src)
    interop.load_keras_weights(dst, w)
    x, h0, c0 = rng.normal(size=(T, B, I)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    if kind == "lstm":
        a, b = src.forward(x, h0, c0), dst.forward(x, h0, c0)
        assert np.array_equal(a.c, b.c)
    else:
        a, b = src.forward(x, h0), dst.forward(x, h0)
    assert np.array_equal(a.h, b.h)
    w2 = interop.keras_weights(dst)
    for n in w:
        assert np.array_equal(w[n], w2[n]), n


@pytest.mark.parametrize("slots", [None, 2], ids=["standard", "slots2"])
def test_keras_lstm_reference_forward(helpers, rng, slots):
    I, H, T, B = 4, 6, 9, 3
    cell = make_cell("lstm", I, H, slots=slots)
    helpers.randomize(cell, rng)
    x, h0, c0 = rng.normal(size=(T, B, I)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    ref_h, ref_c = keras_lstm_forward(interop.keras_weights(cell), x, h0, c0)
    trace = cell.forward(x, h0, c0)
    helpers.assert_close(trace.h, ref_h, 1e-12, "keras lstm h")
    helpers.assert_close(trace.c[-1], ref_c, 1e-12, "keras lstm c")


def test_keras_gru_reference_forward(helpers, rng):
    I, H, T, B = 4, 5, 9, 3
    cell = make_cell("gru", I, H)
    helpers.randomize(cell, rng)
    x, h0 = rng.normal(size=(T, B, I)), rng.normal(size=(B, H))
    ref = keras_gru_forward(interop.keras_weights(cell), x, h0)
    helpers.assert_close(cell.forward(x, h0).h, ref, 1e-12, "keras gru h")


def test_keras_rnn_reference_forward(helpers, rng):
    I, H, T, B = 4, 5, 9, 3
    cell = make_cell("rnn", I, H)
    helpers.randomize(cell, rng)
    x, h0 = rng.normal(size=(T, B, I)), rng.normal(size=(B, H))
    ref = keras_rnn_forward(interop.keras_weights(cell), x, h0)
    helpers.assert_close(cell.forward(x, h0).h, ref, 1e-12, "keras rnn h")


def test_keras_weights_built_by_hand_load_correctly(rng):
    """Keras arrays built independently of keras_weights (from the documented equations) load into
    a cell that then reproduces the reference forward: catches a gate-order mix-up on load."""
    I, H, T, B = 3, 4, 6, 2
    x, h0, c0 = rng.normal(size=(T, B, I)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    lstm_w = {"kernel": rng.normal(size=(I, 4 * H)), "recurrent_kernel": rng.normal(size=(H, 4 * H)),
              "bias": rng.normal(size=4 * H)}
    cell = LSTM(I, H)
    interop.load_keras_weights(cell, lstm_w)
    ref_h, ref_c = keras_lstm_forward(lstm_w, x, h0, c0)
    tr = cell.forward(x, h0, c0)
    assert np.abs(tr.h - ref_h).max() < 1e-12 and np.abs(tr.c[-1] - ref_c).max() < 1e-12
    gru_w = {"kernel": rng.normal(size=(I, 3 * H)), "recurrent_kernel": rng.normal(size=(H, 3 * H)),
             "bias": rng.normal(size=(2, 3 * H))}
    g = GRU(I, H)
    interop.load_keras_weights(g, gru_w)
    assert np.abs(g.forward(x, h0).h - keras_gru_forward(gru_w, x, h0)).max() < 1e-12
    rnn_w = {"kernel": rng.normal(size=(I, H)), "recurrent_kernel": rng.normal(size=(H, H)) * 0.5,
             "bias": rng.normal(size=H)}
    r = RNN(I, H)
    interop.load_keras_weights(r, rnn_w)
    assert np.abs(r.forward(x, h0).h - keras_rnn_forward(rnn_w, x, h0)).max() < 1e-12


def test_keras_errors(rng):
    slot = LSTM(3, 6, slots=2)
    with pytest.raises(EngineError):
        interop.load_keras_weights(slot, interop.keras_weights(LSTM(3, 6)))
    g = GRU(3, 4)
    w = interop.keras_weights(g)
    with pytest.raises(EngineError, match="reset_after"):
        interop.load_keras_weights(g, {**w, "bias": w["bias"].sum(0)})  # reset_after=False layout
    with pytest.raises(EngineError, match="recurrent_kernel"):
        interop.load_keras_weights(g, {"kernel": w["kernel"], "bias": w["bias"]})
    with pytest.raises(EngineError):
        interop.load_keras_weights(LSTM(3, 4), interop.keras_weights(LSTM(3, 5)))
