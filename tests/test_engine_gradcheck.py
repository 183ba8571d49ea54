"""Central-difference gradient checks (float64) of every backward pass, on EVERY parameter entry
and on x, h0 and c0, using lstm_engine.gradcheck.numerical_gradient / relative_error.

Cell-level loss: L = sum(Wh * h) + sum(Wc * c_T) + sum(Q * sigmoid gates as used), so the upstream
gradient ``dh`` at every step, ``dc_last`` and ``dpre`` are all exercised. Model-level: the full
Model.objective with the forced (intended-gating) run, the crisp-gate penalty and gate supervision.
"""

import numpy as np
import pytest

from lstm_engine import GRU, LSTM, RNN, AddingTask, Batch, Model
from lstm_engine.gradcheck import numerical_gradient, relative_error

TOL = 1e-7
EPS = 1e-6


def check(name, analytic, numeric, tol=TOL):
    assert analytic is not None, f"{name}: no analytic gradient"
    assert analytic.shape == numeric.shape, f"{name}: shape {analytic.shape} != {numeric.shape}"
    err = relative_error(analytic, numeric)
    assert err < tol, f"{name}: relative error {err:.2e} (tolerance {tol:.0e})"
    # a gradient check of an all-zero gradient proves nothing
    assert np.abs(numeric).max() > 1e-6, f"{name}: gradient is (numerically) zero everywhere"


def override_values(rng, T, B, S, per_batch):
    """Overrides with some entries NaN (network decides) and some set, including exact 0 and 1."""
    shape = (T, B, S) if per_batch else (T, S)
    out = {}
    for n in ("i", "f", "o"):
        v = rng.uniform(0, 1, shape)
        v[rng.random(shape) < 0.5] = np.nan
        out[n] = v
    out["i"].reshape(-1)[0] = 0.0
    out["f"].reshape(-1)[1] = 1.0
    out["o"][...] = np.where(np.isnan(out["o"]), out["o"], np.nan)  # 'o' stays fully free ...
    out["o"].reshape(-1)[-1] = 1.0                                   # ... except one entry
    return out


LSTM_CASES = {
    "standard": dict(H=4, slots=None, gates=None, ids=False, noise=False),
    "standard-overrides": dict(H=4, slots=None, gates="batch", ids=False, noise=False),
    "slots2-overrides": dict(H=6, slots=2, gates="batch", ids=False, noise=False),
    "slots3-overrides-(T,S)": dict(H=6, slots=3, gates="time", ids=False, noise=False),
    "slots2-token-ids-overrides": dict(H=6, slots=2, gates="batch", ids=True, noise=False),
    "slots1": dict(H=4, slots=1, gates=None, ids=False, noise=False),
    "slots2-fixed-noise": dict(H=6, slots=2, gates="batch", ids=False, noise=True),
    "slots2-large-vocab-ids": dict(H=4, slots=2, gates="batch", ids=True, noise=False, I=100),
}


@pytest.mark.parametrize("case", list(LSTM_CASES))
def test_lstm_gradcheck(float64, helpers, case):
    c = LSTM_CASES[case]
    T, B, I, H = 5, 2, c.get("I", 3), c["H"]
    rng = np.random.default_rng(list(LSTM_CASES).index(case))
    cell = LSTM(I, H, slots=c["slots"], dtype=float64)
    helpers.randomize(cell, rng, scale=0.5)
    S = cell.slots
    x = rng.integers(0, I, (T, B)) if c["ids"] else rng.normal(size=(T, B, I))
    h0, c0 = rng.normal(scale=0.5, size=(B, H)), rng.normal(scale=0.5, size=(B, H))
    gates = None if c["gates"] is None else override_values(rng, T, B, S, c["gates"] == "batch")
    noise = rng.normal(size=(T, B, 3 * S)) if c["noise"] else None
    Wh, Wc, Q = rng.normal(size=(T, B, H)), rng.normal(size=(B, H)), rng.normal(size=(T, B, 3 * S))

    def run():
        return cell.forward(x, h0, c0, gates=gates, noise=noise)

    def loss():
        tr = run()
        return float(np.sum(Wh * tr.h) + np.sum(Wc * tr.c[-1]) + np.sum(Q * tr.sigmoid_gates))

    tr = run()
    if gates is not None:  # the overrides were actually applied (otherwise this case tests nothing new)
        assert tr.free is not None and 0 < tr.free.sum() < tr.free.size
    s = tr.sigmoid_gates
    grads = cell.backward(tr, Wh, dc_last=Wc, dpre=Q * s * (1.0 - s))
    for name in cell.params:
        check(f"{case} {name}", grads[name], numerical_gradient(loss, cell.params[name], EPS))
    check(f"{case} h0", grads["h0"], numerical_gradient(loss, h0, EPS))
    check(f"{case} c0", grads["c0"], numerical_gradient(loss, c0, EPS))
    if c["ids"]:
        assert grads["x"] is None
    else:
        check(f"{case} x", grads["x"], numerical_gradient(loss, x, EPS))


@pytest.mark.parametrize("kind", ["gru", "rnn"])
@pytest.mark.parametrize("ids", [False, True, "large-vocab"], ids=["dense", "token-ids", "large-vocab-ids"])
def test_gru_rnn_gradcheck(float64, helpers, kind, ids):
    T, B, I, H = 5, 2, (100 if ids == "large-vocab" else 3), 4
    rng = np.random.default_rng([3, bool(ids), kind == "gru"])
    cell = (GRU if kind == "gru" else RNN)(I, H, dtype=float64)
    helpers.randomize(cell, rng, scale=0.5)
    x = rng.integers(0, I, (T, B)) if ids else rng.normal(size=(T, B, I))
    h0 = rng.normal(scale=0.5, size=(B, H))
    Wh = rng.normal(size=(T, B, H))

    def loss():
        return float(np.sum(Wh * cell.forward(x, h0).h))

    grads = cell.backward(cell.forward(x, h0), Wh)
    for name in cell.params:
        check(f"{kind} {name}", grads[name], numerical_gradient(loss, cell.params[name], EPS))
    check(f"{kind} h0", grads["h0"], numerical_gradient(loss, h0, EPS))
    if ids:
        assert grads["x"] is None
    else:
        check(f"{kind} x", grads["x"], numerical_gradient(loss, x, EPS))


GRU_CASES = {
    "standard-overrides": dict(H=4, slots=None, gates="batch", ids=False, noise=False),
    "slots2-overrides": dict(H=6, slots=2, gates="batch", ids=False, noise=False),
    "slots3-overrides-(T,S)": dict(H=6, slots=3, gates="time", ids=False, noise=False),
    "slots2-token-ids-overrides": dict(H=6, slots=2, gates="batch", ids=True, noise=False),
    "slots1": dict(H=4, slots=1, gates=None, ids=False, noise=False),
    "slots2-fixed-noise": dict(H=6, slots=2, gates="batch", ids=False, noise=True),
    "slots2-large-vocab-ids": dict(H=4, slots=2, gates="batch", ids=True, noise=False, I=100),
}


def gru_override_values(rng, T, B, S, per_batch):
    """z and r overrides with some entries NaN (network decides) and some set, including exact 0 and 1."""
    shape = (T, B, S) if per_batch else (T, S)
    out = {}
    for n in ("z", "r"):
        v = rng.uniform(0, 1, shape)
        v[rng.random(shape) < 0.5] = np.nan
        out[n] = v
    out["z"].reshape(-1)[0] = 1.0
    out["r"].reshape(-1)[1] = 0.0
    return out


@pytest.mark.parametrize("case", list(GRU_CASES))
def test_gru_gated_gradcheck(float64, helpers, case):
    """Slot-gated and overridden GRU paths; the loss also reads the gates as used (the dpre path)."""
    c = GRU_CASES[case]
    T, B, I, H = 5, 2, c.get("I", 3), c["H"]
    rng = np.random.default_rng([11, list(GRU_CASES).index(case)])
    cell = GRU(I, H, slots=c["slots"], dtype=float64)
    helpers.randomize(cell, rng, scale=0.5)
    S = cell.slots
    x = rng.integers(0, I, (T, B)) if c["ids"] else rng.normal(size=(T, B, I))
    h0 = rng.normal(scale=0.5, size=(B, H))
    gates = None if c["gates"] is None else gru_override_values(rng, T, B, S, c["gates"] == "batch")
    noise = rng.normal(size=(T, B, 2 * S)) if c["noise"] else None
    Wh, Q = rng.normal(size=(T, B, H)), rng.normal(size=(T, B, 2 * S))

    def run():
        return cell.forward(x, h0, gates=gates, noise=noise)

    def loss():
        tr = run()
        return float(np.sum(Wh * tr.h) + np.sum(Q * tr.sigmoid_gates))

    tr = run()
    if gates is not None:
        assert tr.free is not None and 0 < tr.free.sum() < tr.free.size
    s = tr.sigmoid_gates
    grads = cell.backward(tr, Wh, dpre=Q * s * (1.0 - s))
    for name in cell.params:
        check(f"gru {case} {name}", grads[name], numerical_gradient(loss, cell.params[name], EPS))
    check(f"gru {case} h0", grads["h0"], numerical_gradient(loss, h0, EPS))
    if c["ids"]:
        assert grads["x"] is None
    else:
        check(f"gru {case} x", grads["x"], numerical_gradient(loss, x, EPS))


@pytest.mark.parametrize("slots", [None, 2], ids=["standard", "slots2"])
def test_gru_model_objective_gradcheck(float64, helpers, slots):
    """The GRU objective with every term: own run, forced run under an intended [z | r] gating,
    crisp penalty and gate supervision."""
    T, B, V, H, O = 6, 3, 4, 6, 3
    rng = np.random.default_rng([12, slots or 0])
    model = Model.create("gru", V, H, O, slots=slots, dtype="float64", seed=1)
    helpers.randomize(model.cell, rng, scale=0.8)
    S = model.cell.slots
    batch = gated_batch(rng, T, B, V, O, S)
    batch.intended, batch.supervise = batch.intended[..., :2 * S], batch.supervise[..., :2 * S]
    kw = dict(forced_weight=0.7, crisp=0.3, supervision_weight=0.5)

    def loss():
        return model.objective(batch, grads=False, **kw).loss

    obj = model.objective(batch, **kw)
    assert set(obj.parts) == {"own", "forced", "crisp", "supervision"}
    assert all(v > 0 for v in obj.parts.values())
    for name, p in model.params().items():
        check(f"gru objective {name}", obj.grads[name], numerical_gradient(loss, p, EPS))


# -- the model-level objective ----------------------------------------------------------------------

def gated_batch(rng, T, B, V, O, S, intended=True, supervise=True):
    """A token batch with several scored steps, an intended gating (some NaN) and supervision targets
    (0/1 where supervised, NaN elsewhere)."""
    x = rng.integers(0, V, (T, B))
    targets = rng.integers(0, O, (T, B))
    mask = rng.random((T, B)) < 0.5
    mask[-1] = True
    it = None
    if intended:
        it = rng.uniform(0.0, 1.0, (T, B, 3 * S))
        it[rng.random(it.shape) < 0.4] = np.nan
        it[0, 0, 0], it[1, 0, S] = 0.0, 1.0
    sup = None
    if supervise:
        sup = rng.integers(0, 2, (T, B, 3 * S)).astype(float)
        sup[rng.random(sup.shape) < 0.5] = np.nan
    return Batch(x, targets, mask, intended=it, supervise=sup)


MODEL_CASES = {
    "slots2-forced-crisp-supervision": dict(slots=2, forced=0.7, crisp=0.3, sup=0.5),
    "slots3-crisp-only": dict(slots=3, forced=1.0, crisp=0.5, sup=0.0),
    "slots2-supervision-only": dict(slots=2, forced=0.0, crisp=0.0, sup=0.8),
    "standard-all-terms": dict(slots=None, forced=1.0, crisp=0.2, sup=0.4),
    # every step scored (sequence labelling): the objective may take a different path for this
    "slots2-every-step-scored": dict(slots=2, forced=0.7, crisp=0.3, sup=0.5, every_step=True),
    "slots2-large-vocab": dict(slots=2, forced=0.7, crisp=0.3, sup=0.5, V=100),
    # a mixed-memory run (uniform target) on some sequences, supervision with per-entry emphasis
    "slots2-mixed-emphasis": dict(slots=2, forced=0.7, crisp=0.3, sup=0.5, mixed=0.6),
    "slots2-mixed-every-step": dict(slots=2, forced=0.7, crisp=0.0, sup=0.5, mixed=1.3, every_step=True),
}


@pytest.mark.parametrize("case", list(MODEL_CASES))
def test_model_objective_gradcheck(float64, helpers, case):
    c = MODEL_CASES[case]
    T, B, V, H, O = 6, 3, c.get("V", 4), 6, 3
    rng = np.random.default_rng(100 + list(MODEL_CASES).index(case))
    model = Model.create("lstm", V, H, O, slots=c["slots"], dtype="float64", seed=1)
    helpers.randomize(model.cell, rng, scale=0.8)
    S = model.cell.slots
    batch = gated_batch(rng, T, B, V, O, S)
    if c.get("every_step"):
        batch.mask[...] = True
    if c.get("mixed"):
        batch.mixed = rng.uniform(0.0, 1.0, (T, B, 3 * S))
        batch.mixed[:, 1] = np.nan                      # sequence 1 has no mixture: skipped
        batch.emphasis = rng.uniform(0.5, 10.0, (T, B, 3 * S))
    kw = dict(forced_weight=c["forced"], crisp=c["crisp"], supervision_weight=c["sup"],
              mixed_weight=c.get("mixed", 0.0))

    def loss():
        return model.objective(batch, grads=False, **kw).loss

    obj = model.objective(batch, **kw)
    # every requested term is present and contributes
    expected_parts = {"own"} | ({"forced"} if c["forced"] else set()) | (
        {"crisp"} if c["crisp"] else set()) | ({"supervision"} if c["sup"] else set()) | (
        {"mixed"} if c.get("mixed") else set())
    assert set(obj.parts) == expected_parts
    assert all(v > 0 for v in obj.parts.values())
    weights = {"own": 1.0, "forced": c["forced"], "crisp": 1.0, "supervision": 1.0,
               "mixed": c.get("mixed", 0.0)}
    assert obj.loss == pytest.approx(sum(weights[k] * v for k, v in obj.parts.items()), rel=1e-12)
    assert set(obj.grads) == set(model.params())
    for name, p in model.params().items():
        check(f"{case} {name}", obj.grads[name], numerical_gradient(loss, p, EPS))


def test_model_objective_gate_terms_change_the_gradient(float64, helpers, rng):
    """The crisp and supervision terms reach the recurrent weights (guards a silently dropped dpre)."""
    model = Model.create("lstm", 4, 6, 3, slots=2, dtype="float64")
    helpers.randomize(model.cell, rng)
    batch = gated_batch(rng, 6, 3, 4, 3, 2)
    base = model.objective(batch).grads["cell.weight_hh_l0"]
    for kw in (dict(crisp=0.5), dict(supervision_weight=0.5)):
        g = model.objective(batch, **kw).grads["cell.weight_hh_l0"]
        assert np.abs(g - base).max() > 1e-6, kw


@pytest.mark.parametrize("kind", ["gru", "rnn", "lstm"])
def test_model_regression_objective_gradcheck(float64, helpers, kind):
    rng = np.random.default_rng(7)
    task = AddingTask(lengths=(6,))
    model = Model.create(kind, 2, 4, 1, dtype="float64", kind="regress", tolerance=task.tolerance)
    helpers.randomize(model.cell, rng, scale=0.5)
    batch = task.sample(rng, 3, 6)

    def loss():
        return model.objective(batch, grads=False).loss

    obj = model.objective(batch)
    for name, p in model.params().items():
        check(f"{kind} regress {name}", obj.grads[name], numerical_gradient(loss, p, EPS))


@pytest.mark.parametrize("kind", ["gru", "rnn"])
def test_model_classify_objective_gradcheck_gru_rnn(float64, helpers, kind):
    rng = np.random.default_rng(8)
    model = Model.create(kind, 4, 5, 3, dtype="float64")
    helpers.randomize(model.cell, rng, scale=0.5)
    batch = gated_batch(rng, 6, 3, 4, 3, 1, intended=False, supervise=False)

    def loss():
        return model.objective(batch, grads=False).loss

    obj = model.objective(batch)
    assert obj.forced_accuracy is None
    for name, p in model.params().items():
        check(f"{kind} classify {name}", obj.grads[name], numerical_gradient(loss, p, EPS))


# -- the objective's value against a from-scratch reference -------------------------------------------

def reference_objective(model, batch, forced_weight, crisp, supervision_weight):
    """The documented objective, recomputed from cell.forward and the readout by hand:
    own CE + forced_weight * CE under the intended gating + crisp * sum g(1-g) over every gate the
    network chose (both runs) + supervision BCE on the own run; each a sum per sequence / batch."""
    B = batch.x.shape[1]
    W, b = model.readout["weight"], model.readout["bias"]
    mask, targets = batch.mask, batch.targets

    def ce(h):
        logits = h @ W.T + b
        logp = logits - logits.max(-1, keepdims=True)
        logp = logp - np.log(np.exp(logp).sum(-1, keepdims=True))
        t, j = np.nonzero(mask)
        picked = logp[t, j, targets[t, j]]
        acc = float(np.mean(logits[t, j].argmax(-1) == targets[t, j]))
        return -picked.sum() / B, acc

    own_tr = model.cell.forward(batch.x)
    parts = {}
    parts["own"], acc = ce(own_tr.h)
    total = parts["own"]
    forced_acc = None
    gate_terms = [(own_tr.sigmoid_gates, np.ones_like(own_tr.sigmoid_gates))]
    if batch.intended is not None and forced_weight > 0:
        S = model.cell.slots
        gates = {n: batch.intended[..., k * S:(k + 1) * S] for k, n in enumerate("ifo")}
        f_tr = model.cell.forward(batch.x, gates=gates)
        parts["forced"], forced_acc = ce(f_tr.h)
        total += forced_weight * parts["forced"]
        gate_terms.append((f_tr.sigmoid_gates, np.isnan(batch.intended).astype(float)))
    if crisp > 0:
        parts["crisp"] = crisp * sum(float((g * (1 - g) * free).sum()) for g, free in gate_terms) / B
        total += parts["crisp"]
    if supervision_weight > 0 and batch.supervise is not None:
        g, y = own_tr.sigmoid_gates, batch.supervise
        m = ~np.isnan(y)
        bce = -(y[m] * np.log(g[m]) + (1 - y[m]) * np.log(1 - g[m]))
        parts["supervision"] = supervision_weight * bce.sum() / B
        total += parts["supervision"]
    return total, parts, acc, forced_acc


@pytest.mark.parametrize("every_step", [False, True], ids=["some-steps", "every-step"])
@pytest.mark.parametrize("terms", [dict(forced_weight=0.7, crisp=0.3, supervision_weight=0.5),
                                   dict(forced_weight=0.0, crisp=0.0, supervision_weight=0.0),
                                   dict(forced_weight=1.0, crisp=0.0, supervision_weight=0.0)],
                         ids=["all-terms", "own-only", "forced"])
def test_objective_value_matches_reference(float64, helpers, every_step, terms):
    rng = np.random.default_rng(31 + every_step)
    model = Model.create("lstm", 4, 6, 3, slots=2, dtype="float64", seed=1)
    helpers.randomize(model.cell, rng, scale=0.8)
    batch = gated_batch(rng, 7, 4, 4, 3, 2)
    if every_step:
        batch.mask[...] = True
    obj = model.objective(batch, **terms)
    total, parts, acc, forced_acc = reference_objective(model, batch, **terms)
    assert set(obj.parts) == set(parts)
    for k in parts:
        assert obj.parts[k] == pytest.approx(parts[k], rel=1e-12), k
    assert obj.loss == pytest.approx(total, rel=1e-12)
    assert obj.accuracy == pytest.approx(acc, abs=1e-15)
    if forced_acc is None:
        assert obj.forced_accuracy is None
    else:
        assert obj.forced_accuracy == pytest.approx(forced_acc, abs=1e-15)
    # grads=False gives the same numbers
    quick = model.objective(batch, grads=False, **terms)
    assert quick.loss == obj.loss and quick.grads is None


@pytest.mark.parametrize("every_step", [False, True], ids=["last-step", "every-step"])
def test_regression_objective_value_matches_reference(float64, helpers, every_step):
    rng = np.random.default_rng(3)
    task = AddingTask(lengths=(6,))
    model = Model.create("lstm", 2, 5, 1, dtype="float64", kind="regress", tolerance=0.3)
    helpers.randomize(model.cell, rng, scale=0.5)
    batch = task.sample(rng, 4, 6)
    if every_step:
        batch.mask[...] = True
        batch.targets[...] = rng.uniform(0, 2, batch.targets.shape)
    obj = model.objective(batch)
    pred = model.outputs(model.cell.forward(batch.x).h)
    diff = (pred - batch.targets)[batch.mask]
    assert obj.loss == pytest.approx(float((diff ** 2).sum()) / 4, rel=1e-12)
    assert obj.accuracy == pytest.approx(float(np.mean(np.all(np.abs(diff) < 0.3, axis=-1))), abs=1e-15)
