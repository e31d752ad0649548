"""Metric learning (shendu.models.metric): a Siamese MLP trained with the triplet loss verifies
pairs of held-out MNIST digits and classifies them one-shot; the sampler, the threshold choice,
the triplet loss against torch and bad input."""

from __future__ import annotations

import numpy as np
import pytest

import shendu
from shendu import nn
from shendu.data.datasets import MNIST
from shendu.models.metric import (
    SiameseNet,
    TripletSampler,
    choose_threshold,
    embed,
    make_pairs,
    one_shot_classify,
    pair_distances,
    semi_hard_negatives,
    train_triplet,
    verification_accuracy,
)
from shendu.nn import functional as F


@pytest.fixture(scope="module")
def mnist() -> dict:
    """10,000 training images, 5,000 other training images for validation pairs, and the
    MNIST test set; (N, 1, 28, 28) float32 pixels in [0, 1]."""
    train, test = MNIST(train=True), MNIST(train=False)
    order = np.random.default_rng(0).permutation(len(train.targets))

    def images(data):
        return (data.astype(np.float32) / 255.0)[:, None]

    fit, val = order[:10000], order[-5000:]
    return {"X": images(train.data[fit]), "y": train.targets[fit],
            "X_val": images(train.data[val]), "y_val": train.targets[val],
            "X_test": images(test.data), "y_test": test.targets}


@pytest.fixture(scope="module")
def net(mnist) -> SiameseNet:
    """The MLP embedding after 4 epochs of 10,000 semi-hard triplets."""
    shendu.manual_seed(0)
    model = SiameseNet(32, backbone="mlp")
    train_triplet(model, mnist["X"], mnist["y"], epochs=4, batch_size=128, lr=2e-3, margin=0.5,
                  mining="semi-hard")
    return model


def test_verification_accuracy_on_held_out_pairs(net, mnist):
    rng = np.random.default_rng(1)
    i, j, same = make_pairs(mnist["y_val"], 2000, rng)
    tau = choose_threshold(pair_distances(net, mnist["X_val"][i], mnist["X_val"][j]), same)
    i, j, same = make_pairs(mnist["y_test"], 2000, rng)
    assert same.mean() == 0.5
    assert np.all(mnist["y_test"][i][same] == mnist["y_test"][j][same])
    assert np.all(mnist["y_test"][i][~same] != mnist["y_test"][j][~same])
    decided = net.verify(shendu.from_numpy(mnist["X_test"][i]),
                         shendu.from_numpy(mnist["X_test"][j]), tau)
    assert decided.dtype == bool and decided.shape == (2000,)
    # measured 0.966 (tau 1.19 on unit-length embeddings)
    assert np.mean(decided == same) >= 0.95


def test_one_shot_classification(net, mnist):
    rng = np.random.default_rng(2)
    y = mnist["y"]
    accuracies = []
    for _ in range(3):  # three support sets of one training image per digit
        support = np.array([rng.choice(np.flatnonzero(y == c)) for c in range(10)])
        predicted = one_shot_classify(net, mnist["X"][support], y[support], mnist["X_test"])
        accuracies.append(np.mean(predicted == mnist["y_test"]))
    # measured 0.951 on average over five support sets (0.938 to 0.958)
    assert np.mean(accuracies) > 0.90


def test_embeddings_are_unit_vectors(net, mnist):
    z = embed(net, mnist["X_test"][:50])
    assert z.shape == (50, 32)
    np.testing.assert_allclose(np.linalg.norm(z, axis=1), 1.0, rtol=1e-5)
    assert net.training  # embed restores the mode


# ------------------------------------------------------------------ pieces
def test_triplet_sampler_draws_valid_triplets():
    labels = np.array([0, 0, 1, 1, 1, 2, 2, 3])  # class 3 has one example: never an anchor
    a, p, n = TripletSampler(labels, np.random.default_rng(0)).sample(500)
    assert np.all(a != p)
    assert np.all(labels[a] == labels[p]) and np.all(labels[a] != labels[n])
    assert not np.any(labels[a] == 3)
    assert set(labels[n]) == {0, 1, 2, 3}


def test_choose_threshold_maximises_accuracy():
    distances = np.array([0.1, 0.2, 0.35, 0.4, 0.5, 0.9])
    same = np.array([True, True, False, True, True, False])
    tau = choose_threshold(distances, same)
    assert tau == pytest.approx(0.7)  # between 0.5 (the last accepted) and 0.9
    assert verification_accuracy(distances, same, tau) == pytest.approx(5 / 6)
    assert choose_threshold([0.5, 0.7], [False, False]) == pytest.approx(0.25)  # accept none


def test_semi_hard_negatives():
    # anchor at 0, positive at 1 (d = 1), margin 0.5: a negative at 1.2 is semi-hard
    z = np.array([[0.0], [1.0], [0.5], [1.2], [3.0]])
    labels = np.array([0, 0, 1, 1, 1])
    assert semi_hard_negatives(z, labels, 1, margin=0.5).tolist() == [3]
    # no negative in (1, 1.5): the farthest one
    assert semi_hard_negatives(z[[0, 1, 2, 4]], labels[[0, 1, 2, 4]], 1, 0.5).tolist() == [3]


def test_one_shot_classify_is_nearest_neighbour():
    net = SiameseNet(8, backbone="mlp", normalize=False)
    support = shendu.rand(3, 784)
    queries = support.numpy()[[2, 0, 1, 2]] + 1e-4
    assert one_shot_classify(net, support, [7, 8, 9], queries).tolist() == [9, 7, 8, 9]


@pytest.mark.torch
@pytest.mark.parametrize("margin, p, swap", [(1.0, 2.0, False), (0.5, 2.0, True),
                                             (0.2, 1.0, False), (2.0, 3.0, True)])
def test_triplet_loss_matches_torch(margin, p, swap):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a, pos, neg = (rng.normal(size=(20, 5)) for _ in range(3))
    ours = nn.TripletMarginLoss(margin=margin, p=p, swap=swap)(
        *(shendu.tensor(v, requires_grad=True) for v in (a, pos, neg)))
    theirs = torch.nn.TripletMarginLoss(margin=margin, p=p, swap=swap)(
        *(torch.tensor(v) for v in (a, pos, neg)))
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-10)
    none = F.triplet_margin_loss(*(shendu.tensor(v) for v in (a, pos, neg)), margin=margin,
                                 p=p, swap=swap, reduction="none").numpy()
    expected = torch.nn.functional.triplet_margin_loss(
        *(torch.tensor(v) for v in (a, pos, neg)), margin=margin, p=p, swap=swap,
        reduction="none").numpy()
    np.testing.assert_allclose(none, expected, rtol=1e-10)
    assert np.any(none > 0)  # not every triplet is past the margin


# ------------------------------------------------------------------ bad input
def test_negative_threshold():
    net = SiameseNet(8, backbone="mlp")
    x = shendu.rand(2, 784)
    with pytest.raises(ValueError, match="SiameseNet.verify: threshold .* >= 0, got -0.5"):
        net.verify(x, x, -0.5)


def test_wrong_image_size():
    with pytest.raises(ValueError, match=r"SiameseNet: expected 28x28 images.*got shape "
                                         r"\(2, 1, 32, 32\)"):
        SiameseNet(8)(shendu.rand(2, 1, 32, 32))


def test_bad_options():
    with pytest.raises(ValueError, match="SiameseNet: backbone must be 'cnn' or 'mlp', got 'rnn'"):
        SiameseNet(backbone="rnn")
    with pytest.raises(ValueError, match=r"TripletSampler: needs at least 2 classes.*\[4\]"):
        TripletSampler(np.array([4, 4, 4]))
    with pytest.raises(ValueError, match="train_triplet: mining must be"):
        train_triplet(SiameseNet(8, backbone="mlp"), np.zeros((4, 784)), np.array([0, 0, 1, 1]),
                      mining="hard")
    with pytest.raises(ValueError, match=r"one_shot_classify: 3 support images but 2 labels"):
        one_shot_classify(SiameseNet(8, backbone="mlp"), shendu.rand(3, 784), [0, 1],
                          shendu.rand(1, 784))
