"""GoogLeNet, ResNet and DenseNet: parameter counts, state_dict keys and shapes and eval-mode
logits against torchvision (golden file from tools/make_golden_zoo_modern.py), one epoch of
MNIST for the small configurations, and the errors for bad channel plans and small inputs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

import shendu
from shendu.models.densenet import DenseBlock, densenet121, densenet_mnist
from shendu.models.googlenet import INCEPTION_PLAN, GoogLeNet, Inception, googlenet, googlenet_mnist
from shendu.models.registry import model_spec
from shendu.models.resnet import BasicBlock, resnet18, resnet18_mnist, resnet34
from tests.golden_weights import fill_state
from tests.zoo import train_one_epoch

GOLDEN = json.loads((Path(__file__).parent / "golden" / "zoo_modern.json").read_text())
IMAGENET = {"googlenet": googlenet, "resnet18": resnet18, "resnet34": resnet34,
            "densenet121": densenet121}


def count(model) -> int:
    return sum(p.numel() for p in model.parameters())


# ---------------------------------------------------------------- reference architectures
@pytest.mark.parametrize("name, expected", [("googlenet", 6_624_904), ("resnet18", 11_689_512),
                                            ("resnet34", 21_797_672),
                                            ("densenet121", 7_978_856)])
def test_parameter_counts_match_the_references(name, expected):
    assert count(IMAGENET[name]()) == expected == GOLDEN["models"][name]["num_parameters"]


@pytest.mark.parametrize("name", sorted(IMAGENET))
def test_state_dict_keys_and_shapes_equal_torchvisions(name):
    ours = [[key, list(value.shape)] for key, value in IMAGENET[name]().state_dict().items()]
    assert ours == GOLDEN["models"][name]["state_dict"]


@pytest.mark.parametrize("name", sorted(IMAGENET))
def test_eval_logits_equal_torchvisions_with_the_same_weights(name):
    model = IMAGENET[name]()
    shapes = [(key, value.shape) for key, value in model.state_dict().items()]
    model.load_state_dict(fill_state(shapes, GOLDEN["weight_seed"]))
    model.eval()
    x = np.random.default_rng(GOLDEN["input_seed"]).standard_normal(GOLDEN["input_shape"])
    with shendu.no_grad():
        logits = model(shendu.from_numpy(x.astype(np.float32))).numpy()
    expected = np.array(GOLDEN["models"][name]["logits"], np.float32)
    assert logits.shape == expected.shape == (2, 1000)
    assert np.abs(logits - expected).max() <= 1e-4 * np.abs(expected).max()


def test_blocks_change_shapes_as_documented():
    x = shendu.randn(2, 192, 5, 5)
    assert Inception(192, 64, (96, 128), (16, 32), 32)(x).shape == (2, 256, 5, 5)
    assert BasicBlock(192, 64, stride=2)(x).shape == (2, 64, 3, 3)
    assert BasicBlock(192, 64, stride=2).downsample is not None
    assert BasicBlock(64, 64).downsample is None
    assert DenseBlock(3, 192, growth_rate=8, bn_size=None)(x).shape == (2, 216, 5, 5)


# ---------------------------------------------------------------- errors
def test_inception_rejects_non_positive_channels():
    with pytest.raises(ValueError, match=r"Inception: expected positive .*c1=0"):
        Inception(192, 0, (96, 128), (16, 32), 32)
    with pytest.raises(ValueError, match=r"Inception: .*c3=\(16,\)"):
        Inception(192, 64, (96, 128), (16,), 32)


def test_googlenet_names_the_block_whose_in_channels_do_not_chain():
    plan = dict(INCEPTION_PLAN)
    plan["inception4b"] = (500, 160, (112, 224), (24, 64), 64)
    message = r"block inception4b expects in_channels=500, but inception4a .* outputs 512"
    with pytest.raises(ValueError, match=message):
        GoogLeNet(plan=plan)
    plan = dict(INCEPTION_PLAN, inception3a=(192, 64, (96, -1), (16, 32), 32))
    with pytest.raises(ValueError, match=r"GoogLeNet: block inception3a: .*c2=\(96, -1\)"):
        GoogLeNet(plan=plan)


@pytest.mark.parametrize("build, size, stage, received, smallest", [
    (googlenet, 14, "maxpool3 (MaxPool2d)", "1x1", 15),
    (densenet121, 28, "features.transition3 (Transition)", "1x1", 29),
    (densenet_mnist, 12, "features.transition2 (Transition)", "1x1", 13),
])
def test_too_small_inputs_name_the_stage(build, size, stage, received, smallest):
    model = build()
    channels = model_channels(model)
    with pytest.raises(ValueError) as info:
        model(shendu.randn(2, channels, size, size))
    text = str(info.value)
    assert f"a {size}x{size} input is too small" in text
    assert f"stage {stage} receives {received}" in text
    assert f"at least {smallest}x{smallest}" in text
    model.eval()
    out = model(shendu.randn(1, channels, smallest, smallest))  # the smallest size works
    assert out.shape[0] == 1


def model_channels(model) -> int:
    first = model.features.conv0 if hasattr(model, "features") else model.conv1
    return first.in_channels if hasattr(first, "in_channels") else first.conv.in_channels


@pytest.mark.parametrize("build", [resnet18_mnist, googlenet_mnist])
def test_padded_downsampling_takes_tiny_inputs(build):
    # every downsampling conv and pool of these is padded: a 1x1 image goes through
    assert build().eval()(shendu.randn(1, 1, 1, 1)).shape == (1, 10)


# ---------------------------------------------------------------- MNIST configurations
@pytest.mark.parametrize("name, build", [("googlenet", googlenet_mnist),
                                         ("resnet18", resnet18_mnist),
                                         ("densenet", densenet_mnist)])
def test_registered_as_the_mnist_configuration(name, build):
    spec = model_spec(name)
    assert spec.build is build and "MNIST-sized configuration" in spec.description
    assert spec.input_shape == (1, 28, 28)
    assert build().eval()(shendu.randn(2, 1, 28, 28)).shape == (2, 10)
    assert build(num_classes=3, in_channels=2).eval()(shendu.randn(2, 2, 28, 28)).shape == (2, 3)


# build -> (peak Adam learning rate, batch size) of one epoch on 5,000 images with a one-cycle
# schedule, from manual_seed(0). Chosen on seed 0, confirmed on seeds 1 and 2 (single-threaded
# OpenBLAS; manual_seed(s) and train_one_epoch(seed=s)), test accuracy for seeds 0 / 1 / 2:
#   googlenet_mnist  5e-3, 32   93.75 / 93.83 / 93.96%  (seed 3: 92.66%; 2e-3: 91.96 / 91.40%)
#   resnet18_mnist   2e-3, 32   94.06 / 93.73 / 94.27%
#   densenet_mnist   3e-3, 32   96.00 / 96.37 / 96.16%
# With each recipe's constant learning rate instead (1e-3, 5e-4, 1e-3) seed 0 gave 90.86%,
# 92.80% and 93.48% with one BLAS thread, and GoogLeNet 88.75% with two: too close to call.
ONE_EPOCH = {googlenet_mnist: (5e-3, 32), resnet18_mnist: (2e-3, 32),
             densenet_mnist: (3e-3, 32)}


@pytest.mark.parametrize("build", list(ONE_EPOCH))
def test_one_epoch_on_5000_mnist_images_reaches_90_percent(build):
    shendu.manual_seed(0)
    model = build()
    lr, batch_size = ONE_EPOCH[build]
    start = time.perf_counter()
    accuracy = train_one_epoch(model, lr=lr, batch_size=batch_size, one_cycle=True)
    seconds = time.perf_counter() - start
    print(f"{build.__name__}: test accuracy {accuracy:.4f} after one epoch in {seconds:.1f} s")
    assert accuracy >= 0.90
