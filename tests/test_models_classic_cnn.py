"""The classic CNNs of the model zoo: LeNet (three variants), AlexNet, VGG and NiN.

* The ImageNet constructors have torchvision's parameter counts, state_dict keys and shapes,
  and its logits for the same weights (golden file from tools/make_golden_zoo_classic.py).
* The MNIST-sized configurations of the registry learn MNIST to 90% test accuracy in one epoch
  on 5,000 images (with the training settings of ``SMALL``).
* Configurations that cannot work fail with errors that name the layer or block.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import numpy as np
import pytest

import shendu
from shendu import nn
from shendu.models.alexnet import AlexNet, alexnet, alexnet_small
from shendu.models.classic import MLP, SoftmaxRegression, mlp, softmax_regression
from shendu.models.classic import lenet as classic_lenet
from shendu.models.lenet import LeNet, bn_lenet, init_cnn, lenet, lenet_1998
from shendu.models.nin import NiN, nin_block, nin_small
from shendu.models.registry import get_model, model_spec
from shendu.models.vgg import VGG, VGG_ARCHS, vgg11, vgg11_bn, vgg11_small, vgg16, vgg19
from tests.golden_weights import fill_state
from tests.zoo import train_one_epoch

GOLDEN = Path(__file__).parent / "golden" / "zoo_classic.json"


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(GOLDEN.read_text())


# ---------------------------------------------------------------------------- ImageNet layouts
# the VGGs skip torchvision's initialisation (init_weights=False): only the layout is checked
# here, and the golden weights replace the initial ones
IMAGENET = {"alexnet": alexnet, "vgg11": partial(vgg11, init_weights=False),
            "vgg11_bn": partial(vgg11_bn, init_weights=False),
            "vgg16": partial(vgg16, init_weights=False),
            "vgg19": partial(vgg19, init_weights=False)}
PAPER_COUNTS = {"alexnet": 61_100_840, "vgg11": 132_863_336, "vgg11_bn": 132_868_840,
                "vgg16": 138_357_544, "vgg19": 143_667_240}


@pytest.mark.parametrize("name", list(IMAGENET))
def test_imagenet_model_matches_torchvision(name, golden):
    """Same keys, shapes and parameter count as torchvision; with the golden weights loaded,
    the same logits (float32, to 1e-4 of the largest logit)."""
    entry = golden["models"][name]
    model = IMAGENET[name]()
    state = model.state_dict()
    assert [[key, list(value.shape)] for key, value in state.items()] == entry["keys"]
    count = sum(p.numel() for p in model.parameters())
    assert count == entry["num_parameters"] == PAPER_COUNTS[name]
    if name not in ("alexnet", "vgg11_bn"):  # vgg11_bn's logits cover VGG's code paths
        return
    weights = fill_state(entry["keys"], golden["seed"])
    assert model.load_state_dict(weights) == ([], [])
    del weights
    size = entry["input_size"]
    x = np.random.default_rng(golden["seed"] + 1).standard_normal((2, 3, size, size),
                                                                   dtype=np.float32)
    model.eval()
    with shendu.no_grad():
        logits = model(shendu.from_numpy(x)).numpy()
    expected = np.array(entry["logits"], dtype=np.float32)
    assert logits.shape == expected.shape == (2, 1000)
    np.testing.assert_allclose(logits, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


def test_vgg19_features_are_indexed_as_torchvision(golden):
    """Style transfer picks layers of ``vgg19().features`` by index: convolutions at the
    indices of torchvision's keys, ReLU right after each, max pools at 4, 9, 18, 27, 36."""
    features = VGG(VGG_ARCHS["vgg19"], hidden=8, pool_size=1, init_weights=False).features
    conv_indices = sorted({int(key.split(".")[1]) for key, _ in golden["models"]["vgg19"]["keys"]
                           if key.startswith("features.")})
    assert len(features) == 37 and len(conv_indices) == 16
    for i, layer in enumerate(features):
        expected = (nn.Conv2d if i in conv_indices else nn.MaxPool2d if i in (4, 9, 18, 27, 36)
                    else nn.ReLU)
        assert type(layer) is expected, (i, layer)
    assert features[28].in_channels == 512 and len(features[:29]) == 29


def test_alexnet_lrn_shifts_the_feature_indices():
    """LRN has no weights but is an entry of ``features``: with lrn=True the convolutions sit
    at 0, 4, 8, 10, 12 instead of torchvision's 0, 3, 6, 8, 10; the classifier is unchanged."""
    def conv_indices(model):
        return [i for i, layer in enumerate(model.features) if isinstance(layer, nn.Conv2d)]

    plain, normed = AlexNet(hidden=8), AlexNet(hidden=8, lrn=True)
    assert conv_indices(plain) == [0, 3, 6, 8, 10]
    assert conv_indices(normed) == [0, 4, 8, 10, 12]
    assert [type(normed.features[i]) for i in (2, 6)] == [nn.LocalResponseNorm] * 2
    assert [k for k in normed.state_dict() if k.startswith("classifier")] == \
        [k for k in plain.state_dict() if k.startswith("classifier")]


# ---------------------------------------------------------------------------- LeNet, MLP
def test_lenet_keeps_its_checkpoint_layout():
    """Checkpoints of the modern LeNet (and tests/test_cli.py) rely on these exact keys."""
    model = lenet()
    assert isinstance(model, LeNet) and classic_lenet is lenet
    assert {k: tuple(v.shape) for k, v in model.state_dict().items()} == {
        "0.weight": (6, 1, 5, 5), "0.bias": (6,), "3.weight": (16, 6, 5, 5), "3.bias": (16,),
        "7.weight": (120, 400), "7.bias": (120,), "9.weight": (84, 120), "9.bias": (84,),
        "11.weight": (10, 84), "11.bias": (10,)}
    assert [type(m) for m in model][:3] == [nn.Conv2d, nn.ReLU, nn.MaxPool2d]


def test_lenet_variants():
    old, normed = lenet_1998(), bn_lenet()
    assert [type(m) for m in old][:3] == [nn.Conv2d, nn.Sigmoid, nn.AvgPool2d]
    assert list(old.state_dict()) == list(lenet().state_dict())
    # BN sits between each conv/dense layer and its sigmoid
    types = [type(m) for m in normed]
    assert types[:4] == [nn.Conv2d, nn.BatchNorm2d, nn.Sigmoid, nn.AvgPool2d]
    assert types[9:12] == [nn.Linear, nn.BatchNorm1d, nn.Sigmoid]
    assert types.count(nn.BatchNorm2d) == 2 and types.count(nn.BatchNorm1d) == 2
    assert sum(p.numel() for p in normed.parameters()) == \
        sum(p.numel() for p in old.parameters()) + 2 * (6 + 16 + 120 + 84)


def test_mlp_and_softmax_regression_keep_their_keys():
    assert isinstance(mlp(), MLP) and isinstance(softmax_regression(), SoftmaxRegression)
    assert list(mlp().state_dict()) == ["1.weight", "1.bias", "4.weight", "4.bias",
                                        "7.weight", "7.bias"]
    assert {k: tuple(v.shape) for k, v in softmax_regression().state_dict().items()} == {
        "1.weight": (10, 784), "1.bias": (10,)}
    assert MLP(hidden=(32,))(shendu.randn(3, 1, 28, 28)).shape == (3, 10)


# ---------------------------------------------------------------------------- MNIST training
# name -> (peak Adam learning rate, batch size, one-cycle schedule) of one epoch on 5,000
# images from manual_seed(0); every model must reach 90% test accuracy (the bar).
# Settings were chosen on seed 0 and then confirmed on seeds 1 and 2 (manual_seed(s) and
# train_one_epoch(seed=s)), single-threaded OpenBLAS, test accuracy for seeds 0 / 1 / 2:
#   lenet       5e-3, 32, one-cycle  94.9 / 95.2 / 95.2%   (2e-3, 64, constant: 91.2 / 90.2
#                                                           / 91.7%, too close to call)
#   lenet-1998  2e-2,  8, one-cycle  93.3 / 94.0 / 92.9%
#   bn-lenet    5e-3,  8, constant   92.5 / 91.9 / 92.6%
#   alexnet     1e-3, 16, constant   93.9 / 93.4 / 92.3%   (dropout 0.2)
#   vgg11       2e-3, 16, one-cycle  93.0 / 92.1 / 93.6%   (He init, dropout 0.2)
#   nin         5e-3, 32, one-cycle  96.0 / 95.5 / 96.3% (seed 3: 95.6%; batch norm, class
#                                                         block 48-48-10, dropout 0.2)
# Without batch norm NiN reached 90.7 / 92.0 / 90.7% with single-threaded BLAS but 79.5% on
# seed 0 with two threads: one short epoch of twelve plain ReLU layers is that fragile.
SMALL = {"lenet": (5e-3, 32, True), "lenet-1998": (2e-2, 8, True),
         "bn-lenet": (5e-3, 8, False), "alexnet": (1e-3, 16, False),
         "vgg11": (2e-3, 16, True), "nin": (5e-3, 32, True)}


@pytest.mark.parametrize("name", list(SMALL))
def test_small_configuration_learns_mnist_in_one_epoch(name):
    shendu.manual_seed(0)
    model = get_model(name)
    lr, batch_size, one_cycle = SMALL[name]
    assert train_one_epoch(model, lr=lr, batch_size=batch_size, one_cycle=one_cycle) >= 0.90


@pytest.mark.parametrize("name", list(SMALL))
def test_small_configuration_shapes(name):
    spec = model_spec(name)
    assert spec.input_shape == (1, 28, 28)
    if name != "lenet":
        assert "MNIST-sized configuration" in spec.description
    assert get_model(name)(shendu.randn(2, 1, 28, 28)).shape == (2, 10)
    assert get_model(name, num_classes=7, in_channels=3)(shendu.randn(2, 3, 28, 28)).shape \
        == (2, 7)


def test_small_factories_are_the_registered_ones():
    for name, factory in [("lenet", lenet), ("lenet-1998", lenet_1998), ("bn-lenet", bn_lenet),
                          ("alexnet", alexnet_small), ("vgg11", vgg11_small),
                          ("nin", nin_small)]:
        assert model_spec(name).build is factory


# ---------------------------------------------------------------------------- errors
def test_vgg_too_small_image_fails_at_construction():
    with pytest.raises(ValueError, match=r"image_size=16 is too small: block 5 of 5 "
                                         r"\(features\.20, MaxPool2d 2x2\) gets a 1x1 map.*"
                                         r"at least 32x32"):
        VGG(VGG_ARCHS["vgg11"], hidden=8, image_size=16)
    VGG(VGG_ARCHS["vgg11"], hidden=8, image_size=32, init_weights=False)  # just enough


def test_vgg_too_small_input_fails_at_forward_naming_the_block():
    model = VGG(((1, 4), (2, 4), (1, 4)), num_classes=3, hidden=8, pool_size=1)
    assert model(shendu.randn(1, 3, 8, 8)).shape == (1, 3)
    with pytest.raises(ValueError, match=r"VGG: input of shape \(1, 3, 4, 4\) is too small: "
                                         r"block 3 of 3 \(features\.10, MaxPool2d 2x2\) gets "
                                         r"a 1x1 map"):
        model(shendu.randn(1, 3, 4, 4))


@pytest.mark.parametrize("arch, error, message", [
    ((), TypeError, "non-empty sequence"),
    (((1, 64), (2,)), TypeError, r"block 1 of arch must be a pair of ints"),
    (((1, 64), (1.5, 128)), TypeError, r"block 1 of arch must be a pair of ints"),
    (((0, 64),), ValueError, r"block 0 of arch needs num_convs >= 1 .* got \(0, 64\)"),
    (((1, -8),), ValueError, r"out_channels >= 1, got \(1, -8\)"),
])
def test_vgg_bad_block_specs(arch, error, message):
    with pytest.raises(error, match=message):
        VGG(arch, hidden=8)


def test_lenet_nin_alexnet_errors():
    with pytest.raises(ValueError, match=r"LeNet: expected input of shape \(N, C, 28, 28\).*"
                                         r"got \(2, 1, 32, 32\)"):
        lenet()(shendu.randn(2, 1, 32, 32))
    with pytest.raises(ValueError, match=r"variant must be one of 'modern', '1998', 'bn', "
                                         r"got 'relu'"):
        LeNet(variant="relu")
    with pytest.raises(ValueError, match=r"NiN: block 0 of arch needs positive"):
        NiN(((16, 0, 1, 1),), num_classes=10, in_channels=1)
    with pytest.raises(TypeError, match=r"NiN: block 1 of arch must be 4 ints"):
        NiN(((16, 3, 1, 1), (16, 3)), num_classes=10, in_channels=1)
    with pytest.raises(ValueError, match=r"AlexNet: widths must give the channels of 5"):
        AlexNet(widths=(64, 192, 384))
    # the ImageNet stem leaves a 1x1 map before the last 3x3 pool of a 32x32 image
    with pytest.raises(ValueError, match=r"features\.12 \(MaxPool2d\): the output would have "
                                         r"size \(0, 0\)"):
        AlexNet(hidden=8)(shendu.randn(1, 3, 32, 32))


def test_nin_block_shapes():
    block = nin_block(3, 8, kernel_size=5, stride=2, padding=1)
    assert [type(m) for m in block] == [nn.Conv2d, nn.ReLU] * 3
    assert block[2].kernel_size == (1, 1) and block(shendu.randn(2, 3, 11, 11)).shape == \
        (2, 8, 5, 5)
    small = nin_small()
    assert [type(m) for m in small][-3:] == [nn.Sequential, nn.GlobalAvgPool2d, nn.Flatten]
    assert not any(isinstance(m, nn.Linear) for m in small.modules())
    # the small class block widens its hidden 1x1 layers (48-48-10); d2l's NiN keeps 10-10-10
    assert [m.out_channels for m in small[-3] if isinstance(m, nn.Conv2d)] == [48, 48, 10]
    assert sum(isinstance(m, nn.BatchNorm2d) for m in small.modules()) == 12
    assert [m.out_channels for m in NiN(((8, 3, 1, 1),), num_classes=5, in_channels=1)[-3]
            if isinstance(m, nn.Conv2d)] == [5, 5, 5]
    wide = nin_block(4, 3, kernel_size=3, padding=1, hidden_channels=16)
    assert [m.out_channels for m in wide if isinstance(m, nn.Conv2d)] == [16, 16, 3]
    assert wide(shendu.randn(2, 4, 6, 6)).shape == (2, 3, 6, 6)


def test_init_cnn_schemes():
    """Xavier: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)); He: N(0, 2 / fan_in); biases 0."""
    shendu.manual_seed(0)
    model = init_cnn(nn.Sequential(nn.Linear(400, 300), nn.ReLU(), nn.Linear(300, 10)))
    weight = model[0].weight.detach().numpy()
    bound = np.sqrt(6 / 700)
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.99 * bound
    assert np.all(model[0].bias.detach().numpy() == 0)
    init_cnn(model, scheme="kaiming")
    assert abs(model[0].weight.detach().numpy().std() - np.sqrt(2 / 400)) < 0.03 * np.sqrt(2 / 400)
    assert abs(model[2].weight.detach().numpy().std() - np.sqrt(2 / 300)) < 0.2 * np.sqrt(2 / 300)
    with pytest.raises(ValueError, match=r"init_cnn: scheme must be 'xavier' or 'kaiming', "
                                         r"got 'he'"):
        init_cnn(model, scheme="he")


def test_small_configurations_use_he_init_where_stated():
    """vgg11 starts from N(0, 2 / fan_in) (He), alexnet and the LeNets from Xavier."""
    shendu.manual_seed(0)
    conv = vgg11_small().features[3]  # 8 -> 16 channels, fan_in 72
    assert abs(conv.weight.detach().numpy().std() - np.sqrt(2 / 72)) < 0.1 * np.sqrt(2 / 72)
    conv = alexnet_small().features[0]  # 1 -> 12 channels 5x5: Xavier bound sqrt(6 / 325)
    assert np.abs(conv.weight.detach().numpy()).max() <= np.sqrt(6 / (25 + 300))
