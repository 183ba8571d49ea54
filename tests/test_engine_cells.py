"""Behaviour of the cells beyond parity: single steps vs whole sequences (bit-exact), slot gating,
token ids, gate overrides, proposals, float32, and the errors callers get for bad input."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_engine import GRU, LSTM, RNN, EngineError, Model

T_STEPS = 7
LARGE_VOCAB = 100  # token ids beyond any small-vocabulary fast path


def make(I=5, H=6, slots=2, seed=1, dtype=np.float64):
    return LSTM(I, H, slots=slots, dtype=dtype, seed=seed)


def some_overrides(rng, T, B, S):
    """(T, B, S) overrides for i and f with NaN holes; o left to the network."""
    g = {}
    for n in ("i", "f"):
        v = rng.uniform(0, 1, (T, B, S))
        v[rng.random(v.shape) < 0.5] = np.nan
        g[n] = v
    g["i"][1] = 0.0
    g["f"][2] = 1.0
    return g


# -- stepping ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("overrides", [False, True], ids=["free", "overrides"])
@pytest.mark.parametrize("B", [1, 3], ids=["B1", "B3"])
@pytest.mark.parametrize("inputs", ["ids", "dense", "ids-large-vocab"])
@pytest.mark.parametrize("slots", [None, 2], ids=["standard", "slots2"])
def test_stepper_equals_forward_exactly(helpers, inputs, B, overrides, slots):
    """LSTMStepper promises 'bit-identical states to running it whole'. A large vocabulary (100
    tokens) is included because the engine may take a different input path for big vocabularies."""
    rng = np.random.default_rng([B, overrides, len(inputs), slots or 0])
    I, H, T = (LARGE_VOCAB if inputs == "ids-large-vocab" else 5), 6, T_STEPS
    cell = make(I, H, slots)
    helpers.randomize(cell, rng)
    S = cell.slots
    x = rng.normal(size=(T, B, I)) if inputs == "dense" else rng.integers(0, I, (T, B))
    h0, c0 = rng.normal(size=(B, H)), rng.normal(size=(B, H))
    gates = some_overrides(rng, T, B, S) if overrides else None
    trace = cell.forward(x, h0, c0, gates=gates)
    st = cell.stepper()
    h, c = h0, c0
    for t in range(T):
        g_t = None if gates is None else {n: v[t] for n, v in gates.items()}
        h, c, act = st.step(x[t], h, c, gates=g_t)
        assert np.array_equal(h, trace.h[t]), f"h differs at step {t}: {np.abs(h - trace.h[t]).max():.2e}"
        assert np.array_equal(c, trace.c[t]), f"c differs at step {t}: {np.abs(c - trace.c[t]).max():.2e}"
        assert np.array_equal(act[:, :3 * S], trace.sigmoid_gates[t]), f"gates differ at step {t}"
        assert np.array_equal(act[:, 3 * S:], trace.g[t]), f"candidate differs at step {t}"


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), T=st.integers(1, 9), B=st.integers(1, 4), I=st.integers(1, 8),
       H_S=st.sampled_from([(1, 1), (2, 1), (4, 2), (6, 3), (6, 6), (8, 2), (9, 3)]),
       dense=st.booleans(), dtype=st.sampled_from([np.float64, np.float32]))
def test_property_stepper_equals_forward(helpers, data, T, B, I, H_S, dense, dtype):
    H, S = H_S
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    cell = LSTM(I, H, slots=S, dtype=dtype)
    helpers.randomize(cell, rng)
    x = rng.normal(size=(T, B, I)) if dense else rng.integers(0, I, (T, B))
    h0, c0 = rng.normal(size=(B, H)).astype(dtype), rng.normal(size=(B, H)).astype(dtype)
    gates = None
    if data.draw(st.booleans(), label="overrides"):
        gates = some_overrides(rng, T, B, S)
    trace = cell.forward(x, h0, c0, gates=gates)
    st_ = cell.stepper()
    h, c = h0, c0
    for t in range(T):
        g_t = None if gates is None else {n: v[t] for n, v in gates.items()}
        h, c, _ = st_.step(x[t], h, c, gates=g_t)
        assert np.array_equal(h, trace.h[t]) and np.array_equal(c, trace.c[t]), f"step {t}"


def test_stepper_accepts_scalar_token_id(helpers, rng):
    cell = make()
    helpers.randomize(cell, rng)
    x = rng.integers(0, 5, (T_STEPS, 1))
    trace = cell.forward(x)
    st = cell.stepper()
    h = c = np.zeros((1, 6))
    for t in range(T_STEPS):
        h, c, _ = st.step(int(x[t, 0]), h, c)
    assert np.array_equal(h, trace.h[-1]) and np.array_equal(c, trace.c[-1])


def test_cell_step_is_stepper_step(helpers, rng):
    cell = make()
    helpers.randomize(cell, rng)
    h, c = rng.normal(size=(2, 6)), rng.normal(size=(2, 6))
    a = cell.step(np.array([1, 3]), h, c, gates={"f": [1.0, np.nan]})
    b = cell.stepper().step(np.array([1, 3]), h, c, gates={"f": [1.0, np.nan]})
    for u, v in zip(a, b, strict=True):
        assert np.array_equal(u, v)


def test_stepper_is_a_snapshot_of_the_weights(helpers, rng):
    cell = make()
    helpers.randomize(cell, rng)
    st = cell.stepper()
    h = c = np.zeros((1, 6))
    before = st.step(2, h, c)[0]
    cell.params["weight_ih_l0"] += 0.5
    assert np.array_equal(st.step(2, h, c)[0], before)
    assert not np.array_equal(cell.stepper().step(2, h, c)[0], before)


def test_proposal_equals_gates_of_unoverridden_step(helpers, rng):
    cell = make(slots=3)
    helpers.randomize(cell, rng)
    S, H = 3, 6
    x = rng.integers(0, 5, (T_STEPS, 2))
    trace = cell.forward(x)
    st = cell.stepper()
    h = c = np.zeros((2, H))
    for t in range(T_STEPS):
        prop = st.proposal(x[t], h, c)
        assert set(prop) == {"i", "f", "o", "g"}
        assert prop["i"].shape == (2, S) and prop["g"].shape == (2, H)
        _, _, act = st.step(x[t], h, c)
        for k, n in enumerate(("i", "f", "o")):
            assert np.array_equal(prop[n], act[:, k * S:(k + 1) * S])
            assert np.array_equal(prop[n], getattr(trace, n)[t])
        assert np.array_equal(prop["g"], trace.g[t])
        # the proposal is what the network would do even when the player then overrides
        h2, c2, act2 = st.step(x[t], h, c, gates={"f": np.zeros(S)})
        assert np.array_equal(act2[:, S:2 * S], np.zeros((2, S)))
        assert np.array_equal(st.proposal(x[t], h, c)["f"], prop["f"])
        h, c = trace.h[t], trace.c[t]


# -- slots ------------------------------------------------------------------------------------------

def test_slots_equal_hidden_size_is_standard(rng):
    I, H = 4, 5
    a, b = LSTM(I, H, seed=9), LSTM(I, H, slots=H, seed=9)
    assert b.standard and b.slots == H and b.config()["slots"] is None
    for n in a.params:
        assert np.array_equal(a.params[n], b.params[n])
    x, h0, c0 = rng.normal(size=(6, 2, I)), rng.normal(size=(2, H)), rng.normal(size=(2, H))
    dh = rng.normal(size=(6, 2, H))
    ta, tb = a.forward(x, h0, c0), b.forward(x, h0, c0)
    assert np.array_equal(ta.h, tb.h) and np.array_equal(ta.c, tb.c)
    ga, gb = a.backward(ta, dh), b.backward(tb, dh)
    for n in ga:
        assert np.array_equal(ga[n], gb[n]), n


@pytest.mark.parametrize("H,S", [(6, 2), (6, 3), (8, 1), (6, 6)])
def test_slot_cell_equals_expanded_standard_lstm(helpers, rng, H, S):
    I, T, B = 3, 8, 2
    k = H // S
    slot = LSTM(I, H, slots=S)
    helpers.randomize(slot, rng)
    std = LSTM(I, H)
    std.load_torch_state(slot.torch_state(expand=True))
    x, h0, c0 = rng.normal(size=(T, B, I)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    gates = {"i": rng.uniform(0, 1, (T, S)), "o": np.full((T, S), np.nan)}
    gates["i"][::2] = np.nan
    gates["o"][3] = 0.25
    expand = {n: np.repeat(v, k, axis=-1) for n, v in gates.items()}
    for g_slot, g_std in ((None, None), (gates, expand)):
        ts, tt = slot.forward(x, h0, c0, gates=g_slot), std.forward(x, h0, c0, gates=g_std)
        helpers.assert_close(ts.h, tt.h, 1e-13, "h")
        helpers.assert_close(ts.c, tt.c, 1e-13, "c")
        for n in ("i", "f", "o"):
            helpers.assert_close(np.repeat(getattr(ts, n), k, axis=-1), getattr(tt, n), 1e-13, n)
        helpers.assert_close(ts.g, tt.g, 1e-13, "g")
    # expand is a no-op on a standard cell
    for n, a in std.torch_state(expand=True).items():
        assert np.array_equal(a, std.torch_state()[n])


def test_slot_gates_are_shared_within_a_slot(helpers, rng):
    cell = make(H=6, slots=2)
    helpers.randomize(cell, rng)
    tr = cell.forward(rng.integers(0, 5, (5, 2)))
    assert tr.i.shape == tr.f.shape == tr.o.shape == (5, 2, 2)
    assert tr.g.shape == tr.h.shape == tr.c.shape == (5, 2, 6)
    assert cell.num_parameters() == sum(p.size for p in cell.params.values()) == 12 * 5 + 12 * 6 + 24


# -- token ids --------------------------------------------------------------------------------------

@pytest.mark.parametrize("V", [6, LARGE_VOCAB])
@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_token_ids_equal_one_hot_dense_input(helpers, rng, kind, V):
    """Token ids mean one-hot inputs: bit-exact for a small vocabulary (one-hot rows times W sum only
    exact zeros besides the chosen weight); a large vocabulary may gather rows of W_ih + b instead,
    which may round the bias addition differently, so there 1e-13 relative."""
    H, T, B = 4, 9, 3
    cell = {"lstm": lambda: LSTM(V, H, slots=2), "gru": lambda: GRU(V, H), "rnn": lambda: RNN(V, H)}[kind]()
    helpers.randomize(cell, rng)
    ids = rng.integers(0, V, (T, B))
    dense = np.eye(V)[ids]
    a, b = cell.forward(ids), cell.forward(dense)
    if V == LARGE_VOCAB:
        helpers.assert_close(a.h, b.h, 1e-13, "h")
    else:
        assert np.array_equal(a.h, b.h), np.abs(a.h - b.h).max()
    dh = rng.normal(size=(T, B, H))
    ga, gb = cell.backward(a, dh), cell.backward(b, dh)
    assert ga["x"] is None and gb["x"].shape == (T, B, V)
    for n in cell.params:
        helpers.assert_close(ga[n], gb[n], 1e-13, n)
    helpers.assert_close(ga["h0"], gb["h0"], 1e-13, "h0")


# -- overrides --------------------------------------------------------------------------------------

def test_overrides_recorded_in_trace_and_change_outcome(helpers, rng):
    cell = make(H=6, slots=2)
    helpers.randomize(cell, rng)
    x = rng.integers(0, 5, (6, 2))
    free = cell.forward(x)
    i = np.full((6, 2), np.nan)
    i[2] = [0.0, 1.0]
    f = np.full((6, 2, 2), np.nan)
    f[4, 1] = [0.3, np.nan]
    tr = cell.forward(x, gates={"i": i, "f": f})
    # recorded exactly where set, the network's own value elsewhere
    assert np.array_equal(tr.i[2], [[0.0, 1.0], [0.0, 1.0]])
    assert tr.f[4, 1, 0] == 0.3
    assert np.array_equal(tr.i[:2], free.i[:2]) and np.array_equal(tr.f[:3], free.f[:3])
    assert np.array_equal(tr.o[:2], free.o[:2]) and np.array_equal(tr.h[:2], free.h[:2])
    assert tr.free is not None and tr.free[2, :, :2].sum() == 0 and tr.free[4, 1, 2] == 0
    assert tr.free.sum() == tr.free.size - 4 - 1
    # and the outcome changed from the overridden step on
    assert not np.array_equal(tr.h[2], free.h[2])
    assert not np.allclose(tr.h[-1], free.h[-1])


def test_input_gate_zero_and_forget_one_keeps_the_cell_state(helpers, rng):
    """i = 0, f = 1 is the 'hold' gating: c must stay exactly c0 at every step."""
    cell = make(H=6, slots=3)
    helpers.randomize(cell, rng)
    T = 5
    c0 = rng.normal(size=(2, 6))
    tr = cell.forward(rng.integers(0, 5, (T, 2)), c0=c0,
                      gates={"i": np.zeros((T, 3)), "f": np.ones((T, 3))})
    assert np.array_equal(tr.c, np.broadcast_to(c0, tr.c.shape))
    tr = cell.forward(rng.integers(0, 5, (T, 2)), c0=c0, gates={"o": np.zeros((T, 3))})
    assert np.array_equal(tr.h, np.zeros_like(tr.h))


def test_all_nan_overrides_equal_no_overrides(helpers, rng):
    cell = make()
    helpers.randomize(cell, rng)
    x = rng.integers(0, 5, (5, 2))
    a = cell.forward(x)
    b = cell.forward(x, gates={"i": np.full((5, 2), np.nan), "f": None})
    assert np.array_equal(a.h, b.h) and np.array_equal(a.act, b.act)


def test_override_shapes_time_only_broadcasts_over_batch(helpers, rng):
    cell = make()
    helpers.randomize(cell, rng)
    x = rng.integers(0, 5, (5, 3))
    v = rng.uniform(0, 1, (5, 2))
    a = cell.forward(x, gates={"o": v})
    b = cell.forward(x, gates={"o": np.broadcast_to(v[:, None], (5, 3, 2)).copy()})
    assert np.array_equal(a.h, b.h)


def test_overridden_gates_get_no_gradient(helpers, rng):
    """With i, f, o overridden everywhere, no gradient reaches their weight rows; g's rows still learn."""
    I, H, S = 3, 6, 2
    cell = LSTM(I, H, slots=S)
    helpers.randomize(cell, rng)
    T, B = 5, 2
    gates = {n: rng.uniform(0, 1, (T, B, S)) for n in ("i", "f", "o")}
    tr = cell.forward(rng.normal(size=(T, B, I)), gates=gates)
    s = tr.sigmoid_gates
    g = cell.backward(tr, rng.normal(size=(T, B, H)), dpre=rng.normal(size=s.shape))
    sig_rows = np.r_[0:2 * S, 2 * S + H:3 * S + H]  # PyTorch order i, f, g, o
    g_rows = np.r_[2 * S:2 * S + H]
    for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
        assert np.array_equal(g[n][sig_rows], np.zeros_like(g[n][sig_rows])), n
        assert np.abs(g[n][g_rows]).max() > 0, n


def test_noise_shifts_gate_preactivations(helpers, rng):
    cell = make(H=6, slots=2)
    helpers.randomize(cell, rng)
    x = rng.integers(0, 5, (4, 2))
    zero = cell.forward(x, noise=np.zeros((4, 2, 6)))
    assert np.array_equal(zero.h, cell.forward(x).h)
    # huge negative noise on the output gate closes it: h ~ 0
    n = np.zeros((4, 2, 6))
    n[:, :, 4:] = -100.0
    assert np.abs(cell.forward(x, noise=n).h).max() < 1e-20


# -- dtypes -----------------------------------------------------------------------------------------

F32_TOL = 1e-5  # float32 rounding (eps ~ 1.2e-7) accumulated over ~10 steps of O(1) values


@pytest.mark.parametrize("kind", ["lstm", "lstm-slots", "gru", "rnn"])
def test_float32_runs_and_stays_close_to_float64(helpers, rng, kind):
    I, H, T, B = 4, 6, 10, 3
    def build(dt):
        if kind.startswith("lstm"):
            return LSTM(I, H, slots=2 if kind == "lstm-slots" else None, dtype=dt)
        return (GRU if kind == "gru" else RNN)(I, H, dtype=dt)
    c64, c32 = build(np.float64), build(np.float32)
    sd = helpers.randomize(c64, rng, scale=0.4)
    c32.load_torch_state(sd)
    assert all(p.dtype == np.float32 for p in c32.params.values())
    x = rng.normal(size=(T, B, I))
    dh = rng.normal(size=(T, B, H))
    t64, t32 = c64.forward(x), c32.forward(x)
    assert t32.h.dtype == np.float32
    assert np.all(np.isfinite(t32.h))
    helpers.assert_close(t32.h, t64.h, F32_TOL, f"{kind} float32 h")
    g64, g32 = c64.backward(t64, dh), c32.backward(t32, dh)
    for n in c64.params:
        assert g32[n].dtype == np.float32, n
        helpers.assert_close(g32[n], g64[n], 1e-4, f"{kind} float32 d{n}")
    # token ids too
    ids = rng.integers(0, I, (T, B))
    helpers.assert_close(c32.forward(ids).h, c64.forward(ids).h, F32_TOL, f"{kind} float32 ids")


def test_float32_stepper_matches_float32_forward(helpers, rng):
    cell = LSTM(5, 6, slots=2, dtype=np.float32)
    helpers.randomize(cell, rng)
    x = rng.integers(0, 5, (6, 2))
    tr = cell.forward(x)
    st = cell.stepper()
    h = c = np.zeros((2, 6), np.float32)
    for t in range(6):
        h, c, _ = st.step(x[t], h, c)
        assert h.dtype == np.float32
        assert np.array_equal(h, tr.h[t])


def build_kind(kind, I=5, H=6):
    return {"lstm": lambda: LSTM(I, H, slots=2), "gru": lambda: GRU(I, H), "rnn": lambda: RNN(I, H)}[kind]()


@pytest.mark.parametrize("inputs", ["ids", "dense"])
@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_workspace_gives_identical_results(helpers, rng, kind, inputs):
    from lstm_engine import Workspace

    cell = build_kind(kind)
    helpers.randomize(cell, rng)
    ws = Workspace()
    x = rng.integers(0, 5, (6, 3)) if inputs == "ids" else rng.normal(size=(6, 3, 5))
    dh = rng.normal(size=(6, 3, 6))
    a = cell.forward(x)
    ga = cell.backward(a, dh)
    for T in (6, 4, 6):  # reuse, a different shape, then the first shape again
        b = cell.forward(x[:T], workspace=ws)
        ref = cell.forward(x[:T])
        assert np.array_equal(ref.h, b.h)
        gb = cell.backward(b, dh[:T], workspace=ws)
        gref = ga if T == 6 else cell.backward(ref, dh[:T])
        for n in list(cell.params) + ["h0"]:
            assert np.array_equal(gref[n], gb[n]), (T, n)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_objective_with_workspace_is_identical(helpers, rng, kind):
    from lstm_engine import FirstSymbolTask, Workspace

    task = FirstSymbolTask(lengths=(6,))
    model = Model.create(kind, 4, 6, 4, slots=2 if kind == "lstm" else None)
    helpers.randomize(model.cell, rng)
    ws = Workspace()
    for _ in range(2):
        batch = task.sample(rng, 5, 6)
        plain = model.objective(batch)
        fast = model.objective(batch, workspace=ws)
        assert plain.loss == fast.loss
        for n in plain.grads:
            assert np.array_equal(plain.grads[n], fast.grads[n]), n


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_forward_and_backward_have_no_side_effects(helpers, rng, kind):
    """Inputs, overrides, upstream gradients and the trace are not modified; backward can be repeated."""
    cell = build_kind(kind)
    helpers.randomize(cell, rng)
    T, B = 5, 2
    x, h0 = rng.normal(size=(T, B, 5)), rng.normal(size=(B, 6))
    c0 = rng.normal(size=(B, 6))
    dh = rng.normal(size=(T, B, 6))
    kw = {}
    if kind == "lstm":
        kw = dict(c0=c0, gates={"i": np.where(rng.random((T, 2)) < 0.5, np.nan, 0.5)},
                  noise=rng.normal(size=(T, B, 6)))
    saved = [a.copy() for a in (x, h0, c0, dh)]
    saved_gates = {n: v.copy() for n, v in kw.get("gates", {}).items()}
    params = cell.torch_state()
    tr = cell.forward(x, h0, **kw)
    h_before = tr.h.copy()
    extra = {"dpre": rng.normal(size=(T, B, 6)), "dc_last": rng.normal(size=(B, 6))} if kind == "lstm" else {}
    g1 = cell.backward(tr, dh, **extra)
    g2 = cell.backward(tr, dh, **extra)
    for n in g1:
        if g1[n] is not None:
            assert np.array_equal(g1[n], g2[n]), n
    assert np.array_equal(tr.h, h_before)
    for a, b in zip((x, h0, c0, dh), saved, strict=True):
        assert np.array_equal(a, b)
    for n, v in saved_gates.items():
        assert np.array_equal(kw["gates"][n], v, equal_nan=True)
    for n, a in cell.torch_state().items():
        assert np.array_equal(a, params[n]), n


# -- errors -----------------------------------------------------------------------------------------

def expect_error(fn, *words):
    with pytest.raises(EngineError) as e:
        fn()
    msg = str(e.value).lower()
    for w in words:
        assert w.lower() in msg, f"message {str(e.value)!r} does not mention {w!r}"
    return msg


def test_bad_shapes_raise_engine_error():
    cell = make(I=5, H=6, slots=2)
    x = np.zeros((4, 2, 5))
    expect_error(lambda: cell.forward(np.zeros((4, 2, 3))), "x", "(steps, batch, 5)")
    expect_error(lambda: cell.forward(np.zeros((4, 5))), "x")          # floats need (T, B, I)
    expect_error(lambda: cell.forward(np.zeros((4, 2, 5, 1))), "x")
    expect_error(lambda: cell.forward(np.zeros((0, 2, 5))), "steps")
    expect_error(lambda: cell.forward(np.zeros((4, 2, 1), int)), "token ids")
    expect_error(lambda: cell.forward(x, h0=np.zeros((2, 5))), "h0")
    expect_error(lambda: cell.forward(x, c0=np.zeros((3, 6))), "c0")
    expect_error(lambda: cell.forward(x, gates={"i": np.zeros((4, 3))}), "'i'")
    expect_error(lambda: cell.forward(x, gates={"f": np.zeros((5, 2))}), "'f'")
    expect_error(lambda: cell.forward(x, noise=np.zeros((4, 2, 5))), "noise")
    tr = cell.forward(x)
    expect_error(lambda: cell.backward(tr, np.zeros((4, 2, 5))), "dh")
    for C in (GRU(5, 6), RNN(5, 6)):
        t = C.forward(x)
        expect_error(lambda C=C, t=t: C.backward(t, np.zeros((3, 2, 6))), "dh")
        expect_error(lambda C=C: C.forward(x, h0=np.zeros((2, 7))), "h0")
        expect_error(lambda C=C: C.forward(x, c0=np.zeros((2, 6))))
        expect_error(lambda C=C: C.forward(x, gates={"i": np.zeros((4, 6))}))


@pytest.mark.parametrize("value", [-0.01, 1.5, np.inf, -np.inf])
@pytest.mark.parametrize("gate", ["i", "f", "o"])
def test_override_values_outside_unit_interval_raise(gate, value):
    cell = make()
    v = np.full((4, 2), np.nan)
    v[1, 0] = value
    expect_error(lambda: cell.forward(np.zeros((4, 1), int), gates={gate: v}), f"'{gate}'", "[0, 1]")


def test_unknown_gate_names_raise():
    cell = make()
    x = np.zeros((4, 1), int)
    expect_error(lambda: cell.forward(x, gates={"g": np.zeros((4, 2))}), "'g'")
    expect_error(lambda: cell.forward(x, gates={"input": np.zeros((4, 2))}), "input")
    expect_error(lambda: cell.forward(x, gates=[("i", np.zeros((4, 2)))]), "dict")


@pytest.mark.parametrize("bad", [5, 6, -1])
def test_token_id_out_of_range_raises(bad):
    cell = make(I=5)
    x = np.zeros((4, 2), int)
    x[2, 1] = bad
    expect_error(lambda: cell.forward(x), "token ids", "0..4")
    for C in (GRU(5, 3), RNN(5, 3)):
        expect_error(lambda C=C: C.forward(x), "token ids")


def test_empty_token_sequence_raises():
    """Dense inputs with no steps are refused ('x has no steps'); token ids must be too (a (0, B)
    sequence otherwise passes forward and crashes backward with an IndexError)."""
    cell = make()
    expect_error(lambda: cell.forward(np.zeros((0, 2), int)), "steps")


@pytest.mark.parametrize("slots", [4, 5, 0, -2, 7, 2.0, "2"])
def test_slots_must_divide_hidden_size(slots):
    expect_error(lambda: LSTM(3, 6, slots=slots), "slots")


def test_bad_constructor_arguments_raise():
    expect_error(lambda: LSTM(0, 4), "input_size")
    expect_error(lambda: GRU(3, 0), "hidden_size")
    expect_error(lambda: RNN(3.5, 4), "input_size")
    expect_error(lambda: LSTM(3, 4, dtype=np.int32), "dtype")
    expect_error(lambda: GRU(3, 4, dtype=np.float16), "dtype")
    expect_error(lambda: Model.create("gru", 3, 4, 2, slots=3), "slots")
    expect_error(lambda: Model.create("rnn", 3, 4, 2, slots=2), "slots")
    expect_error(lambda: Model.create("transformer", 3, 4, 2), "kind")
    expect_error(lambda: Model.create("lstm", 3, 4, 2, kind="regress"), "tolerance")


def test_load_torch_state_checks_names_shapes_and_values(rng):
    cell = make()
    good = cell.torch_state()
    expect_error(lambda: cell.load_torch_state({k: v for k, v in good.items() if k != "bias_hh_l0"}),
                 "bias_hh_l0")
    expect_error(lambda: cell.load_torch_state({**good, "weight_ih_l1": good["weight_ih_l0"]}),
                 "weight_ih_l1")
    expect_error(lambda: cell.load_torch_state({**good, "weight_hh_l0": np.zeros((12, 5))}), "weight_hh_l0")
    bad = good["bias_ih_l0"].copy()
    bad[0] = np.nan
    before = cell.torch_state()
    expect_error(lambda: cell.load_torch_state({**good, "bias_ih_l0": bad}), "nan")
    for n, a in cell.torch_state().items():  # a refused state leaves the cell untouched
        assert np.array_equal(a, before[n])


# -- the single-step path must validate like forward does ---------------------------------------

def test_stepper_rejects_unknown_gate_names():
    st = make().stepper()
    h = c = np.zeros((1, 6))
    expect_error(lambda: st.step(0, h, c, gates={"g": np.zeros(2)}), "'g'")


@pytest.mark.parametrize("value", [-0.5, 1.5])
def test_stepper_rejects_override_values_outside_unit_interval(value):
    st = make().stepper()
    h = c = np.zeros((1, 6))
    expect_error(lambda: st.step(0, h, c, gates={"i": np.array([value, 0.5])}))


@pytest.mark.parametrize("bad", [5, -1])
def test_stepper_rejects_token_ids_out_of_range(bad):
    """forward refuses these ids; step(-1, ...) would otherwise silently use the LAST token's row."""
    st = make(I=5).stepper()
    h = c = np.zeros((1, 6))
    expect_error(lambda: st.step(bad, h, c), "token ids")
    expect_error(lambda: st.step(np.array([0, bad]), np.zeros((2, 6)), np.zeros((2, 6))), "token ids")
