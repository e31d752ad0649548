"""Autoencoders for flattened images: basic, sparse, stacked, contractive and denoising.

An autoencoder learns a code h = f(x) from which a decoder g rebuilds the input,
x_hat = g(f(x)), by minimising the reconstruction error plus, for the regularised kinds, a
penalty that makes the code useful rather than a copy:

=============================  ==============================================================
:class:`Autoencoder`           L = MSE(x_hat, x)
:class:`SparseAutoencoder`     L = MSE(x_hat, x) + beta sum_j KL(rho || rho_hat_j)
:class:`ContractiveAutoencoder` L = MSE(x_hat, x) + lam mean_n ||J_f(x_n)||_F^2
:class:`DenoisingAutoencoder`  L = MSE(g(f(x~)), x), x~ a corrupted copy of x (training only)
:class:`StackedAutoencoder`    greedy layer-wise pretraining, then end-to-end fine-tuning
=============================  ==============================================================

MSE is the mean over pixels and examples (``F.mse_loss``), so every objective is in the
units of the reported reconstruction error. Inputs are (N, num_inputs) or images such as
(N, 1, 28, 28) (flattened); pixels are expected in [0, 1], the range of the sigmoid output.
Each model has ``loss(x)`` returning its full objective, so a training step is
``model.loss(x).backward()``; :func:`train_autoencoder` is that loop with Adam::

    model = Autoencoder(784, (128, 32))
    losses = train_autoencoder(model, X_train, epochs=5)      # X_train: (N, 784) in [0, 1]
    reconstruction_mse(model, X_test)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

import shendu
from shendu import nn
from shendu.nn import functional as F
from shendu.random import get_generator
from shendu.tensor import Tensor

__all__ = [
    "Autoencoder", "ContractiveAutoencoder", "DenoisingAutoencoder", "SparseAutoencoder",
    "StackedAutoencoder", "contractive_penalty", "kl_sparsity_penalty", "reconstruction_mse",
    "save_reconstructions", "train_autoencoder",
]

_ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}


# ------------------------------------------------------------------ penalties
def kl_sparsity_penalty(rho_hat: Tensor, rho: float) -> Tensor:
    """The sparsity penalty of a sparse autoencoder, a scalar:

        sum_j KL(rho || rho_hat_j) = sum_j rho log(rho / rho_hat_j)
                                         + (1 - rho) log((1 - rho) / (1 - rho_hat_j))

    the KL divergence between Bernoulli(rho) and Bernoulli(rho_hat_j), zero when every hidden
    unit's mean activation rho_hat_j equals the target rho.

    Args:
        rho_hat: (H,), the mean activation of each hidden unit over a batch, in (0, 1).
        rho: the target mean activation, in (0, 1).
    """
    _check_rho("kl_sparsity_penalty", rho)
    terms = rho * (math.log(rho) - rho_hat.log()) \
        + (1 - rho) * (math.log(1 - rho) - (1 - rho_hat).log())
    return terms.sum()


def contractive_penalty(h: Tensor, weight: Tensor) -> Tensor:
    """The squared Frobenius norm of the encoder's Jacobian, averaged over the batch, in closed
    form for a sigmoid encoder h = sigmoid(W x + b):

        dh_j/dx_i = h_j (1 - h_j) W_ji
        ||J_f(x)||_F^2 = sum_j (h_j (1 - h_j))^2 sum_i W_ji^2

    Args:
        h: (N, H), the codes sigmoid(W x + b).
        weight: (H, D), the encoder's W (``nn.Linear.weight``).

    Returns:
        A scalar: the mean over the N examples of ||J_f(x_n)||_F^2.
    """
    row_norms = (weight * weight).sum(dim=1)          # (H,): sum_i W_ji^2
    slope = h * (1 - h)                                # (N, H): sigmoid'(W x + b)
    return ((slope * slope) * row_norms).sum(dim=1).mean()


def _check_rho(owner: str, rho: float) -> None:
    if not isinstance(rho, (int, float)) or isinstance(rho, bool) or not 0 < rho < 1:
        raise ValueError(f"{owner}: rho, the target mean activation, must be a number in (0, 1), "
                         f"got {rho!r}")


def _check_nonnegative(owner: str, name: str, value: float) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value >= 0:
        raise ValueError(f"{owner}: {name} must be a number >= 0, got {value!r}")


# ------------------------------------------------------------------ the basic autoencoder
class Autoencoder(nn.Module):
    """An MLP autoencoder: encoder D -> h_1 -> ... -> h_k (the code), decoder back to D with a
    sigmoid output, so reconstructions are pixels in (0, 1).

        f(x) = a(W_k ... a(W_1 x + b_1) ... + b_k),    g(h) = sigmoid(V_1 ... a(V_k h + c_k) ...)

    ``a`` is ReLU or the sigmoid (``activation``), applied after every encoder layer (the code
    included) and every decoder layer but the last.

    Args:
        num_inputs: D, the number of input features (784 for a 28x28 image).
        num_hiddens: the widths of the encoder's layers, the last one the code size.
        activation: ``'relu'`` or ``'sigmoid'``.

    Shape:
        input (N, D) or (N, *) with D elements per example; output the same shape;
        :meth:`encode` gives (N, h_k).
    """

    def __init__(self, num_inputs: int = 784, num_hiddens: int | Sequence[int] = (256, 64),
                 activation: str = "relu") -> None:
        super().__init__()
        name = type(self).__name__
        widths = (num_hiddens,) if isinstance(num_hiddens, int) else tuple(num_hiddens)
        if not widths or any(not isinstance(w, int) or w < 1 for w in (num_inputs, *widths)):
            raise ValueError(f"{name}: num_inputs and num_hiddens must be positive ints, got "
                             f"num_inputs={num_inputs!r}, num_hiddens={num_hiddens!r}")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"{name}: activation must be one of {sorted(_ACTIVATIONS)}, got "
                             f"{activation!r}")
        self.num_inputs, self.num_hiddens, self.activation = num_inputs, widths, activation
        act = _ACTIVATIONS[activation]
        sizes = (num_inputs, *widths)
        encoder: list[nn.Module] = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            encoder += [nn.Linear(n_in, n_out), act()]
        decoder: list[nn.Module] = []
        for n_in, n_out in zip(sizes[:0:-1], sizes[-2::-1]):
            decoder += [nn.Linear(n_in, n_out), act()]
        decoder[-1] = nn.Sigmoid()
        self.encoder = nn.Sequential(*encoder)
        self.decoder = nn.Sequential(*decoder)

    def _flat(self, x: Tensor) -> Tensor:
        """x as (N, D), or a ValueError naming this class, D and the shape given."""
        if not isinstance(x, Tensor):
            raise TypeError(f"{type(self).__name__}: expected a Tensor, got {type(x).__name__}")
        features = int(np.prod(x.shape[1:])) if x.ndim >= 2 else -1
        if features != self.num_inputs:
            raise ValueError(f"{type(self).__name__}: expected inputs with {self.num_inputs} "
                             f"features per example, (N, {self.num_inputs}) or images of that "
                             f"many pixels, got shape {tuple(x.shape)}")
        return x.reshape(x.shape[0], self.num_inputs)

    def encode(self, x: Tensor) -> Tensor:
        """The code h = f(x), (N, h_k)."""
        return self.encoder(self._flat(x))

    def decode(self, h: Tensor) -> Tensor:
        """The reconstruction g(h), (N, D)."""
        return self.decoder(h)

    def forward(self, x: Tensor) -> Tensor:
        """x_hat = g(f(x)), the shape of x."""
        return self.decode(self.encode(x)).reshape(x.shape)

    def loss(self, x: Tensor) -> Tensor:
        """The training objective: MSE(x_hat, x), the mean over pixels and examples."""
        return F.mse_loss(self(x), x)

    def extra_repr(self) -> str:
        return f"num_inputs={self.num_inputs}, num_hiddens={self.num_hiddens}"


# ------------------------------------------------------------------ sparse
class SparseAutoencoder(Autoencoder):
    """One sigmoid hidden layer with a KL-divergence sparsity penalty:

        h = sigmoid(W x + b),    rho_hat_j = mean_n h_nj  (over the batch)
        L = MSE(x_hat, x) + beta sum_j KL(rho || rho_hat_j)

    which drives each hidden unit to be active (near 1) on a fraction rho of the inputs.

    Args:
        num_inputs: D.
        num_hiddens: H, the number of hidden units.
        rho: the target mean activation, in (0, 1).
        beta: the weight of the penalty, >= 0 (in units of the per-pixel MSE).
    """

    def __init__(self, num_inputs: int = 784, num_hiddens: int = 196, rho: float = 0.05,
                 beta: float = 0.01) -> None:
        _check_rho(type(self).__name__, rho)
        _check_nonnegative(type(self).__name__, "beta", beta)
        super().__init__(num_inputs, (num_hiddens,), activation="sigmoid")
        self.rho, self.beta = float(rho), float(beta)

    def loss(self, x: Tensor) -> Tensor:
        h = self.encode(x)
        x_hat = self.decode(h).reshape(x.shape)
        return F.mse_loss(x_hat, x) + self.beta * kl_sparsity_penalty(h.mean(dim=0), self.rho)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, rho={self.rho}, beta={self.beta}"


# ------------------------------------------------------------------ contractive
class ContractiveAutoencoder(Autoencoder):
    """One sigmoid hidden layer, penalised by the squared Frobenius norm of the encoder's
    Jacobian, so the code changes little when the input moves off the data:

        h = sigmoid(W x + b)
        L = MSE(x_hat, x) + lam mean_n sum_j (h_nj (1 - h_nj))^2 sum_i W_ji^2

    (see :func:`contractive_penalty` for the closed form).

    Args:
        num_inputs: D.
        num_hiddens: H.
        lam: the weight of the penalty, >= 0.
    """

    def __init__(self, num_inputs: int = 784, num_hiddens: int = 256, lam: float = 1e-3) -> None:
        _check_nonnegative(type(self).__name__, "lam", lam)
        super().__init__(num_inputs, (num_hiddens,), activation="sigmoid")
        self.lam = float(lam)

    def jacobian_penalty(self, x: Tensor) -> Tensor:
        """mean_n ||J_f(x_n)||_F^2 for the batch x (a scalar)."""
        return contractive_penalty(self.encode(x), self.encoder[0].weight)

    def loss(self, x: Tensor) -> Tensor:
        h = self.encode(x)
        x_hat = self.decode(h).reshape(x.shape)
        return F.mse_loss(x_hat, x) + self.lam * contractive_penalty(h, self.encoder[0].weight)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, lam={self.lam}"


# ------------------------------------------------------------------ denoising
class DenoisingAutoencoder(Autoencoder):
    """An :class:`Autoencoder` that, in training mode, reconstructs the clean input from a
    corrupted copy x~:

        ``'mask'``:     x~ = x * m,  m_i ~ Bernoulli(1 - noise_level)  (a fraction of the pixels
                        set to 0, no rescaling)
        ``'gaussian'``: x~ = x + noise_level * e,  e_i ~ N(0, 1)

        L = MSE(g(f(x~)), x)

    In eval mode (``model.eval()``) the input is not corrupted, as dropout is not.

    Args:
        num_inputs, num_hiddens, activation: as :class:`Autoencoder`.
        noise: ``'mask'`` or ``'gaussian'``.
        noise_level: the masked fraction, in [0, 1), or the noise's standard deviation, >= 0.
    """

    def __init__(self, num_inputs: int = 784, num_hiddens: int | Sequence[int] = (256, 64),
                 activation: str = "relu", noise: str = "mask", noise_level: float = 0.3) -> None:
        name = type(self).__name__
        if noise not in ("mask", "gaussian"):
            raise ValueError(f"{name}: noise must be 'mask' or 'gaussian', got {noise!r}")
        _check_nonnegative(name, "noise_level", noise_level)
        if noise == "mask" and not noise_level < 1:
            raise ValueError(f"{name}: with noise='mask' noise_level is the fraction of pixels "
                             f"set to 0 and must be in [0, 1), got {noise_level!r}")
        super().__init__(num_inputs, num_hiddens, activation)
        self.noise, self.noise_level = noise, float(noise_level)

    def corrupt(self, x: Tensor) -> Tensor:
        """x~ in training mode (a new draw from shendu's generator each call); x in eval mode."""
        if not self.training or self.noise_level == 0:
            return x
        rng = get_generator()
        if self.noise == "mask":
            keep = rng.random(x.shape) >= self.noise_level
            return x * shendu.from_numpy(keep.astype(x.dtype))
        noise = rng.standard_normal(x.shape).astype(x.dtype) * self.noise_level
        return x + shendu.from_numpy(noise)

    def forward(self, x: Tensor) -> Tensor:
        """g(f(x~)) in training mode, g(f(x)) in eval mode; the shape of x."""
        return self.decode(self.encode(self.corrupt(x))).reshape(x.shape)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, noise={self.noise!r}, noise_level={self.noise_level}"


# ------------------------------------------------------------------ stacked
class StackedAutoencoder(nn.Module):
    """A deep autoencoder built from one-hidden-layer sigmoid autoencoders, trained greedily:

    1. :meth:`pretrain`: layer k is trained as an autoencoder of the codes of layers 1..k-1
       (h_0 = x, h_k = sigmoid(W_k h_{k-1} + b_k), reconstructing h_{k-1}), the earlier layers
       frozen.
    2. :meth:`fine_tune`: the whole stack, encoders then decoders in reverse,
       x -> h_1 -> ... -> h_K -> ... -> x_hat, trained end-to-end on MSE(x_hat, x); or, given
       labels, the encoders plus a linear softmax head trained on the cross-entropy.

    Args:
        num_inputs: D.
        num_hiddens: the code sizes of the layers, e.g. (256, 64).
        num_classes: the size of the softmax head used by :meth:`classify`; ``None`` for none.

    Shape:
        input (N, D) or (N, *); ``forward`` the same shape; ``classify`` (N, num_classes).
    """

    def __init__(self, num_inputs: int = 784, num_hiddens: Sequence[int] = (256, 64),
                 num_classes: int | None = 10) -> None:
        super().__init__()
        widths = (num_inputs, *num_hiddens)
        if len(widths) < 2:
            raise ValueError(f"StackedAutoencoder: num_hiddens must name at least one layer, "
                             f"got {num_hiddens!r}")
        self.layers = nn.ModuleList(
            Autoencoder(n_in, (n_out,), activation="sigmoid")
            for n_in, n_out in zip(widths[:-1], widths[1:])
        )
        self.num_inputs = num_inputs
        self.head = nn.Linear(widths[-1], num_classes) if num_classes else None

    def encode(self, x: Tensor) -> Tensor:
        """h_K, (N, num_hiddens[-1])."""
        for layer in self.layers:
            x = layer.encode(x)
        return x

    def decode(self, h: Tensor) -> Tensor:
        """x_hat from h_K, (N, D)."""
        for layer in reversed(self.layers):
            h = layer.decode(h)
        return h

    def forward(self, x: Tensor) -> Tensor:
        return self.decode(self.encode(x)).reshape(x.shape)

    def loss(self, x: Tensor) -> Tensor:
        """MSE(x_hat, x) of the whole stack."""
        return F.mse_loss(self(x), x)

    def classify(self, x: Tensor) -> Tensor:
        """Class scores (logits) head(h_K), (N, num_classes)."""
        if self.head is None:
            raise ValueError("StackedAutoencoder.classify: built with num_classes=None, so it "
                             "has no softmax head")
        return self.head(self.encode(x))

    def pretrain(self, X: np.ndarray, epochs: int = 3, batch_size: int = 128,
                 lr: float = 3e-3) -> list[float]:
        """Greedy layer-wise pretraining; returns each layer's reconstruction MSE (of its own
        input) after its last epoch."""
        finals = []
        codes = np.asarray(X, dtype=np.float32).reshape(len(X), -1)
        for layer in self.layers:
            finals.append(train_autoencoder(layer, codes, epochs=epochs, batch_size=batch_size,
                                            lr=lr)[-1])
            codes = _map_batches(layer.encode, codes, batch_size=1000)
        return finals

    def fine_tune(self, X: np.ndarray, y: np.ndarray | None = None, epochs: int = 3,
                  batch_size: int = 128, lr: float = 1e-3) -> list[float]:
        """End-to-end training on the reconstruction MSE, or, given labels ``y`` (N,) int, of
        the encoders and the head on the cross-entropy. Returns the mean loss of each epoch."""
        if y is None:
            return train_autoencoder(self, X, epochs=epochs, batch_size=batch_size, lr=lr)
        return train_autoencoder(self, X, epochs=epochs, batch_size=batch_size, lr=lr, targets=y,
                                 loss=lambda xb, yb: F.cross_entropy(self.classify(xb), yb))


# ------------------------------------------------------------------ training and evaluation
def train_autoencoder(model: nn.Module, X: np.ndarray, *, epochs: int = 5, batch_size: int = 128,
                      lr: float = 1e-3, targets: np.ndarray | None = None,
                      loss: Callable[..., Tensor] | None = None) -> list[float]:
    """Train ``model`` with Adam on minibatches of ``X`` drawn in a new random order each epoch
    (from shendu's generator, so ``shendu.manual_seed`` fixes it).

    Args:
        model: any module; by default the objective is ``model.loss(x_batch)``.
        X: (N, ...) float inputs, e.g. (N, 784) pixels in [0, 1].
        epochs, batch_size, lr: the schedule.
        targets: (N, ...) arrays handed to ``loss`` beside the inputs.
        loss: ``loss(x_batch)`` or, with targets, ``loss(x_batch, target_batch)`` -> scalar.

    Returns:
        The mean objective of each epoch.
    """
    X = np.asarray(X, dtype=np.float32)
    objective = loss or model.loss
    optimizer = shendu.optim.Adam(model.parameters(), lr=lr)
    model.train()
    history = []
    for _ in range(epochs):
        order = get_generator().permutation(len(X))
        total = 0.0
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            args = [shendu.from_numpy(X[batch])]
            if targets is not None:
                args.append(shendu.from_numpy(np.asarray(targets)[batch]))
            value = objective(*args)
            optimizer.zero_grad()
            value.backward()
            optimizer.step()
            total += value.item() * len(batch)
        history.append(total / len(X))
    return history


def _map_batches(fn: Callable[[Tensor], Tensor], X: np.ndarray,
                 batch_size: int = 1000) -> np.ndarray:
    """fn applied to X in batches without recording gradients, as one ndarray."""
    with shendu.no_grad():
        return np.concatenate([fn(shendu.from_numpy(X[i:i + batch_size])).numpy()
                               for i in range(0, len(X), batch_size)])


def reconstruction_mse(model: nn.Module, X: np.ndarray, batch_size: int = 1000) -> float:
    """The mean squared reconstruction error per pixel, mean((model(x) - x)^2) over all of X,
    in eval mode (no corruption, no dropout); the mode is restored after."""
    X = np.asarray(X, dtype=np.float32)
    was_training = model.training
    model.eval()
    try:
        x_hat = _map_batches(model, X, batch_size)
    finally:
        model.train(was_training)
    return float(np.mean((x_hat.astype(np.float64) - X) ** 2))


def save_reconstructions(models: dict[str, nn.Module], X: np.ndarray, path,
                         image_shape: tuple[int, int] = (28, 28)):
    """A PNG grid: the originals X (n images) in the first row, then one row of
    reconstructions per model (in eval mode), titled with the model's name. Needs matplotlib
    (the optional extra); raises ImportError saying what to install when it is absent.
    Returns the path."""
    from shendu.plot import plot_images

    X = np.asarray(X, dtype=np.float32)
    rows = [X.reshape(len(X), *image_shape)]
    names = ["original"] * len(X)
    for name, model in models.items():
        was_training = model.training
        model.eval()
        rows.append(_map_batches(model, X.reshape(len(X), -1)).reshape(len(X), *image_shape))
        model.train(was_training)
        names += [name] * len(X)
    images = np.clip(np.concatenate(rows), 0.0, 1.0)
    return plot_images(images, path, labels=np.arange(len(names)), class_names=names,
                       ncols=len(X))
