"""BLEU (shendu.metrics.bleu): d2l's printed examples, hand-computed cases, errors."""

from __future__ import annotations

import doctest
import importlib
import math

import numpy as np
import pytest

import shendu
import shendu.metrics
from shendu.metrics.translation import bleu, mean_bleu, ngram_precision

# the module (shendu.metrics.bleu as an attribute is the function, exported by the package)
BLEU_MODULE = importlib.import_module("shendu.metrics.translation")


# ------------------------------------------------------------------ d2l's printed outputs
# The translations and BLEU (k=2, three decimals) printed by d2l's "Sequence to Sequence
# Learning" and its attention/Transformer sections in runs of the book (the translations differ
# from run to run; the labels are the book's `fras`).
D2L_PRINTED = [
    ("va !", "va !", "1.000"),
    ("j'ai perdu .", "j'ai perdu .", "1.000"),
    ("il est riche .", "il est calme .", "0.658"),
    ("il est paresseux .", "il est calme .", "0.658"),
    ("il est calmes .", "il est calme .", "0.658"),
    ("je suis en retard ?", "je suis chez moi .", "0.447"),
    ("je suis chez moi .", "je suis chez moi .", "1.000"),
    # d2l v1 (d2l-zh), "Machine Translation": the score() helper, English targets
    ("they are watching .", "they are watching .", "1.000"),
    ("they are russian .", "they are canadian .", "0.658"),
]


@pytest.mark.parametrize("pred, label, printed", D2L_PRINTED)
def test_d2l_printed_examples(pred, label, printed):
    assert f"{bleu(pred, label, k=2):.3f}" == printed


def test_d2l_in_text_examples():
    """The worked examples of d2l's BLEU paragraph: label A B C D E F, prediction A B B C D has
    p_1 = 4/5, p_2 = 3/4, p_3 = 1/3, p_4 = 0; prediction A B with k=2 is scaled by
    exp(1 - 6/2) ~ 0.14."""
    label, pred = "A B C D E F", "A B B C D"
    for n, p in [(1, 4 / 5), (2, 3 / 4), (3, 1 / 3), (4, 0.0)]:
        assert ngram_precision(pred.split(), label.split(), n) == pytest.approx(p)
    assert bleu("A B", label, k=2) == pytest.approx(math.exp(-2))
    assert round(bleu("A B", label, k=2), 2) == 0.14
    # k = 3: BP = exp(1 - 6/5), times (4/5)^(1/2) (3/4)^(1/4) (1/3)^(1/8)
    expected = math.exp(1 - 6 / 5) * (4 / 5) ** 0.5 * (3 / 4) ** 0.25 * (1 / 3) ** 0.125
    assert bleu(pred, label, k=3) == pytest.approx(expected, rel=1e-12)
    assert bleu(pred, label, k=4) == 0.0  # p_4 = 0


# ------------------------------------------------------------------ hand-computed cases
def test_identical_sequences_score_one_for_every_k():
    for k in (1, 2, 3, 4, 10):
        assert bleu("the cat sat on the mat", "the cat sat on the mat", k) == 1.0


def test_brevity_penalty_only_for_short_predictions():
    # a prefix: every precision is 1, the score is the penalty exp(1 - 5/3)
    assert bleu("a b c", "a b c d e", k=2) == pytest.approx(math.exp(1 - 5 / 3))
    # longer than the label: no penalty; p_1 = 5/7, p_2 = 4/6
    expected = (5 / 7) ** 0.5 * (4 / 6) ** 0.25
    assert bleu("a b c d e x y", "a b c d e", k=2) == pytest.approx(expected)


def test_clipped_counts():
    # 'the' occurs twice in the label: of the prediction's seven 'the', two match
    assert ngram_precision(["the"] * 7, "the cat is on the mat".split(), 1) == pytest.approx(2 / 7)
    # the bigram 'the the' is not in the label at all
    assert ngram_precision(["the"] * 7, "the cat is on the mat".split(), 2) == 0.0
    # BP = exp(1 - 6/7) and p_1 = 2/7 (k = 1)
    expected = math.exp(min(0, 1 - 6 / 7)) * (2 / 7) ** 0.5
    assert bleu(" ".join(["the"] * 7), "the cat is on the mat", k=1) == pytest.approx(expected)


def test_clipping_per_ngram_not_per_token():
    # label 'a b a b': bigram 'a b' twice, 'b a' once; prediction 'a b a b a b' has 'a b' three
    # times (2 match) and 'b a' twice (1 matches): p_2 = 3/5
    assert ngram_precision("a b a b a b".split(), "a b a b".split(), 2) == pytest.approx(3 / 5)


def test_k_changes_the_weights():
    pred, label = "il est riche .", "il est calme ."
    assert bleu(pred, label, k=1) == pytest.approx((3 / 4) ** 0.5)
    assert bleu(pred, label, k=2) == pytest.approx((3 / 4) ** 0.5 * (1 / 3) ** 0.25)
    # p_3: 'il est riche', 'est riche .' -> 0 of 2 match
    assert bleu(pred, label, k=3) == 0.0


def test_orders_longer_than_the_prediction_are_left_out():
    """As in d2l: n runs to min(k, len_pred), so a one-token prediction is scored by p_1 and
    the brevity penalty alone, whatever k."""
    assert bleu("va", "va", k=4) == 1.0
    assert bleu("va", "va !", k=2) == pytest.approx(math.exp(1 - 2 / 1))
    assert bleu("x", "va !", k=2) == 0.0


def test_disjoint_and_empty_predictions_score_zero():
    assert bleu("x y z", "a b c", k=2) == 0.0
    assert bleu("", "a b c", k=2) == 0.0
    assert bleu([], ["a"], k=1) == 0.0


def test_token_lists_arrays_and_tensors_give_the_same_score():
    expected = bleu("je suis en retard ?", "je suis chez moi .", k=2)
    assert bleu("je suis en retard ?".split(), "je suis chez moi .".split(), 2) == expected
    assert bleu(("je", "suis", "en", "retard", "?"), "je suis chez moi .", 2) == expected
    # token indices: 1 je, 2 suis, 3 en, 4 retard, 5 ?, 6 chez, 7 moi, 8 .
    assert bleu([1, 2, 3, 4, 5], np.array([1, 2, 6, 7, 8]), 2) == pytest.approx(expected)
    assert bleu(shendu.tensor([1, 2, 3, 4, 5]), shendu.tensor([1, 2, 6, 7, 8]), 2) == \
        pytest.approx(expected)


def test_strings_split_on_any_whitespace():
    assert bleu("  va   !  ", "va !", k=2) == 1.0
    assert bleu("va\t!", "va !", k=2) == 1.0


def test_not_symmetric():
    # documented: the prediction comes first; swapping changes the brevity penalty
    assert bleu("a b", "a b c d", k=1) == pytest.approx(math.exp(1 - 2))
    assert bleu("a b c d", "a b", k=1) == pytest.approx(0.5 ** 0.5)


def test_exported_from_metrics_and_returns_a_float():
    assert shendu.metrics.bleu is bleu
    assert "bleu" in shendu.metrics.__all__
    assert type(bleu("va !", "va !", 2)) is float


# ------------------------------------------------------------------ mean_bleu
def test_mean_bleu_is_the_mean_of_sentence_scores():
    preds = ["va !", "il est riche .", "je suis en retard ?"]
    labels = ["va !", "il est calme .", "je suis chez moi ."]
    expected = np.mean([bleu(p, t, 2) for p, t in zip(preds, labels)])
    assert mean_bleu(preds, labels, k=2) == pytest.approx(expected)
    assert mean_bleu(preds, labels, k=2) == pytest.approx((1 + 0.658037 + 0.447214) / 3, abs=1e-6)
    assert mean_bleu([["a", "b"]], [["a", "b"]], 2) == 1.0


def test_mean_bleu_errors():
    with pytest.raises(ValueError, match="2 predicted sequences and 1 label"):
        mean_bleu(["a", "b"], ["a"], 2)
    with pytest.raises(ValueError, match="no sequences"):
        mean_bleu([], [], 2)
    with pytest.raises(TypeError, match="for one pair of sentences use bleu"):
        mean_bleu("va !", "va !", 2)


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("k", [0, -1])
def test_k_below_one(k):
    with pytest.raises(ValueError, match=rf"bleu: k .* must be >= 1, got k={k}"):
        bleu("a", "a", k)


@pytest.mark.parametrize("k", [2.0, "2", True, None])
def test_k_not_an_int(k):
    with pytest.raises(TypeError, match="bleu: k .* must be an int"):
        bleu("a", "a", k)


@pytest.mark.parametrize("label", ["", "   ", []])
def test_empty_label(label):
    with pytest.raises(ValueError, match="bleu: label_seq is empty"):
        bleu("a b", label, 2)


def test_bad_sequences():
    with pytest.raises(TypeError, match="bleu: pred_seq must be a string .* got int"):
        bleu(3, "a", 1)
    with pytest.raises(TypeError, match="bleu: label_seq must be a string .* got NoneType"):
        bleu("a", None, 1)
    with pytest.raises(TypeError, match="flat sequence of tokens .* use mean_bleu"):
        bleu([["a", "b"], ["c"]], "a b", 1)
    with pytest.raises(TypeError, match="1-D array of tokens, got shape"):
        bleu(np.zeros((2, 3), dtype=int), "a b", 1)


def test_ngram_precision_rejects_orders_out_of_range():
    with pytest.raises(ValueError, match=r"n must be in \[1, len\(pred_tokens\)\] = \[1, 2\]"):
        ngram_precision(["a", "b"], ["a"], 3)


def test_docstring_examples():
    result = doctest.testmod(BLEU_MODULE)
    assert result.attempted >= 4 and result.failed == 0
