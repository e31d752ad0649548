"""shendu.metrics against hand-computed values, an independent per-class reference, and the
exact-combination property of the batch registry. scikit-learn is not needed: its documented
behaviour (zero_division, F1 = 2TP / (2TP + FP + FN), nan-skipping averages, the report's
layout) is written out here."""

from __future__ import annotations

import math

import numpy as np
import pytest

import shendu
from shendu import metrics
from shendu.metrics import (
    RunningMetric,
    accuracy,
    classification_report,
    confusion_matrix,
    f1_score,
    log_rmse,
    mae,
    mse,
    perplexity,
    precision,
    precision_recall_fscore_support,
    recall,
    rmse,
    top_k_accuracy,
)

# Four classes; class 3 is in y_true once and never predicted.
#   class 0: predicted at 0 (right), 5 (wrong)      TP 1  FP 1  FN 1  ->  P 1/2  R 1/2  F 1/2
#   class 1: predicted at 1 (wrong), 2, 3 (right)   TP 2  FP 1  FN 0  ->  P 2/3  R 1    F 4/5
#   class 2: predicted at 4, 6 (right), 7 (wrong)   TP 2  FP 1  FN 1  ->  P 2/3  R 2/3  F 2/3
#   class 3: never predicted                        TP 0  FP 0  FN 1  ->  P z    R 0    F 0
MC_TRUE = [0, 0, 1, 1, 2, 2, 2, 3]
MC_PRED = [0, 1, 1, 1, 2, 0, 2, 2]
MC_SUPPORT = [2, 2, 3, 1]

# Binary: TP at 0, 3, 6; FP at 1, 7; FN at 2; TN at 4, 5.
BIN_TRUE = [1, 0, 1, 1, 0, 0, 1, 0]
BIN_PRED = [1, 1, 0, 1, 0, 0, 1, 1]
BIN_PROB = [0.9, 0.6, 0.2, 0.7, 0.1, 0.4, 0.8, 0.55]  # > 0.5 gives BIN_PRED


def reference_prf(y_true, y_pred, labels, zero_division):
    """Precision, recall, F1 per label by counting in Python, straight from the definitions."""
    def ratio(a, b):
        return a / b if b else zero_division

    out = []
    for c in labels:
        tp = sum(t == c and p == c for t, p in zip(y_true, y_pred))
        fp = sum(t != c and p == c for t, p in zip(y_true, y_pred))
        fn = sum(t == c and p != c for t, p in zip(y_true, y_pred))
        out.append((ratio(tp, tp + fp), ratio(tp, tp + fn), ratio(2 * tp, 2 * tp + fp + fn),
                    tp + fn))
    return [np.array(column, dtype=float) for column in zip(*out)]


def nan_mean(values, weights=None):
    values = np.asarray(values, float)
    keep = ~np.isnan(values)
    if weights is None or np.sum(np.asarray(weights)[keep]) == 0:
        return float(np.mean(values[keep]))
    weights = np.asarray(weights, float)[keep]
    return float(np.sum(values[keep] * weights) / np.sum(weights))


# ------------------------------------------------------------------ accuracy, top-k
def test_accuracy_labels_scores_and_probabilities():
    assert accuracy(MC_TRUE, MC_PRED) == 5 / 8
    scores = np.eye(4)[MC_PRED] * 0.7 + 0.1  # argmax is MC_PRED
    assert accuracy(MC_TRUE, scores) == 5 / 8
    assert accuracy(np.array(MC_TRUE)[:, None], scores) == 5 / 8  # a column of labels
    assert accuracy(BIN_TRUE, BIN_PROB) == 5 / 8
    assert accuracy(np.array(BIN_TRUE)[:, None], np.array(BIN_PROB)[:, None]) == 5 / 8
    assert accuracy(BIN_TRUE, np.array(BIN_PROB)[:, None]) == 5 / 8  # one sigmoid unit
    # 0.5 itself is not above the threshold (Keras's rule); a custom threshold moves the cut
    assert accuracy([0, 1], [0.5, 0.75]) == 1.0
    assert accuracy([1, 1, 0], [0.3, 0.5, 0.1]) == 1 / 3
    assert accuracy([1, 1, 0], [0.3, 0.5, 0.1], threshold=0.4) == 2 / 3
    # float labels (after BCE training) and bool predictions
    assert accuracy(np.array([0.0, 1.0, 1.0]), np.array([False, True, False])) == 2 / 3


def test_accuracy_sequence_scores_on_last_axis():
    logits = np.zeros((2, 3, 5))
    logits[..., 1] = 1.0
    assert accuracy(np.array([[1, 1, 0], [1, 2, 1]]), logits) == 4 / 6


def test_tensors_and_arrays_give_the_same_numbers():
    logits = np.random.default_rng(0).normal(size=(20, 4)).astype(np.float32)
    y = np.random.default_rng(1).integers(0, 4, size=20)
    expected = float(np.mean(logits.argmax(1) == y))
    as_tensor = accuracy(shendu.tensor(y), shendu.tensor(logits, requires_grad=True))
    assert as_tensor == accuracy(y, logits) == accuracy(y.tolist(), logits.tolist()) == expected
    assert f1_score(shendu.tensor(y), shendu.tensor(logits), average="macro") == \
        f1_score(y, logits, average="macro")
    assert mse(shendu.tensor([1.0, 2.0]), np.array([1.0, 4.0])) == 2.0
    assert isinstance(as_tensor, float)


def test_argument_names_allow_either_order_by_keyword():
    assert accuracy(y_pred=MC_PRED, y_true=MC_TRUE) == 5 / 8
    assert precision(y_pred=BIN_PRED, y_true=BIN_TRUE) == 3 / 5


def test_top_k_accuracy_by_hand_and_ties():
    scores = np.array([[0.1, 0.6, 0.3],    # true 2 is 2nd
                       [0.5, 0.3, 0.2],    # true 2 is 3rd
                       [0.2, 0.7, 0.1]])   # true 1 is 1st
    y = [2, 2, 1]
    assert top_k_accuracy(y, scores, k=1) == 1 / 3
    assert top_k_accuracy(y, scores, k=2) == 2 / 3
    assert top_k_accuracy(y, scores, k=3) == 1.0
    # a class tied at the k-th place counts as inside the top k
    tied = np.array([[0.5, 0.5, 0.0]])
    assert top_k_accuracy([1], tied, k=1) == 1.0
    assert accuracy([1], tied) == 0.0  # argmax takes the first maximum
    assert top_k_accuracy([0], [[0.2, 0.2, 0.6]], k=1) == 0.0
    assert top_k_accuracy([0], [[0.2, 0.2, 0.6]], k=2) == 1.0


# ------------------------------------------------------------------ precision, recall, F1
def test_multiclass_per_class_and_averages_by_hand():
    p, r, f, s = precision_recall_fscore_support(MC_TRUE, MC_PRED)
    np.testing.assert_allclose(p, [1 / 2, 2 / 3, 2 / 3, 0])
    np.testing.assert_allclose(r, [1 / 2, 1, 2 / 3, 0])
    np.testing.assert_allclose(f, [1 / 2, 4 / 5, 2 / 3, 0])
    np.testing.assert_array_equal(s, MC_SUPPORT)

    assert precision(MC_TRUE, MC_PRED, average="macro") == pytest.approx((1 / 2 + 4 / 3) / 4)
    assert recall(MC_TRUE, MC_PRED, average="macro") == pytest.approx((1 / 2 + 1 + 2 / 3) / 4)
    assert f1_score(MC_TRUE, MC_PRED, average="macro") == pytest.approx((1 / 2 + 4 / 5 + 2 / 3)
                                                                        / 4)
    # weighted by support (2, 2, 3, 1)
    assert precision(MC_TRUE, MC_PRED, average="weighted") == pytest.approx((1 + 4 / 3 + 2) / 8)
    assert f1_score(MC_TRUE, MC_PRED, average="weighted") == pytest.approx((1 + 8 / 5 + 2) / 8)
    # weighted recall is always the accuracy
    assert recall(MC_TRUE, MC_PRED, average="weighted") == pytest.approx(5 / 8)


def test_zero_division_for_a_class_never_predicted():
    # class 3's precision is 0/0: zero_division decides it, and the macro average with it
    for zero_division, expected in ((0, (1 / 2 + 4 / 3 + 0) / 4), (1, (1 / 2 + 4 / 3 + 1) / 4),
                                    (math.nan, (1 / 2 + 4 / 3) / 3)):
        got = precision(MC_TRUE, MC_PRED, average="macro", zero_division=zero_division)
        assert got == pytest.approx(expected), zero_division
    per_class = precision(MC_TRUE, MC_PRED, average=None, zero_division=math.nan)
    assert np.isnan(per_class[3]) and not np.isnan(per_class[:3]).any()
    # F1 is 2TP / (2TP + FP + FN) = 0 / 1 for class 3: defined, so zero_division does not apply
    for zero_division in (0, 1, math.nan):
        f = f1_score(MC_TRUE, MC_PRED, average=None, zero_division=zero_division)
        assert f[3] == 0.0


def test_label_absent_from_both_inputs_is_zero_division_everywhere():
    p, r, f, s = precision_recall_fscore_support(MC_TRUE, MC_PRED, labels=[0, 1, 2, 3, 4],
                                                 zero_division=1)
    assert (p[4], r[4], f[4], s[4]) == (1.0, 1.0, 1.0, 0)
    assert f1_score(MC_TRUE, MC_PRED, labels=[0, 1, 2, 3, 4], average="macro",
                    zero_division=1) == pytest.approx((1 / 2 + 4 / 5 + 2 / 3 + 0 + 1) / 5)
    # a label with no support adds nothing to the weighted average
    assert f1_score(MC_TRUE, MC_PRED, labels=[0, 1, 2, 3, 4], average="weighted",
                    zero_division=1) == pytest.approx((1 + 8 / 5 + 2) / 8)


def test_labels_select_and_order_classes():
    p = precision(MC_TRUE, MC_PRED, labels=[2, 0], average=None)
    np.testing.assert_allclose(p, [2 / 3, 1 / 2])
    # micro over a subset: TP 3, predicted 3 + 2
    assert precision(MC_TRUE, MC_PRED, labels=[2, 0], average="micro") == pytest.approx(3 / 5)


def test_binary_by_hand_with_labels_probabilities_and_pos_label():
    assert precision(BIN_TRUE, BIN_PRED) == pytest.approx(3 / 5)
    assert recall(BIN_TRUE, BIN_PRED) == pytest.approx(3 / 4)
    assert f1_score(BIN_TRUE, BIN_PRED) == pytest.approx(2 / 3)
    assert f1_score(BIN_TRUE, BIN_PROB) == pytest.approx(2 / 3)
    # class 0 as positive: TP at 4, 5; FP at 2; FN at 1, 7
    assert precision(BIN_TRUE, BIN_PRED, pos_label=0) == pytest.approx(2 / 3)
    assert recall(BIN_TRUE, BIN_PRED, pos_label=0) == pytest.approx(1 / 2)
    assert f1_score(BIN_TRUE, BIN_PRED, pos_label=0) == pytest.approx(4 / 7)


def test_binary_with_no_positive_anywhere_is_zero_division():
    for zero_division in (0, 1):
        assert precision([0, 0, 0], [0, 0, 0], zero_division=zero_division) == zero_division
        assert recall([0, 0, 0], [0, 0, 0], zero_division=zero_division) == zero_division
        assert f1_score([0, 0, 0], [0, 0, 0], zero_division=zero_division) == zero_division
    # predicted positives that are all wrong: precision 0 whatever zero_division is
    assert precision([0, 0], [1, 1], zero_division=1) == 0.0
    assert recall([0, 0], [1, 1], zero_division=1) == 1.0  # no positive labels: 0/0


def test_string_labels():
    p, r, _, s = precision_recall_fscore_support(["cat", "dog", "cat"], ["cat", "cat", "cat"])
    np.testing.assert_allclose(p, [2 / 3, 0.0])
    np.testing.assert_allclose(r, [1.0, 0.0])
    np.testing.assert_array_equal(s, [2, 1])
    assert precision(["cat", "dog", "cat"], ["cat", "dog", "dog"], pos_label="dog") == 0.5


@pytest.mark.parametrize("seed", range(5))
def test_against_the_per_class_reference_on_random_labels(seed):
    rng = np.random.default_rng(seed)
    num_classes = int(rng.integers(2, 7))
    y_true = rng.integers(0, num_classes, size=40)
    y_pred = np.where(rng.random(40) < 0.5, y_true, rng.integers(0, num_classes + 1, size=40))
    labels = sorted(set(y_true.tolist()) | set(y_pred.tolist()))
    for zero_division in (0, 1, math.nan):
        ref = reference_prf(y_true.tolist(), y_pred.tolist(), labels, zero_division)
        got = precision_recall_fscore_support(y_true, y_pred, zero_division=zero_division)
        for a, b in zip(got, ref):
            np.testing.assert_allclose(a, b)
        for i, fn in enumerate((precision, recall, f1_score)):
            assert fn(y_true, y_pred, average="macro", zero_division=zero_division) == \
                pytest.approx(nan_mean(ref[i]))
            assert fn(y_true, y_pred, average="weighted", zero_division=zero_division) == \
                pytest.approx(nan_mean(ref[i], ref[3]))
        # single-label multi-class: micro precision = micro recall = micro F1 = accuracy
        acc = accuracy(y_true, y_pred)
        for fn in (precision, recall, f1_score):
            assert fn(y_true, y_pred, average="micro", zero_division=zero_division) == \
                pytest.approx(acc)


# ------------------------------------------------------------------ confusion matrix, report
def test_confusion_matrix_by_hand():
    cm = confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
    np.testing.assert_array_equal(cm, [[2, 0, 0], [0, 0, 1], [1, 0, 2]])
    assert cm.dtype == np.int64
    padded = confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2], num_classes=4)
    np.testing.assert_array_equal(padded[:3, :3], cm)
    assert padded[3].sum() == padded[:, 3].sum() == 0
    tn, fp, fn, tp = confusion_matrix(BIN_TRUE, BIN_PROB).ravel()
    assert (tn, fp, fn, tp) == (2, 2, 1, 3)
    logits = shendu.tensor(np.eye(4)[MC_PRED])
    cm = confusion_matrix(shendu.tensor(MC_TRUE), logits)
    assert cm.sum() == 8 and np.trace(cm) == 5 and cm[3, 2] == 1
    np.testing.assert_array_equal(cm.sum(axis=1), MC_SUPPORT)


def test_classification_report_layout():
    expected = (
        "              precision    recall  f1-score   support\n"
        "\n"
        "     class 0       0.50      1.00      0.67         1\n"
        "     class 1       0.00      0.00      0.00         1\n"
        "     class 2       1.00      0.67      0.80         3\n"
        "\n"
        "    accuracy                           0.60         5\n"
        "   macro avg       0.50      0.56      0.49         5\n"
        "weighted avg       0.70      0.60      0.61         5\n"
    )
    got = classification_report([0, 1, 2, 2, 2], [0, 0, 2, 2, 1],
                                target_names=["class 0", "class 1", "class 2"])
    assert got == expected


def test_classification_report_subset_of_labels_shows_micro_avg_and_digits():
    expected = (
        "              precision    recall  f1-score   support\n"
        "\n"
        "           1      0.000     0.000     0.000         1\n"
        "           2      0.500     0.500     0.500         2\n"
        "\n"
        "   micro avg      0.333     0.333     0.333         3\n"
        "   macro avg      0.250     0.250     0.250         3\n"
        "weighted avg      0.333     0.333     0.333         3\n"
    )
    assert classification_report([0, 1, 2, 2], [0, 2, 2, 1], labels=[1, 2], digits=3) == expected


def test_classification_report_long_names_widen_the_first_column():
    report = classification_report([0, 1], [0, 1], target_names=["a very long name", "b"])
    lines = report.splitlines()
    assert lines[2] == "a very long name       1.00      1.00      1.00         1"
    assert lines[5] == "        accuracy                           1.00         2"


# ------------------------------------------------------------------ regression, perplexity
def test_regression_metrics_by_hand():
    y, p = [1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 1.0, 4.0]  # errors 1, 0, -2, 0
    assert mse(y, p) == 5 / 4
    assert rmse(y, p) == math.sqrt(5 / 4)
    assert mae(y, p) == 3 / 4
    # a column of predictions next to a vector of targets is not broadcast to (N, N)
    assert mse(np.array(y), np.array(p)[:, None]) == 5 / 4


def test_log_rmse_clamps_predictions_to_one():
    # terms: (log 1.1)^2 and, with 0.5 raised to 1, (log 1 - log 1000)^2
    expected = math.sqrt((math.log(1.1) ** 2 + math.log(1000) ** 2) / 2)
    assert log_rmse([100.0, 1000.0], [110.0, 0.5]) == pytest.approx(expected, rel=1e-12)
    assert log_rmse([5.0, 7.0], [5.0, 7.0]) == 0.0


def test_perplexity_uniform_by_hand_and_from_a_loss():
    for num_classes in (2, 7, 1000):
        logits = np.zeros((5, num_classes))
        assert perplexity([0, 1, 1, 0, 1], logits) == pytest.approx(num_classes, rel=1e-12)
    # probabilities (1/4, 3/4): targets 0 and 1 cost log 4 and log 4/3, so ppl = sqrt(16/3)
    logits = np.log([[1.0, 3.0], [1.0, 3.0]])
    assert perplexity([0, 1], logits) == pytest.approx(math.sqrt(16 / 3), rel=1e-12)
    assert perplexity(cross_entropy=math.log(5.0)) == pytest.approx(5.0)
    assert perplexity(math.log(5.0)) == pytest.approx(5.0)
    assert perplexity(shendu.tensor(math.log(5.0))) == pytest.approx(5.0, rel=1e-6)


def test_perplexity_of_sequences_is_exp_of_cross_entropy():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 4, 6)).astype(np.float32) * 3
    targets = rng.integers(0, 6, size=(3, 4))
    loss = shendu.nn.functional.cross_entropy(shendu.tensor(logits.reshape(12, 6)),
                                              shendu.tensor(targets.reshape(12)))
    assert perplexity(targets, logits) == pytest.approx(math.exp(loss.item()), rel=1e-5)
    assert perplexity(shendu.tensor(targets), shendu.tensor(logits)) == \
        perplexity(targets, logits)


# ------------------------------------------------------------------ the batch registry
def _batches(y_true, y_pred, sizes):
    start = 0
    for size in sizes:
        yield y_true[start:start + size], y_pred[start:start + size]
        start += size


@pytest.mark.parametrize("name, kind", [
    ("accuracy", "class"), ("acc", "class"), ("top5_accuracy", "class"),
    ("top2_accuracy", "class"), ("mse", "value"), ("rmse", "value"), ("mae", "value"),
    ("log_rmse", "value"), ("perplexity", "class"),
])
def test_running_metric_over_batches_equals_one_pass(name, kind):
    rng = np.random.default_rng(3)
    if kind == "class":
        y_true, y_pred = rng.integers(0, 8, size=23), rng.normal(size=(23, 8))
    else:
        y_true, y_pred = rng.uniform(1, 50, size=(23, 2)), rng.uniform(0.5, 60, size=(23, 2))
    one_pass = {"accuracy": lambda: accuracy(y_true, y_pred),
                "acc": lambda: accuracy(y_true, y_pred),
                "top5_accuracy": lambda: top_k_accuracy(y_true, y_pred, k=5),
                "top2_accuracy": lambda: top_k_accuracy(y_true, y_pred, k=2),
                "mse": lambda: mse(y_true, y_pred), "rmse": lambda: rmse(y_true, y_pred),
                "mae": lambda: mae(y_true, y_pred), "log_rmse": lambda: log_rmse(y_true, y_pred),
                "perplexity": lambda: perplexity(y_true, y_pred)}[name]()
    running = RunningMetric(name)
    for t, p in _batches(y_true, y_pred, [10, 10, 3]):  # the last batch is smaller
        running.update(t, p)
    assert running.result() == pytest.approx(one_pass, rel=1e-12)
    assert metrics.get(name)(y_true, y_pred) == pytest.approx(one_pass, rel=1e-12)
    running.reset()
    assert math.isnan(running.result())


def test_mean_of_batch_values_would_be_wrong_for_rmse():
    running = RunningMetric("rmse")
    running.update([0.0, 0.0], [3.0, 3.0])  # batch RMSE 3
    running.update([0.0], [0.0])            # batch RMSE 0
    assert running.result() == pytest.approx(math.sqrt(18 / 3))  # not (3 + 0) / 2


def test_get_names_aliases_and_functions():
    assert metrics.get("acc") is metrics.get("accuracy") is metrics.METRICS["accuracy"]
    assert metrics.get("ACCURACY").name == "accuracy"
    assert metrics.get("top3_accuracy").name == "top3_accuracy"
    assert metrics.get("rmse") is metrics.get(metrics.get("rmse"))
    # a training loop holding (output, target) can call by keyword
    assert metrics.get("accuracy")(y_pred=np.eye(4)[MC_PRED], y_true=MC_TRUE) == 5 / 8

    def hits(y_true, y_pred):
        return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))

    wrapped = metrics.get(hits)
    assert wrapped.name == "hits"
    running = RunningMetric(hits)
    running.update([1, 1, 1], [1, 1, 1])  # 3 samples, all right
    running.update([0], [1])              # 1 sample, wrong
    assert running.result() == 3 / 4     # weighted by batch size, not (1 + 0) / 2


# ------------------------------------------------------------------ errors
ERRORS = [
    (lambda: accuracy([0, 1], [0, 1, 1]), ValueError,
     r"accuracy: y_true has shape \(2,\) and y_pred \(3,\)"),
    (lambda: accuracy([], []), ValueError, r"accuracy: y_true and y_pred are empty"),
    (lambda: accuracy(np.zeros((2, 3)), [0, 1]), ValueError,  # PyTorch's (output, target)
     r"the arguments are \(y_true, y_pred\), the truth first: were they swapped\?"),
    (lambda: metrics.get("accuracy")(np.zeros((2, 3)), [0, 1]), ValueError,
     r"were they swapped\?"),
    (lambda: perplexity(np.zeros((2, 3)), [0, 1]), ValueError, r"were they swapped\?"),
    (lambda: accuracy([0, 1], [-1.3, 2.2]), ValueError,
     r"accuracy: y_pred holds values that are neither labels nor probabilities"),
    (lambda: accuracy([0.5, 1.0], [0, 1]), ValueError,
     r"accuracy: y_true must hold class labels"),
    (lambda: accuracy(["a", "b"], [0, 1]), TypeError, r"both be numeric labels or both strings"),
    (lambda: accuracy(None, [0]), TypeError, r"accuracy: y_true is None"),
    (lambda: top_k_accuracy([0, 1], np.zeros((2, 3)), k=4), ValueError,
     r"top_k_accuracy: k must be an int in \[1, 3\]"),
    (lambda: top_k_accuracy([0, 3], np.zeros((2, 3)), k=1), ValueError,
     r"top_k_accuracy: y_true holds class index 3, outside \[0, 3\)"),
    (lambda: top_k_accuracy([0, 1, 2], np.zeros((2, 3)), k=1), ValueError,
     r"y_true has 3 labels but y_score has 2 rows"),
    (lambda: top_k_accuracy([0, 1], np.zeros(2), k=1), ValueError,
     r"y_score must be numeric class scores of shape \(N, C\)"),
    (lambda: confusion_matrix([0, 3], [0, 1], num_classes=3), ValueError,
     r"confusion_matrix: y_true holds class index 3, outside \[0, 3\)"),
    (lambda: confusion_matrix([0, 1], [0, -1]), ValueError,
     r"confusion_matrix: y_pred holds class index -1, below 0"),
    (lambda: confusion_matrix([0, 1], [0, 1], num_classes=0), ValueError,
     r"num_classes must be a positive int"),
    (lambda: confusion_matrix(["a"], ["a"]), TypeError, r"must hold integer class indices"),
    (lambda: f1_score(MC_TRUE, MC_PRED, average="mean"), ValueError,
     r"f1_score: average must be one of \['binary', 'micro', 'macro', 'weighted', None\]"),
    (lambda: f1_score(MC_TRUE, MC_PRED), ValueError,
     r"f1_score: average='binary' needs at most 2 classes, but y_true and y_pred hold 4"),
    (lambda: precision([3, 7], [3, 7]), ValueError,
     r"precision: pos_label=1 is not one of the labels \[3, 7\]"),
    (lambda: recall(BIN_TRUE, BIN_PRED, zero_division="warn"), ValueError,
     r"recall: zero_division must be 0, 1 or nan, got 'warn'"),
    (lambda: f1_score(MC_TRUE, MC_PRED, average=None, labels=[1, 1]), ValueError,
     r"labels must be a non-empty list of distinct labels"),
    (lambda: f1_score(MC_TRUE, MC_PRED, average=None, labels=["x"]), TypeError,
     r"labels \['x'\] are not of the type"),
    (lambda: classification_report([0, 1], [0, 1], target_names=["a"]), ValueError,
     r"classification_report: 1 target_names for 2 labels"),
    (lambda: classification_report([0, 1], [0, 1], digits=-1), ValueError,
     r"digits must be an int >= 0"),
    (lambda: mse([1.0, 2.0, 3.0], np.ones((3, 3))), ValueError,
     r"mse: y_true has shape \(3,\) and y_pred \(3, 3\)"),
    (lambda: rmse(["a"], ["b"]), TypeError, r"rmse: y_true must hold numbers"),
    (lambda: log_rmse([0.0, 1.0], [1.0, 1.0]), ValueError, r"log_rmse: y_true must be positive"),
    (lambda: perplexity([0, 4], np.zeros((2, 4))), ValueError,
     r"perplexity: y_true holds class index 4, outside \[0, 4\)"),
    (lambda: perplexity([0, 1], np.zeros((3, 4))), ValueError,
     r"perplexity: y_pred must be logits with the shape of y_true plus a last axis"),
    (lambda: perplexity([0], np.zeros((1, 2)), cross_entropy=1.0), ValueError,
     r"pass either \(y_true, y_pred\) or cross_entropy=, not both"),
    (lambda: perplexity(cross_entropy=-1.0), ValueError, r"a mean cross-entropy is >= 0"),
    (lambda: perplexity([0, 1]), ValueError, r"pass targets and logits"),
    (lambda: metrics.get("nope"), ValueError,
     r"metrics.get: unknown metric 'nope'; choose one of \['acc', 'accuracy', 'log_rmse'"),
    (lambda: metrics.get("f1"), ValueError,
     r"'f1' is not a mean over samples.*call shendu.metrics.f1_score\(y_true, y_pred\) once"),
    (lambda: metrics.get(3), TypeError, r"metrics.get: expected a metric name or a function"),
]


@pytest.mark.parametrize("call, error, message", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_errors_say_what_is_wrong(call, error, message):
    with pytest.raises(error, match=message):
        call()
