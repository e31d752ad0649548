"""Cases for shendu/ops/loss.py: every loss at fixed shapes (each reduction, class weights,
ignore_index, label smoothing, probability targets, (N, C, T) inputs) and drawn by hypothesis
for gradcheck.

Class-index targets are int Args; +1/-1 labels are int Args in [0, 2) mapped by 2 t - 1 inside
the call. Weights are constants (grad=False), as in PyTorch. Draws keep values away from the
kinks of the hinge losses only by chance: uniform draws land within the finite-difference
step of a kink with probability about 1e-6 per element. That chance came up once, for the L1
loss (x - y = -6e-7 in a CI draw), so its drawn case builds the pair from a constant u as
x = u +- (0.1 + m) and y = u + w, |w| < 0.01: the inputs m and w are never near the kink.
"""

import warnings

import numpy as np
from hypothesis import strategies as st

from tests.opcases import Arg, Case
from tests.strategies import shapes

REDUCTIONS = ("mean", "sum", "none")


def _F(lib):
    return lib.nn.functional


def _call(name, **fixed):
    """``fn(lib, *tensors, **kwargs)`` calling the functional ``name`` with the tensors as
    positional arguments."""

    def fn(lib, *tensors, **kwargs):
        return getattr(_F(lib), name)(*tensors, **fixed, **kwargs)

    return fn


def _l1_apart(lib, u, m, w, **kwargs):
    """L1 loss of x = u + s (0.1 + m) against y = u + w, s = (+1, -1, +1, ...), m in [0, 1),
    |w| < 0.01: |x - y| > 0.09 however gradcheck perturbs m and w (u is a constant)."""
    signs = lib.tensor(np.resize([1.0, -1.0], tuple(m.shape)), dtype=m.dtype)
    return _F(lib).l1_loss(u + signs * (0.1 + m), u + w, **kwargs)


@st.composite
def _apart(draw):
    shape = draw(shapes(max_dims=3))
    args = [Arg(shape, grad=False), Arg(shape, 0.0, 1.0, noncontig=draw(st.booleans())),
            Arg(shape, -0.01, 0.01)]
    return args, {"reduction": draw(st.sampled_from(REDUCTIONS))}


def _signs(t):
    return 2 * t - 1  # an int Arg in [0, 2) as labels -1 / +1


# ---------------------------------------------------------------------------- strategies
@st.composite
def pointwise(draw, low=-2.0, high=2.0, low2=None, high2=None, extra=None):
    """Two inputs of one shape and a reduction (plus the kwargs drawn by ``extra``)."""
    shape = draw(shapes(max_dims=3))
    low2 = low if low2 is None else low2
    high2 = high if high2 is None else high2
    kwargs = {"reduction": draw(st.sampled_from(REDUCTIONS))}
    if extra is not None:
        kwargs.update(draw(extra))
    return [Arg(shape, low, high, noncontig=draw(st.booleans())), Arg(shape, low2, high2)], kwargs


@st.composite
def binary_weighted(draw, low, high, pos_weight=False):
    """Binary cross-entropy inputs: x, y in [0, 1], and maybe a weight (and pos_weight)
    broadcasting along the trailing dims."""
    shape = draw(shapes(max_dims=3))
    args = [Arg(shape, low, high, noncontig=draw(st.booleans())), Arg(shape, 0.0, 1.0)]
    kwargs = {"reduction": draw(st.sampled_from(REDUCTIONS))}
    if draw(st.booleans()):
        args.append(Arg(shape[draw(st.integers(0, len(shape))):], 0.5, 2.0, grad=False))
        if pos_weight and shape and draw(st.booleans()):
            args.append(Arg(shape[-1:], 0.5, 3.0, grad=False))
    return args, kwargs


@st.composite
def class_input(draw, low=-3.0, high=3.0, min_classes=1):
    """Scores (N, C, d1, ...) or (C,) and the shape of their class-index target."""
    c = draw(st.integers(min_classes, 5))
    if draw(st.integers(0, 4)) == 0:
        return Arg((c,), low, high), (), c
    n = draw(st.integers(1, 4))
    trailing = draw(shapes(max_dims=2, min_side=1, max_side=3))
    shape = (n, c) + tuple(trailing)
    return Arg(shape, low, high, noncontig=draw(st.booleans())), (n,) + tuple(trailing), c


@st.composite
def class_indices(draw, low=-3.0, high=3.0, smoothing=True):
    """cross_entropy / nll_loss inputs: scores, int targets, maybe class weights, maybe an
    ignore_index (then only with 'sum' or 'none': a mean over only ignored targets is nan)."""
    x, target_shape, c = draw(class_input(low, high))
    kwargs = {"reduction": draw(st.sampled_from(REDUCTIONS))}
    top = c
    if draw(st.booleans()):
        kwargs["ignore_index"] = c  # targets drawn in [0, C] so that some are ignored
        kwargs["reduction"] = draw(st.sampled_from(("sum", "none")))
        top = c + 1
    if smoothing and draw(st.booleans()):
        kwargs["label_smoothing"] = draw(st.sampled_from((0.05, 0.3, 0.9)))
    args = [x, Arg(target_shape, 0, top, kind="int")]
    if draw(st.booleans()):
        args.append(Arg((c,), 0.5, 2.0, grad=False))
    return args, kwargs


@st.composite
def class_probabilities(draw):
    """cross_entropy with probability targets of the input's shape."""
    x, _, c = draw(class_input())
    kwargs = {"reduction": draw(st.sampled_from(REDUCTIONS))}
    if draw(st.booleans()):
        kwargs["label_smoothing"] = draw(st.sampled_from((0.1, 0.5)))
    args = [x, Arg(x.shape, 0.0, 1.0)]
    if draw(st.booleans()):
        args.append(Arg((c,), 0.5, 2.0, grad=False))
    return args, kwargs


@st.composite
def multi_margin(draw):
    x, target_shape, c = draw(class_input(min_classes=1))
    if len(x.shape) > 2:  # multi_margin_loss takes (N, C) or (C,) only
        x = Arg(x.shape[:2], x.low, x.high)
        target_shape = target_shape[:1]
    kwargs = {"reduction": draw(st.sampled_from(REDUCTIONS)), "p": draw(st.sampled_from((1, 2))),
              "margin": draw(st.sampled_from((0.5, 1.0, 2.0)))}
    args = [x, Arg(target_shape, 0, c, kind="int")]
    if draw(st.booleans()):
        args.append(Arg((c,), 0.5, 2.0, grad=False))
    return args, kwargs


@st.composite
def kl(draw):
    log_target = draw(st.booleans())
    shape = draw(shapes(max_dims=3))
    low, high = (-3.0, 0.0) if log_target else (0.05, 1.0)
    kwargs = {"reduction": draw(st.sampled_from(REDUCTIONS + ("batchmean",))),
              "log_target": log_target}
    return [Arg(shape, -3.0, 0.0, noncontig=draw(st.booleans())), Arg(shape, low, high)], kwargs


@st.composite
def labelled(draw, n_inputs):
    """``n_inputs`` float inputs of one shape and +1/-1 labels (an int Arg) of that shape."""
    shape = draw(shapes(max_dims=3))
    args = [Arg(shape) for _ in range(n_inputs)] + [Arg(shape, 0, 2, kind="int")]
    return args, {"reduction": draw(st.sampled_from(REDUCTIONS))}


@st.composite
def vector_pairs(draw, n_inputs, labels):
    """``n_inputs`` inputs (N, D) or (D,), and maybe labels (N,) or ()."""
    d = draw(st.integers(1, 4))
    batch = draw(st.sampled_from(((), (1,), (3,))))
    args = [Arg(batch + (d,)) for _ in range(n_inputs)]
    if labels:
        args.append(Arg(batch, 0, 2, kind="int"))
    return args, {"reduction": draw(st.sampled_from(REDUCTIONS))}


@st.composite
def triplets(draw):
    args, kwargs = draw(vector_pairs(3, labels=False))
    kwargs.update(margin=draw(st.sampled_from((0.5, 1.0, 3.0))), p=draw(st.sampled_from((1, 2, 3))),
                  swap=draw(st.booleans()))
    return args, kwargs


# ---------------------------------------------------------------------------- calls
def _bce_logits(lib, x, y, w=None, pw=None, **kwargs):
    return _F(lib).binary_cross_entropy_with_logits(x, y, w, pos_weight=pw, **kwargs)


def _kl_div(lib, x, y, **kwargs):
    with warnings.catch_warnings():
        # PyTorch warns that reduction='mean' is not the KL divergence per sample ('batchmean')
        warnings.simplefilter("ignore", UserWarning)
        return _F(lib).kl_div(x, y, **kwargs)


def _multi_margin(lib, x, t, w=None, **kwargs):
    return _F(lib).multi_margin_loss(x, t, weight=w, **kwargs)


def _hinge(lib, x, t, **kwargs):
    return _F(lib).hinge_embedding_loss(x, _signs(t), **kwargs)


def _ranking(lib, x1, x2, t, **kwargs):
    return _F(lib).margin_ranking_loss(x1, x2, _signs(t), **kwargs)


def _cosine(lib, x1, x2, t, **kwargs):
    return _F(lib).cosine_embedding_loss(x1, x2, _signs(t), **kwargs)


def _perceptron(lib, s, t, **kwargs):
    return _F(lib).perceptron_loss(s, _signs(t), **kwargs)


# ---------------------------------------------------------------------------- cases
A = (4, 5)  # N = 4 samples, C = 5 classes
NCT = (3, 5, 6)  # N = 3 sequences of T = 6 steps, C = 5 classes
W = Arg((5,), 0.5, 2.0, grad=False)
INDICES = Arg((4,), 0, 5, kind="int")
INDICES_NT = Arg((3, 6), 0, 5, kind="int")
# targets in [0, 5] with ignore_index=5: some are ignored, most not
INDICES_IGNORED = Arg((4,), 0, 6, kind="int")
INDICES_NT_IGNORED = Arg((3, 6), 0, 6, kind="int")
LOG_PROBS = Arg(A, -3.0, -0.1)
PROBS = Arg(A, 0.05, 0.95)
UNIT = Arg(A, 0.0, 1.0)
LABELS = Arg(A, 0, 2, kind="int")


def _reductions(name, fn, args, **kwargs):
    """One case per reduction."""
    return [Case(f"{name}_{r}", fn, args, {**kwargs, "reduction": r}) for r in REDUCTIONS]


CASES = [
    # -------------------------------------------------------------- regression
    *_reductions("mse_loss", _call("mse_loss"), [Arg(A), Arg(A)]),
    Case("mse_loss_drawn", _call("mse_loss"), [Arg((2, 3)), Arg((2, 3))], draw=pointwise()),
    *_reductions("l1_loss", _call("l1_loss"), [Arg(A), Arg(A)]),
    Case("l1_loss_drawn", _l1_apart,
         [Arg((2, 3), grad=False), Arg((2, 3), 0.0, 1.0), Arg((2, 3), -0.01, 0.01)],
         draw=_apart()),
    *_reductions("smooth_l1_loss", _call("smooth_l1_loss", beta=0.6), [Arg(A), Arg(A)]),
    Case("smooth_l1_loss_beta0", _call("smooth_l1_loss", beta=0.0), [Arg(A), Arg(A)]),
    Case("smooth_l1_loss_drawn", _call("smooth_l1_loss"), [Arg(A), Arg(A)],
         draw=pointwise(extra=st.fixed_dictionaries({"beta": st.sampled_from((0.3, 1.0, 2.5))}))),
    *_reductions("huber_loss", _call("huber_loss", delta=0.8), [Arg(A), Arg(A)]),
    Case("huber_loss_drawn", _call("huber_loss"), [Arg(A), Arg(A)],
         draw=pointwise(extra=st.fixed_dictionaries({"delta": st.sampled_from((0.3, 1.0, 2.5))}))),
    # -------------------------------------------------------------- binary
    *_reductions("binary_cross_entropy", _call("binary_cross_entropy"), [PROBS, UNIT]),
    Case("binary_cross_entropy_weight", _call("binary_cross_entropy"),
         [PROBS, UNIT, Arg((5,), 0.5, 2.0, grad=False)]),
    Case("binary_cross_entropy_weight_none", _call("binary_cross_entropy", reduction="none"),
         [PROBS, UNIT, Arg((4, 1), 0.5, 2.0, grad=False)]),
    Case("binary_cross_entropy_drawn", _call("binary_cross_entropy"), [PROBS, UNIT],
         draw=binary_weighted(0.05, 0.95)),
    *_reductions("bce_with_logits", _call("binary_cross_entropy_with_logits"),
                 [Arg(A, -4, 4), UNIT]),
    Case("bce_with_logits_weights", _bce_logits,
         [Arg(A, -4, 4), UNIT, Arg((4, 1), 0.5, 2.0, grad=False), Arg((5,), 0.5, 3.0, grad=False)]),
    Case("bce_with_logits_pos_weight_sum",
         lambda lib, x, y, pw: _bce_logits(lib, x, y, pw=pw, reduction="sum"),
         [Arg(A, -4, 4), UNIT, Arg((5,), 0.5, 3.0, grad=False)]),
    Case("bce_with_logits_tails", _call("binary_cross_entropy_with_logits", reduction="none"),
         [Arg((50,), -60, 60), Arg((50,), 0.0, 1.0)]),
    Case("bce_with_logits_drawn", _bce_logits, [Arg(A), UNIT],
         draw=binary_weighted(-4.0, 4.0, pos_weight=True)),
    # -------------------------------------------------------------- cross-entropy
    *_reductions("cross_entropy", _call("cross_entropy"), [Arg(A), INDICES]),
    *_reductions("cross_entropy_weight", _call("cross_entropy"), [Arg(A), INDICES, W]),
    *_reductions("cross_entropy_ignore", _call("cross_entropy", ignore_index=5),
                 [Arg(A), INDICES_IGNORED]),
    Case("cross_entropy_weight_ignore", _call("cross_entropy", ignore_index=5),
         [Arg(A), INDICES_IGNORED, W]),
    *_reductions("cross_entropy_smoothing", _call("cross_entropy", label_smoothing=0.2),
                 [Arg(A), INDICES]),
    Case("cross_entropy_smoothing_weight_ignore",
         _call("cross_entropy", label_smoothing=0.3, ignore_index=5),
         [Arg(A), INDICES_IGNORED, W]),
    Case("cross_entropy_smoothing_weight_ignore_none",
         _call("cross_entropy", label_smoothing=0.3, ignore_index=5, reduction="none"),
         [Arg(A), INDICES_IGNORED, W]),
    *_reductions("cross_entropy_nct", _call("cross_entropy"), [Arg(NCT), INDICES_NT]),
    Case("cross_entropy_nct_all_options",
         _call("cross_entropy", label_smoothing=0.1, ignore_index=5),
         [Arg(NCT), INDICES_NT_IGNORED, W]),
    Case("cross_entropy_nchw", _call("cross_entropy"),
         [Arg((2, 3, 4, 2)), Arg((2, 4, 2), 0, 3, kind="int")]),
    Case("cross_entropy_unbatched", _call("cross_entropy"), [Arg((5,)), Arg((), 0, 5, kind="int")]),
    Case("cross_entropy_unbatched_none", _call("cross_entropy", reduction="none"),
         [Arg((5,)), Arg((), 0, 5, kind="int")]),
    Case("cross_entropy_large_logits", _call("cross_entropy"), [Arg(A, -1e4, 1e4), INDICES]),
    Case("cross_entropy_noncontig", _call("cross_entropy"), [Arg((4, 5), noncontig=True), INDICES]),
    Case("cross_entropy_drawn", _call("cross_entropy"), [Arg(A), INDICES],
         draw=class_indices()),
    *_reductions("cross_entropy_probs", _call("cross_entropy"), [Arg(A), UNIT]),
    Case("cross_entropy_probs_weight_smoothing", _call("cross_entropy", label_smoothing=0.2),
         [Arg(A), UNIT, W]),
    Case("cross_entropy_probs_nct", _call("cross_entropy", reduction="none"),
         [Arg(NCT), Arg(NCT, 0.0, 1.0), W]),
    Case("cross_entropy_probs_unbatched", _call("cross_entropy"), [Arg((5,)), Arg((5,), 0.0, 1.0)]),
    Case("cross_entropy_probs_drawn", _call("cross_entropy"), [Arg(A), UNIT],
         draw=class_probabilities()),
    # -------------------------------------------------------------- nll
    *_reductions("nll_loss", _call("nll_loss"), [LOG_PROBS, INDICES]),
    *_reductions("nll_loss_weight_ignore", _call("nll_loss", ignore_index=5),
                 [LOG_PROBS, INDICES_IGNORED, W]),
    Case("nll_loss_nct", _call("nll_loss", ignore_index=5),
         [Arg(NCT, -3.0, -0.1), INDICES_NT_IGNORED, W]),
    Case("nll_loss_nct_none", _call("nll_loss", reduction="none"),
         [Arg(NCT, -3.0, -0.1), INDICES_NT]),
    Case("nll_loss_unbatched", _call("nll_loss"),
         [Arg((5,), -3.0, -0.1), Arg((), 0, 5, kind="int")]),
    Case("nll_loss_drawn", _call("nll_loss"), [LOG_PROBS, INDICES],
         draw=class_indices(-3.0, -0.1, smoothing=False)),
    # -------------------------------------------------------------- kl_div
    *_reductions("kl_div", _kl_div, [LOG_PROBS, PROBS]),
    Case("kl_div_batchmean", _call("kl_div", reduction="batchmean"), [LOG_PROBS, PROBS]),
    Case("kl_div_log_target", _call("kl_div", reduction="batchmean", log_target=True),
         [LOG_PROBS, Arg(A, -3.0, -0.1)]),
    Case("kl_div_log_target_none", _call("kl_div", reduction="none", log_target=True),
         [LOG_PROBS, Arg(A, -3.0, -0.1)]),
    Case("kl_div_drawn", _kl_div, [LOG_PROBS, PROBS], draw=kl()),
    # -------------------------------------------------------------- margins
    *_reductions("multi_margin_loss", _multi_margin, [Arg(A), INDICES]),
    Case("multi_margin_loss_p2_weight", _multi_margin, [Arg(A), INDICES, W],
         {"p": 2, "margin": 0.7}),
    Case("multi_margin_loss_p1_weight_none", _multi_margin, [Arg(A), INDICES, W],
         {"margin": 1.5, "reduction": "none"}),
    Case("multi_margin_loss_unbatched", _multi_margin, [Arg((5,)), Arg((), 0, 5, kind="int")]),
    Case("multi_margin_loss_drawn", _multi_margin, [Arg(A), INDICES], draw=multi_margin()),
    *_reductions("hinge_embedding_loss", _hinge, [Arg(A), LABELS], margin=0.8),
    Case("hinge_embedding_loss_drawn", _hinge, [Arg(A), LABELS], draw=labelled(1)),
    *_reductions("margin_ranking_loss", _ranking, [Arg((6,)), Arg((6,)), Arg((6,), 0, 2, "int")],
                 margin=0.3),
    Case("margin_ranking_loss_drawn", _ranking, [Arg((6,)), Arg((6,)), Arg((6,), 0, 2, "int")],
         draw=labelled(2)),
    *_reductions("cosine_embedding_loss", _cosine, [Arg(A), Arg(A), Arg((4,), 0, 2, "int")],
                 margin=0.2),
    Case("cosine_embedding_loss_unbatched", _cosine, [Arg((5,)), Arg((5,)), Arg((), 0, 2, "int")]),
    Case("cosine_embedding_loss_drawn", _cosine, [Arg(A), Arg(A), Arg((4,), 0, 2, "int")],
         draw=vector_pairs(2, labels=True)),
    *_reductions("triplet_margin_loss", _call("triplet_margin_loss", margin=2.0),
                 [Arg(A), Arg(A), Arg(A)]),
    Case("triplet_margin_loss_p1_swap", _call("triplet_margin_loss", margin=3.0, p=1, swap=True),
         [Arg(A), Arg(A), Arg(A)]),
    Case("triplet_margin_loss_unbatched", _call("triplet_margin_loss", p=3, margin=2.0),
         [Arg((5,)), Arg((5,)), Arg((5,))]),
    Case("triplet_margin_loss_drawn", _call("triplet_margin_loss"), [Arg(A), Arg(A), Arg(A)],
         draw=triplets()),
    # -------------------------------------------------------------- perceptron (not in PyTorch)
    Case("perceptron_loss", _perceptron, [Arg((8,)), Arg((8,), 0, 2, "int")], torch=False),
    Case("perceptron_loss_drawn", _perceptron, [Arg((8,)), Arg((8,), 0, 2, "int")],
         draw=labelled(1), torch=False),
]
