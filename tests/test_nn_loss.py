"""Loss modules and functions: errors on bad input, module defaults and repr, numerical
stability, and the perceptron criterion against a NumPy reference. (Outputs and gradients
against PyTorch and central differences are in tests/cases/loss.py.)"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import shendu
import shendu.nn as nn
import shendu.nn.functional as F

LOGITS = shendu.randn(4, 3)
LABELS = shendu.tensor([0, 2, 1, 2])
PROBS = shendu.full((4, 3), 0.5)
W3 = shendu.ones(3)

BAD_INPUT = [
    # class indices
    (lambda: F.cross_entropy(LOGITS, shendu.tensor([0, 3, 1, 2])), ValueError,
     r"cross_entropy: target holds class index 3, outside \[0, 3\) for an input with 3 classes"),
    (lambda: F.cross_entropy(LOGITS, shendu.tensor([0, -1, 1, 2])), ValueError,
     r"cross_entropy: target holds class index -1, outside \[0, 3\)"),
    (lambda: F.nll_loss(LOGITS, shendu.tensor([7, 0, 1, 2])), ValueError,
     r"nll_loss: target holds class index 7, outside \[0, 3\)"),
    (lambda: F.multi_margin_loss(LOGITS, shendu.tensor([0, 1, 9, 2])), ValueError,
     r"multi_margin_loss: target holds class index 9"),
    (lambda: F.cross_entropy(LOGITS, shendu.tensor([0, 1, 2])), ValueError,
     r"cross_entropy: for an input of shape \(4, 3\) the class indices must have shape "
     r"\(4,\), got target shape \(3,\)"),
    (lambda: F.cross_entropy(shendu.randn(2, 3, 5), shendu.tensor([0, 1])), ValueError,
     r"cross_entropy: .* must have shape \(2, 5\), got target shape \(2,\)"),
    (lambda: F.nll_loss(LOGITS, LABELS.reshape(4, 1)), ValueError,
     r"nll_loss: .* shape \(4,\), got target shape \(4, 1\)"),
    (lambda: F.cross_entropy(LOGITS, shendu.rand(4)), ValueError,
     r"cross_entropy: a float target holds class probabilities and must have the input's "
     r"shape \(4, 3\), got \(4,\); class indices must be an integer tensor"),
    (lambda: F.nll_loss(LOGITS, shendu.rand(4)), ValueError,
     r"nll_loss: class-index targets must be an integer tensor, got dtype float32"),
    (lambda: F.cross_entropy(LOGITS, PROBS, ignore_index=1), ValueError,
     r"cross_entropy: ignore_index=1 is not supported with class probabilities"),
    (lambda: F.cross_entropy(LOGITS, LABELS, shendu.ones(4)), ValueError,
     r"cross_entropy: weight must have shape \(3,\) \(one value per class\), got shape \(4,\)"),
    (lambda: F.cross_entropy(LOGITS, LABELS, label_smoothing=1.5), ValueError,
     r"cross_entropy: label_smoothing must be in \[0, 1\], got 1.5"),
    (lambda: F.cross_entropy(shendu.tensor(1.0), shendu.tensor(0)), ValueError,
     r"cross_entropy: expected an input of shape \(C,\) or \(N, C, d1, ...\)"),
    (lambda: F.cross_entropy(LOGITS, LABELS, shendu.ones(3, requires_grad=True)), ValueError,
     r"cross_entropy: weight is a constant and gets no gradient"),
    (lambda: F.cross_entropy(shendu.tensor([[1, 2]]), shendu.tensor([0])), TypeError,
     r"cross_entropy: expected a floating-point input, got dtype int64"),
    # reduction
    (lambda: F.cross_entropy(LOGITS, LABELS, reduction="avg"), ValueError,
     r"cross_entropy: reduction must be one of 'mean', 'sum', 'none', got 'avg'"),
    (lambda: F.mse_loss(LOGITS, LOGITS, reduction="batchmean"), ValueError,
     r"mse_loss: reduction must be one of 'mean', 'sum', 'none', got 'batchmean'"),
    (lambda: F.kl_div(LOGITS, PROBS, reduction="max"), ValueError,
     r"kl_div: reduction must be one of 'mean', 'sum', 'none', 'batchmean', got 'max'"),
    (lambda: F.l1_loss(LOGITS, LOGITS, reduction=None), ValueError,
     r"l1_loss: reduction must be one of"),
    # binary cross-entropy
    (lambda: F.binary_cross_entropy(LOGITS.sigmoid() * 2 - 0.5, PROBS), ValueError,
     r"binary_cross_entropy: input must hold probabilities in \[0, 1\], got values from "
     r".* \(apply sigmoid first, or use binary_cross_entropy_with_logits"),
    (lambda: F.binary_cross_entropy(PROBS, shendu.full((4,), 0.5)), ValueError,
     r"binary_cross_entropy: target shape \(4,\) differs from input shape \(4, 3\)"),
    (lambda: F.binary_cross_entropy(PROBS, PROBS, shendu.ones(4)), ValueError,
     r"binary_cross_entropy: weight of shape \(4,\) does not broadcast to the input's shape"),
    (lambda: F.binary_cross_entropy_with_logits(LOGITS, PROBS[:, :1]), ValueError,
     r"binary_cross_entropy_with_logits: target shape \(4, 1\) differs from input shape"),
    (lambda: F.binary_cross_entropy_with_logits(LOGITS, PROBS, pos_weight=shendu.ones(2)),
     ValueError, r"binary_cross_entropy_with_logits: pos_weight of shape \(2,\) does not"),
    # pointwise shapes: shendu raises where PyTorch broadcasts
    (lambda: F.mse_loss(shendu.randn(5, 1), shendu.randn(5)), ValueError,
     r"mse_loss: target shape \(5,\) differs from input shape \(5, 1\); shendu does not "
     r"broadcast .* target.view_as\(input\)"),
    (lambda: F.l1_loss(LOGITS, LOGITS[0]), ValueError, r"l1_loss: target shape \(3,\) differs"),
    (lambda: F.smooth_l1_loss(LOGITS, LOGITS.T), ValueError, r"smooth_l1_loss: target shape"),
    (lambda: F.huber_loss(LOGITS, LOGITS[:2]), ValueError, r"huber_loss: target shape"),
    (lambda: F.kl_div(LOGITS, PROBS[0]), ValueError, r"kl_div: target shape \(3,\)"),
    (lambda: F.hinge_embedding_loss(LOGITS, shendu.ones(3)), ValueError,
     r"hinge_embedding_loss: target shape"),
    (lambda: F.margin_ranking_loss(LOGITS[0], LOGITS[1], shendu.ones(4)), ValueError,
     r"margin_ranking_loss: target shape \(4,\) differs from input1 shape \(3,\)"),
    (lambda: F.margin_ranking_loss(LOGITS[0], LOGITS[1], shendu.tensor([1.0, 0.0, 1.0])),
     ValueError, r"margin_ranking_loss: labels must be 1 or -1, got 0.0"),
    (lambda: F.hinge_embedding_loss(LOGITS, PROBS), ValueError,
     r"hinge_embedding_loss: labels must be 1 or -1, got 0.5"),
    (lambda: F.cosine_embedding_loss(LOGITS, LOGITS, shendu.tensor([1, 0, 1, 1])), ValueError,
     r"cosine_embedding_loss: labels must be 1 or -1, got 0"),
    (lambda: F.cross_entropy(shendu.randn(2, 0), shendu.tensor([0, 0])), ValueError,
     r"cross_entropy: the input \(2, 0\) has no classes"),
    (lambda: F.cosine_embedding_loss(LOGITS, LOGITS, shendu.ones(3)), ValueError,
     r"cosine_embedding_loss: for inputs of shape \(4, 3\) the target must have shape \(4,\)"),
    (lambda: F.triplet_margin_loss(LOGITS, LOGITS, LOGITS[0]), ValueError,
     r"triplet_margin_loss: negative shape \(3,\) differs from anchor shape \(4, 3\)"),
    (lambda: F.perceptron_loss(shendu.randn(4), shendu.tensor([1, 0, -1, 1])), ValueError,
     r"perceptron_loss: labels must be 1 or -1, got 0"),
    (lambda: F.perceptron_loss(shendu.randn(4), shendu.tensor([1, -1])), ValueError,
     r"perceptron_loss: y shape \(2,\) differs from scores shape \(4,\)"),
    # settings
    (lambda: F.smooth_l1_loss(LOGITS, LOGITS, beta=-1.0), ValueError,
     r"smooth_l1_loss: beta must be >= 0"),
    (lambda: F.huber_loss(LOGITS, LOGITS, delta=0.0), ValueError, r"huber_loss: delta must be > 0"),
    (lambda: F.multi_margin_loss(LOGITS, LABELS, p=3), ValueError,
     r"multi_margin_loss: p must be 1 or 2, got 3"),
    (lambda: nn.MSELoss(reduction="avg"), ValueError,
     r"MSELoss: reduction must be one of 'mean', 'sum', 'none', got 'avg'"),
    (lambda: nn.KLDivLoss(reduction="batch"), ValueError, r"KLDivLoss: reduction must be one of"),
    (lambda: nn.MultiMarginLoss(p=3), ValueError, r"MultiMarginLoss: p must be 1 or 2"),
    (lambda: nn.TripletMarginLoss(margin=0.0), ValueError, r"TripletMarginLoss: margin must be"),
]


@pytest.mark.parametrize("call, error, pattern", BAD_INPUT, ids=[p[2][:40] for p in BAD_INPUT])
def test_bad_input_names_loss_expected_and_given(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Linear(4, 3)
        self.criterion = nn.CrossEntropyLoss()

    def forward(self, x, y):
        return self.criterion(self.net(x), y)


def test_module_error_names_its_path_in_the_model():
    with pytest.raises(nn.ModuleInputError, match=r"^criterion \(CrossEntropyLoss\): target "
                       r"holds class index 3, outside \[0, 3\)"):
        Classifier()(shendu.randn(2, 4), shendu.tensor([0, 3]))
    with pytest.raises(nn.ModuleInputError, match=r"^MSELoss: target shape \(2,\) differs"):
        nn.MSELoss()(shendu.randn(2, 1), shendu.randn(2))
    with pytest.raises(nn.ModuleInputError, match=r"^BCELoss: input must hold probabilities"):
        nn.BCELoss()(shendu.tensor([1.5]), shendu.tensor([1.0]))


# ---------------------------------------------------------------------------- modules
MODULES = [
    ("MSELoss", {}), ("L1Loss", {}), ("SmoothL1Loss", {}), ("HuberLoss", {}), ("BCELoss", {}),
    ("BCEWithLogitsLoss", {}), ("CrossEntropyLoss", {}), ("NLLLoss", {}), ("KLDivLoss", {}),
    ("HingeEmbeddingLoss", {}), ("MultiMarginLoss", {}), ("TripletMarginLoss", {}),
    ("CosineEmbeddingLoss", {}), ("MarginRankingLoss", {}),
    ("CrossEntropyLoss", {"ignore_index": 1, "label_smoothing": 0.1, "reduction": "sum"}),
    ("SmoothL1Loss", {"beta": 0.5}), ("HuberLoss", {"delta": 2.0}),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True}),
    ("TripletMarginLoss", {"margin": 2.0, "p": 1.0, "eps": 1e-3, "swap": True}),
]
SETTINGS = ("reduction", "ignore_index", "label_smoothing", "beta", "delta", "log_target",
            "margin", "p", "eps", "swap")


@pytest.mark.parametrize("name, kwargs", MODULES, ids=[f"{n}{k}" for n, k in MODULES])
def test_module_defaults_and_repr_match_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(ours) == repr(theirs)
    for setting in SETTINGS:
        assert getattr(ours, setting, None) == getattr(theirs, setting, None), setting
    assert getattr(ours, "weight", None) is None


def test_perceptron_module_defaults():
    loss = nn.PerceptronLoss()
    assert loss.reduction == "sum" and repr(loss) == "PerceptronLoss()"


def test_weights_are_buffers_in_the_state_dict():
    w = shendu.tensor([1.0, 2.0, 3.0])
    loss = nn.CrossEntropyLoss(weight=w)
    assert list(loss.state_dict()) == ["weight"]
    assert list(nn.BCEWithLogitsLoss(pos_weight=w).state_dict()) == ["pos_weight"]
    assert list(loss.parameters()) == []
    np.testing.assert_array_equal(loss.weight.numpy(), w.numpy())


def _pair(torch, rng, shape, low=-2.0, high=2.0):
    a = rng.uniform(low, high, size=shape)
    return shendu.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def test_modules_match_torch_modules():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w = rng.uniform(0.5, 2.0, size=5)
    t = rng.integers(0, 5, size=4)
    sig = np.where(rng.random(4) < 0.5, -1.0, 1.0)
    y = rng.uniform(0, 1, size=(4, 5))
    calls = [
        ("CrossEntropyLoss", dict(weight=w, label_smoothing=0.1), lambda x: (x, t)),
        ("NLLLoss", dict(weight=w, ignore_index=2), lambda x: (x, t)),
        ("MultiMarginLoss", dict(p=2, margin=0.5, weight=w), lambda x: (x, t)),
        ("BCEWithLogitsLoss", dict(weight=w, pos_weight=w[::-1].copy()), lambda x: (x, y)),
        ("BCELoss", dict(weight=w, reduction="sum"), lambda x: (x.sigmoid(), y)),
        ("MSELoss", dict(reduction="none"), lambda x: (x, y)),
        ("L1Loss", {}, lambda x: (x, y)),
        ("SmoothL1Loss", dict(beta=0.5), lambda x: (x, y)),
        ("HuberLoss", dict(delta=0.5), lambda x: (x, y)),
        ("KLDivLoss", dict(reduction="batchmean"), lambda x: (x, y)),
        ("HingeEmbeddingLoss", dict(margin=0.5), lambda x: (x[:, 0], sig)),
        ("CosineEmbeddingLoss", dict(margin=0.1), lambda x: (x, x.flip(0), sig)),
        ("MarginRankingLoss", dict(margin=0.2), lambda x: (x[:, 0], x[:, 1], sig)),
        ("TripletMarginLoss", dict(swap=True), lambda x: (x, x.flip(0), x.flip(1))),
    ]
    for name, kwargs, make in calls:
        grads = []
        for lib, x in zip((shendu, torch), _pair(torch, rng, (4, 5))):
            settings = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v
                        for k, v in kwargs.items()}
            args = [a if isinstance(a, lib.Tensor) else lib.tensor(a) for a in make(x)]
            out = getattr(lib.nn, name)(**settings)(*args)
            out.sum().backward()
            grads.append((out.detach().numpy(), x.grad.numpy()))
        for ours, theirs in zip(*grads):
            np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12, err_msg=name)


# ---------------------------------------------------------------------------- semantics
def test_default_ignore_index_is_minus_100_as_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).normal(size=(5, 4))
    t = np.array([0, -100, 3, -100, 1])
    w = np.array([1.0, 2.0, 3.0, 4.0])
    for kwargs in ({}, {"label_smoothing": 0.2}):
        ours, theirs = [], []
        for lib, out in ((shendu, ours), (torch, theirs)):
            xt = lib.tensor(x, requires_grad=True)
            loss = lib.nn.functional.cross_entropy(xt, lib.tensor(t), lib.tensor(w), **kwargs)
            loss.backward()
            out += [loss.detach().numpy(), xt.grad.numpy()]
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12)
        assert not ours[1][[1, 3]].any()  # ignored samples get no gradient


def test_every_target_ignored_gives_nan_mean_and_zero_gradient():
    x = shendu.randn(3, 4, requires_grad=True)
    for f in (F.cross_entropy, F.nll_loss):
        x.grad = None
        loss = f(x, shendu.tensor([-100, -100, -100]))
        loss.backward()
        assert np.isnan(loss.item())
        assert not x.grad.numpy().any()


@pytest.mark.parametrize("dtype", [shendu.float32, shendu.float64])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_is_stable_for_huge_logits(dtype, smoothing):
    x = shendu.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 3e4], [5e3, 5e3, -5e3]], dtype=dtype,
                      requires_grad=True)
    y = shendu.tensor([0, 1, 2])
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        loss = F.cross_entropy(x, y, label_smoothing=smoothing)
        loss.backward()
    assert loss.dtype == dtype and x.grad.dtype == dtype
    assert np.isfinite(loss.item()) and np.isfinite(x.grad.numpy()).all()
    torch = pytest.importorskip("torch")
    xt = torch.tensor(x.detach().numpy(), requires_grad=True)
    expected = torch.nn.functional.cross_entropy(xt, torch.tensor([0, 1, 2]),
                                                 label_smoothing=smoothing)
    expected.backward()
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), atol=1e-7)


def test_bce_with_logits_is_stable_for_huge_logits():
    x = shendu.tensor([-1e4, -50.0, 0.0, 50.0, 1e4], requires_grad=True)
    y = shendu.tensor([1.0, 0.0, 1.0, 1.0, 0.0])
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        loss = F.binary_cross_entropy_with_logits(x, y, reduction="none",
                                                  pos_weight=shendu.tensor(2.0))
        loss.sum().backward()
    expected = [2e4, 0.0, 2 * np.log(2.0), 0.0, 1e4]
    np.testing.assert_allclose(loss.detach().numpy(), expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), [-2.0, 0.0, -1.0, 0.0, 1.0], atol=1e-6)


def test_bce_clamps_the_log_at_minus_100():
    p = shendu.tensor([0.0, 1.0, 1.0], requires_grad=True)
    loss = F.binary_cross_entropy(p, shendu.tensor([1.0, 0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [100.0, 100.0, 0.0])
    loss.sum().backward()
    assert np.isfinite(p.grad.numpy()).all()


@pytest.mark.parametrize("dtype", [shendu.float32, shendu.float64])
def test_losses_keep_the_input_dtype(dtype):
    x = shendu.randn(4, 3, dtype=dtype)
    y = shendu.rand(4, 3, dtype=dtype)
    assert F.cross_entropy(x, LABELS).dtype == dtype
    assert F.cross_entropy(x, y, W3).dtype == dtype
    assert F.mse_loss(x, y).dtype == dtype
    assert F.binary_cross_entropy_with_logits(x, y, W3, pos_weight=W3).dtype == dtype
    assert F.nll_loss(x, LABELS, W3).dtype == dtype
    assert F.mse_loss(x, y.double()).dtype == dtype  # the target follows the input


def test_shapes_of_unreduced_and_unbatched_losses():
    assert F.cross_entropy(shendu.randn(2, 3, 4, 5), shendu.zeros(2, 4, 5, dtype=shendu.int64),
                           reduction="none").shape == (2, 4, 5)
    assert F.cross_entropy(shendu.randn(3), shendu.tensor(1), reduction="none").shape == ()
    assert F.cross_entropy(shendu.randn(3), shendu.rand(3), reduction="none").shape == ()
    assert F.nll_loss(shendu.randn(3), shendu.tensor(1)).shape == ()
    assert F.multi_margin_loss(shendu.randn(3), shendu.tensor(1), reduction="none").shape == ()
    assert F.kl_div(shendu.randn(2, 3), shendu.rand(2, 3), reduction="none").shape == (2, 3)
    assert np.isnan(F.mse_loss(shendu.zeros(0), shendu.zeros(0)).item())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_empty_batch_as_torch(reduction):
    torch = pytest.importorskip("torch")
    for probs in (False, True):
        results = []
        for lib in (shendu, torch):
            x = lib.zeros(0, 5, 3, requires_grad=True)
            t = lib.zeros(0, 5, 3) if probs else lib.zeros(0, 3, dtype=lib.int64)
            loss = lib.nn.functional.cross_entropy(x, t, reduction=reduction)
            loss.sum().backward()
            results.append((loss.detach().numpy(), x.grad.numpy()))
        for ours, theirs in zip(*results):
            np.testing.assert_array_equal(ours, theirs)


def test_cross_entropy_equals_nll_of_log_softmax():
    x = shendu.randn(6, 5, dtype=shendu.float64)
    t = shendu.tensor([0, 1, 2, 3, 4, 0])
    w = shendu.rand(5, dtype=shendu.float64) + 0.5
    log_probs = x - x.logsumexp(dim=1, keepdim=True)
    for reduction in ("mean", "sum", "none"):
        np.testing.assert_allclose(F.cross_entropy(x, t, w, reduction=reduction).numpy(),
                                   F.nll_loss(log_probs, t, w, reduction=reduction).numpy(),
                                   rtol=1e-12)


# ---------------------------------------------------------------------------- perceptron
def _perceptron_reference(s: np.ndarray, y: np.ndarray) -> tuple:
    """The criterion and its gradient written with a loop over samples."""
    loss, grad = 0.0, np.zeros_like(s)
    for i in range(len(s)):
        if y[i] * s[i] <= 0:  # misclassified (or on the boundary)
            loss += -y[i] * s[i]
            grad[i] = -y[i]
    return loss, grad


@pytest.mark.parametrize("seed", range(5))
def test_perceptron_loss_matches_numpy_reference(seed):
    rng = np.random.default_rng(seed)
    s = rng.normal(size=20)
    s[:3] = 0.0  # on the boundary: counts as a mistake, with the perceptron rule's gradient
    y = np.where(rng.random(20) < 0.5, -1, 1)
    scores = shendu.tensor(s, requires_grad=True)
    loss = F.perceptron_loss(scores, shendu.tensor(y))
    loss.backward()
    expected_loss, expected_grad = _perceptron_reference(s, y)
    np.testing.assert_allclose(loss.item(), expected_loss, rtol=1e-12)
    np.testing.assert_array_equal(scores.grad.numpy(), expected_grad)
    per_sample = F.perceptron_loss(scores, shendu.tensor(y), reduction="none").detach().numpy()
    np.testing.assert_allclose(per_sample, np.maximum(-y * s, 0), rtol=1e-12)
    np.testing.assert_allclose(nn.PerceptronLoss(reduction="mean")(scores, shendu.tensor(y))
                               .item(), expected_loss / 20, rtol=1e-12)


def test_perceptron_loss_trains_from_zero_weights():
    # linearly separable points; gradient descent with step 1 is Rosenblatt's rule
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.where(X @ np.array([2.0, -1.0]) + 0.5 > 0, 1.0, -1.0)
    w = shendu.zeros(2, dtype=shendu.float64, requires_grad=True)
    b = shendu.zeros((), dtype=shendu.float64, requires_grad=True)
    Xt, yt = shendu.tensor(X), shendu.tensor(y)
    for _ in range(100):
        loss = F.perceptron_loss(Xt @ w + b, yt)
        if loss.item() == 0 and np.all(y * (X @ w.detach().numpy() + b.item()) > 0):
            break
        w.grad = b.grad = None
        loss.backward()
        with shendu.no_grad():
            w -= w.grad
            b -= b.grad
    assert np.all(y * (X @ w.detach().numpy() + b.item()) > 0)
