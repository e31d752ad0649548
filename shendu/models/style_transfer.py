"""Neural style transfer (Gatys, Ecker and Bethge, 2016), as in d2l's "Neural Style Transfer".

A fixed convolutional network (VGG-19's ``features`` in the paper) describes an image by its
activations. The synthesised image starts as the content image, and its pixels (the only
parameters) are optimised so that

- its activations at the *content layers* stay close to the content image's (content loss),
- the channel correlations (Gram matrices) of its activations at the *style layers* come close
  to the style image's (style loss),
- neighbouring pixels stay similar (total variation loss, against high-frequency noise).

With pretrained weights, the extractor is ``shendu.models.vgg.vgg19().features`` after loading
a PyTorch VGG-19 ``state_dict`` saved as safetensors (in PyTorch:
``safetensors.torch.save_file(model.state_dict(), "vgg19.safetensors")``) with
``model.load_state_dict(shendu.load(path))``; ``examples/style_transfer.py --weights`` also
reads a ``torch.save`` file when PyTorch is installed. d2l's layer choice is
``style_layers = [0, 5, 10, 19, 28]`` and ``content_layers = [25]``, on images normalised with
the ImageNet mean and standard deviation (:func:`preprocess`).

>>> from shendu import nn
>>> net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1))
>>> extractor = FeatureExtractor(net, content_layers=[2], style_layers=[0, 2])
>>> contents, styles = extractor(shendu.randn(1, 3, 8, 8))
>>> [c.shape for c in contents], len(styles)
([(1, 4, 8, 8)], 2)
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

import shendu
from shendu import nn
from shendu.tensor import Tensor

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
D2L_STYLE_LAYERS = (0, 5, 10, 19, 28)   # the first conv of each VGG-19 block
D2L_CONTENT_LAYERS = (25,)              # the last conv of the fourth block


def _check_4d(fn: str, name: str, x) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}: {name} must be a shendu Tensor, got {type(x).__name__}")
    if x.ndim != 4:
        raise ValueError(f"{fn}: {name} must have shape (N, C, H, W), got {x.shape}")


def gram_matrix(features: Tensor) -> Tensor:
    """Channel correlations of a feature map, normalised by its size (as d2l):

        G[n, i, j] = sum over (h, w) of X[n, i, h, w] X[n, j, h, w] / (C * H * W)

    Dividing by C * H * W (not H * W alone, nor 4 C^2 (HW)^2 as Gatys et al.) keeps style
    losses of layers of different sizes comparable.

    Shape:
        features: (N, C, H, W) or (C, H, W); returns (N, C, C) or (C, C).
    """
    if not isinstance(features, Tensor):
        raise TypeError(f"gram_matrix: features must be a shendu Tensor, "
                        f"got {type(features).__name__}")
    if features.ndim == 3:
        return gram_matrix(features.unsqueeze(0))[0]
    if features.ndim != 4:
        raise ValueError(f"gram_matrix: features must have shape (N, C, H, W) or (C, H, W), "
                         f"got {features.shape}")
    n, c, h, w = features.shape
    flat = features.reshape(n, c, h * w)
    return shendu.bmm(flat, flat.transpose(1, 2)) / (c * h * w)


def content_loss(y_hat: Tensor, y: Tensor) -> Tensor:
    """mean((Y_hat - Y)^2) over all elements; Y is a fixed target (detached)."""
    if tuple(y_hat.shape) != tuple(y.shape):
        raise ValueError(f"content_loss: y_hat and y must have the same shape, got "
                         f"{y_hat.shape} and {y.shape}")
    return ((y_hat - y.detach()) ** 2).mean()


def style_loss(y_hat: Tensor, gram_y: Tensor) -> Tensor:
    """mean((gram_matrix(Y_hat) - G_Y)^2), with G_Y the style image's Gram matrix (detached).

    Shape:
        y_hat: (N, C, H, W); gram_y: (N, C, C) or (C, C) (broadcast over the batch).
    """
    gram = gram_matrix(y_hat)
    if tuple(gram_y.shape[-2:]) != tuple(gram.shape[-2:]):
        raise ValueError(f"style_loss: gram_y must be ({gram.shape[-1]}, {gram.shape[-1]}) "
                         f"for features with {gram.shape[-1]} channels, got {gram_y.shape}")
    return ((gram - gram_y.detach()) ** 2).mean()


def total_variation_loss(y_hat: Tensor) -> Tensor:
    """0.5 * (mean |x[:, :, 1:, :] - x[:, :, :-1, :]| + mean |x[:, :, :, 1:] - x[:, :, :, :-1]|):
    the mean absolute difference between vertical, then horizontal, neighbours (d2l's TV loss).

    Shape:
        y_hat: (N, C, H, W) with H, W >= 2; returns a scalar.
    """
    _check_4d("total_variation_loss", "y_hat", y_hat)
    if y_hat.shape[2] < 2 or y_hat.shape[3] < 2:
        raise ValueError(f"total_variation_loss: the image must be at least 2 x 2, "
                         f"got {y_hat.shape}")
    vertical = (y_hat[:, :, 1:, :] - y_hat[:, :, :-1, :]).abs().mean()
    horizontal = (y_hat[:, :, :, 1:] - y_hat[:, :, :, :-1]).abs().mean()
    return 0.5 * (vertical + horizontal)


def _layer_list(name: str, layers, depth: int) -> list[int]:
    layers = [int(i) for i in layers]
    bad = [i for i in layers if not 0 <= i < depth]
    if bad:
        raise ValueError(f"FeatureExtractor: {name} {bad} out of range: the network has "
                         f"{depth} layers (indices 0..{depth - 1})")
    return layers


class FeatureExtractor(nn.Module):
    """Run the layers of a Sequential up to the last one needed and collect the outputs of the
    content and style layers (the output *of* layer i, counting from 0).

    The network is cut after ``max(content_layers + style_layers)``; the layers are shared,
    not copied, with ``net``.

    Args:
        net: an ``nn.Sequential`` (e.g. ``vgg19().features``).
        content_layers, style_layers: layer indices in ``net``.

    Returns (forward):
        (contents, styles): lists of Tensors (N, C_i, H_i, W_i), in the order of the indices.
    """

    def __init__(self, net: nn.Sequential, content_layers: Sequence[int],
                 style_layers: Sequence[int]) -> None:
        super().__init__()
        if not isinstance(net, nn.Sequential):
            raise TypeError(f"FeatureExtractor: net must be an nn.Sequential, "
                            f"got {type(net).__name__}")
        self.content_layers = _layer_list("content_layers", content_layers, len(net))
        self.style_layers = _layer_list("style_layers", style_layers, len(net))
        if not self.content_layers and not self.style_layers:
            raise ValueError("FeatureExtractor: give at least one content or style layer")
        last = max(self.content_layers + self.style_layers)
        self.net = net[:last + 1]

    def forward(self, x: Tensor) -> tuple[list[Tensor], list[Tensor]]:
        outputs = {}
        wanted = set(self.content_layers) | set(self.style_layers)
        for i, layer in enumerate(self.net):
            x = layer(x)
            if i in wanted:
                outputs[i] = x
        return ([outputs[i] for i in self.content_layers],
                [outputs[i] for i in self.style_layers])


def _sum(terms: list, like: Tensor) -> Tensor:
    """The sum of the loss terms (a zero of ``like``'s dtype when there are none)."""
    if not terms:
        return shendu.zeros((), dtype=like.dtype)
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def style_transfer_loss(image: Tensor, extractor: FeatureExtractor, content_targets: list,
                        style_grams: list, weights: Sequence[float]) -> dict[str, Tensor]:
    """The weighted losses of ``image``: content (summed over content layers), style (summed
    over style layers), TV, and their sum ``total``."""
    content_weight, style_weight, tv_weight = weights
    contents, styles = extractor(image)
    content = _sum([content_loss(y_hat, y) for y_hat, y in zip(contents, content_targets)],
                   image)
    style = _sum([style_loss(y_hat, g) for y_hat, g in zip(styles, style_grams)], image)
    losses = {"content": content * content_weight, "style": style * style_weight,
              "tv": total_variation_loss(image) * tv_weight}
    losses["total"] = losses["content"] + losses["style"] + losses["tv"]
    return losses


def _check_weights(weights) -> tuple[float, float, float]:
    if len(weights) != 3 or any(float(w) < 0 for w in weights):
        raise ValueError(f"transfer_style: weights must be three non-negative numbers "
                         f"(content, style, tv), got {weights!r}")
    return tuple(float(w) for w in weights)


def transfer_style(content_image: Tensor, style_image: Tensor, extractor: nn.Module,
                   content_layers: Sequence[int] | None = None,
                   style_layers: Sequence[int] | None = None,
                   weights: Sequence[float] = (1.0, 1e3, 10.0), num_steps: int = 500,
                   lr: float = 0.3, init: Tensor | None = None,
                   ) -> tuple[Tensor, dict[str, list[float]]]:
    """Synthesise an image with the content of ``content_image`` and the style of
    ``style_image`` by optimising its pixels with Adam (the network's weights stay fixed).

    Args:
        content_image: (1, C, H, W), already preprocessed (e.g. by :func:`preprocess`).
        style_image: (1, C, H', W'); its size may differ from the content image's.
        extractor: a :class:`FeatureExtractor`, or an ``nn.Sequential`` together with
            ``content_layers`` and ``style_layers``.
        weights: (content, style, tv) loss weights; d2l's (1, 1e3, 10) by default.
        num_steps: Adam steps; lr: Adam's learning rate (d2l: 0.3).
        init: the starting image (default: a copy of ``content_image``, as d2l).

    Returns:
        (image, history): the synthesised (1, C, H, W) Tensor (detached) and a dict of
        per-step lists ``content``, ``style``, ``tv``, ``total`` (the weighted losses before
        each step) and ``seconds`` (cumulative wall time).
    """
    if not isinstance(extractor, FeatureExtractor):
        if content_layers is None or style_layers is None:
            raise ValueError("transfer_style: with a plain network as extractor give "
                             "content_layers and style_layers (or pass a FeatureExtractor)")
        extractor = FeatureExtractor(extractor, content_layers, style_layers)
    _check_4d("transfer_style", "content_image", content_image)
    _check_4d("transfer_style", "style_image", style_image)
    weights = _check_weights(weights)
    if int(num_steps) < 0:
        raise ValueError(f"transfer_style: num_steps must be >= 0, got {num_steps}")
    frozen = [(p, p.requires_grad) for p in extractor.parameters()]
    was_training = extractor.training
    extractor.eval().requires_grad_(False)   # the weights are fixed: no gradient for them
    try:
        return _optimise(content_image, style_image, extractor, weights, int(num_steps), lr,
                         init)
    finally:
        for p, flag in frozen:
            p.requires_grad_(flag)
        extractor.train(was_training)


def _optimise(content_image, style_image, extractor, weights, num_steps, lr, init):
    with shendu.no_grad():
        content_targets, _ = extractor(content_image)
        _, style_features = extractor(style_image)
        style_grams = [gram_matrix(y) for y in style_features]
    start = content_image if init is None else init
    image = start.detach().clone().requires_grad_(True)
    optimizer = shendu.optim.Adam([image], lr=lr)
    history: dict[str, list[float]] = {"content": [], "style": [], "tv": [], "total": [],
                                       "seconds": []}
    began = time.perf_counter()
    for _ in range(num_steps):
        losses = style_transfer_loss(image, extractor, content_targets, style_grams, weights)
        optimizer.zero_grad()
        losses["total"].backward()
        optimizer.step()
        for key, value in losses.items():
            history[key].append(float(value.item()))
        history["seconds"].append(time.perf_counter() - began)
    return image.detach(), history


def preprocess(image: np.ndarray, mean: np.ndarray = IMAGENET_MEAN,
               std: np.ndarray = IMAGENET_STD) -> Tensor:
    """An RGB image (H, W, 3), uint8 in [0, 255] or float in [0, 1], as a normalised float32
    Tensor (1, 3, H, W): (x - mean) / std per channel (ImageNet's statistics by default)."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"preprocess: image must have shape (H, W, 3), got {image.shape}")
    pixels = image.astype(np.float32) / (255.0 if image.dtype == np.uint8 else 1.0)
    normalised = (pixels - mean) / std
    return shendu.from_numpy(np.ascontiguousarray(normalised.transpose(2, 0, 1)[None]))


def postprocess(image: Tensor, mean: np.ndarray = IMAGENET_MEAN,
                std: np.ndarray = IMAGENET_STD) -> np.ndarray:
    """The inverse of :func:`preprocess`: (1, 3, H, W) -> uint8 (H, W, 3), clipped to
    [0, 255]."""
    _check_4d("postprocess", "image", image)
    pixels = image.detach().numpy()[0].transpose(1, 2, 0) * std + mean
    return (np.clip(pixels, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
