"""The model registry: what ``shendu train NAME`` and ``shendu summary NAME`` know.

A model registers a factory ``fn(num_classes=10, in_channels=1) -> Module`` under a name,
with a one-line description and its default training recipe (the options ``shendu train``
uses unless told otherwise)::

    @register_model("lenet", "LeNet-5 ...", recipe=Recipe(optimizer="sgd", lr=0.05, ...))
    def lenet(num_classes=10, in_channels=1): ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shendu.nn import Module


@dataclass(frozen=True)
class Recipe:
    """Default training options of a registered model."""

    optimizer: str = "adam"
    lr: float = 1e-3
    epochs: int = 10
    batch_size: int = 128
    momentum: float = 0.0
    weight_decay: float = 0.0
    lr_step_gamma: float | None = None      # multiply the lr by this after every epoch
    label_smoothing: float = 0.0
    random_shift: float = 0.0               # augment: shift images by up to this fraction


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    build: Callable[..., Module]
    recipe: Recipe
    input_shape: tuple[int, ...] = (1, 28, 28)


MODELS: dict[str, ModelSpec] = {}

# The zoo's networks that are not trained by ``shendu train`` (an image classifier's loop):
# ``shendu models`` lists them with what builds or trains them.
OTHER_MODELS: dict[str, str] = {
    "ImageNet configurations (alexnet, vgg11 ... vgg19_bn, googlenet, resnet18, resnet34, "
    "densenet121)": "shendu.models.resnet18(num_classes=1000), ...",
    "autoencoders (basic, sparse, stacked, contractive, denoising)":
        "python examples/autoencoders.py",
    "SiameseNet (triplet loss, verification, one-shot)": "python examples/metric_learning.py",
    "neural style transfer (Gatys et al.)": "python examples/style_transfer.py",
    "transfer learning (frozen or fine-tuned LeNet)": "python examples/transfer_learning.py",
    "RNNLM, RNNLMScratch (character language models)": "python examples/time_machine_lm.py",
}


def register_model(name: str, description: str, recipe: Recipe | None = None,
                   input_shape: tuple[int, ...] = (1, 28, 28)):
    """Decorator: register the factory under ``name``."""

    def decorate(build: Callable[..., Module]) -> Callable[..., Module]:
        if name in MODELS:
            raise ValueError(f"register_model: a model named {name!r} is already registered")
        MODELS[name] = ModelSpec(name, description, build, recipe or Recipe(), input_shape)
        return build

    return decorate


def get_model(name: str, **kwargs) -> Module:
    """Build the registered model ``name`` (keyword arguments go to its factory)."""
    return model_spec(name).build(**kwargs)


def model_spec(name: str) -> ModelSpec:
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(sorted(MODELS))}")
    return MODELS[name]


def list_models() -> list[str]:
    return sorted(MODELS)
