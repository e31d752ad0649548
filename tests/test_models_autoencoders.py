"""Autoencoders (shendu.models.autoencoders): reconstruction error on the MNIST test set after a
short training, the sparsity target, the contractive penalty against a numerical Jacobian,
gradient checks of both penalties, the denoising corruption and bad input."""

from __future__ import annotations

import numpy as np
import pytest

import shendu
from shendu.autograd import gradcheck
from shendu.data.datasets import MNIST
from shendu.models.autoencoders import (
    Autoencoder,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    SparseAutoencoder,
    StackedAutoencoder,
    contractive_penalty,
    kl_sparsity_penalty,
    reconstruction_mse,
    save_reconstructions,
    train_autoencoder,
)

N_TRAIN, EPOCHS = 5000, 5


@pytest.fixture(scope="module")
def mnist() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, X_test, y_train, y_test): 5,000 training images and the whole 10,000-image
    test set, flattened to (N, 784) float32 pixels in [0, 1]."""
    train, test = MNIST(train=True), MNIST(train=False)
    pick = np.random.default_rng(0).permutation(len(train.targets))[:N_TRAIN]

    def flat(images):
        return images.reshape(len(images), -1).astype(np.float32) / 255.0

    return flat(train.data[pick]), flat(test.data), train.targets[pick], test.targets


@pytest.fixture(scope="module")
def trained(mnist) -> dict:
    """Every autoencoder after 5 epochs of Adam (batch 64) on the 5,000 images."""
    X = mnist[0]
    models = {}
    for name, model, lr in [
        ("basic", lambda: Autoencoder(784, (128, 32)), 2e-3),
        ("sparse", lambda: SparseAutoencoder(784, 196, rho=0.05, beta=0.01), 1e-2),
        ("contractive", lambda: ContractiveAutoencoder(784, 128, lam=1e-3), 1e-2),
        ("denoising", lambda: DenoisingAutoencoder(784, (128, 32), noise="mask"), 2e-3),
    ]:
        shendu.manual_seed(0)
        models[name] = model()
        train_autoencoder(models[name], X, epochs=EPOCHS, batch_size=64, lr=lr)
    shendu.manual_seed(0)
    stacked = StackedAutoencoder(784, (128, 32))
    stacked.pretrain(X, epochs=EPOCHS, lr=1e-2, batch_size=64)
    models["stacked pretrained"] = reconstruction_mse(stacked, mnist[1])
    stacked.fine_tune(X, epochs=EPOCHS, lr=2e-3, batch_size=64)
    models["stacked"] = stacked
    return models


def test_mean_image_baseline(mnist):
    # predicting the training set's mean image for every test image
    X, X_test = mnist[0], mnist[1]
    assert np.mean((X_test - X.mean(axis=0)) ** 2) == pytest.approx(0.0675, abs=0.001)


# measured (seed 0): basic 0.0277, sparse 0.0289, contractive 0.0208, denoising 0.0322,
# stacked 0.0337 (0.0458 after pretraining alone); the mean image scores 0.0675
@pytest.mark.parametrize("name, bound", [("basic", 0.034), ("sparse", 0.035),
                                         ("contractive", 0.026), ("denoising", 0.040),
                                         ("stacked", 0.042)])
def test_reconstruction_mse_on_mnist_test_set(trained, mnist, name, bound):
    mse = reconstruction_mse(trained[name], mnist[1])
    assert mse < bound
    assert mse < 0.65 * 0.0675  # well below the mean-image baseline


def test_stacked_fine_tuning_improves_on_pretraining(trained, mnist):
    assert reconstruction_mse(trained["stacked"], mnist[1]) < 0.85 * trained["stacked pretrained"]


def test_sparse_mean_activation_is_rho(trained, mnist):
    model = trained["sparse"]
    with shendu.no_grad():
        h = model.encode(shendu.from_numpy(mnist[1])).numpy()
    assert abs(h.mean() - 0.05) < 0.01
    # without the penalty a sigmoid unit sits far above 0.05 on average
    assert np.median(h.mean(axis=0)) < 0.1


def test_stacked_classifier_head(mnist):
    X, X_test, y, y_test = mnist
    shendu.manual_seed(0)
    model = StackedAutoencoder(784, (128, 32), num_classes=10)
    model.pretrain(X, epochs=1, lr=1e-2, batch_size=64)
    model.fine_tune(X, y, epochs=2, lr=3e-3, batch_size=64)
    with shendu.no_grad():
        logits = model.classify(shendu.from_numpy(X_test)).numpy()
    assert logits.shape == (10000, 10)
    assert np.mean(logits.argmax(axis=1) == y_test) > 0.84  # measured 0.869


# ------------------------------------------------------------------ penalties
def test_kl_penalty_value_and_gradcheck():
    rho_hat = np.array([0.05, 0.2, 0.5, 0.9])
    expected = np.sum(0.2 * np.log(0.2 / rho_hat) + 0.8 * np.log(0.8 / (1 - rho_hat)))
    value = kl_sparsity_penalty(shendu.tensor(rho_hat), 0.2).item()
    assert value == pytest.approx(expected, rel=1e-12)
    at_target = shendu.tensor([0.2, 0.2], dtype=shendu.float64)
    assert kl_sparsity_penalty(at_target, 0.2).item() == pytest.approx(0, abs=1e-12)
    x = shendu.tensor(rho_hat, dtype=shendu.float64, requires_grad=True)
    assert gradcheck(lambda r: kl_sparsity_penalty(r, 0.2), (x,))


def test_contractive_penalty_matches_numerical_jacobian():
    shendu.manual_seed(1)
    model = ContractiveAutoencoder(num_inputs=6, num_hiddens=4).double()
    X = np.random.default_rng(1).random((3, 6))
    squared_norms = []
    for x in X:
        J = np.zeros((4, 6))
        for i in range(6):
            step = np.zeros(6)
            step[i] = 1e-6
            with shendu.no_grad():
                up = model.encode(shendu.tensor((x + step)[None])).numpy()[0]
                down = model.encode(shendu.tensor((x - step)[None])).numpy()[0]
            J[:, i] = (up - down) / 2e-6
        squared_norms.append(np.sum(J ** 2))
    with shendu.no_grad():
        closed_form = model.jacobian_penalty(shendu.tensor(X)).item()
    assert closed_form == pytest.approx(np.mean(squared_norms), rel=1e-7)
    assert closed_form > 0.01  # not trivially zero


def test_contractive_penalty_gradcheck():
    rng = np.random.default_rng(2)
    x = shendu.tensor(rng.random((3, 5)), requires_grad=True)
    W = shendu.tensor(rng.normal(size=(4, 5)), requires_grad=True)
    b = shendu.tensor(rng.normal(size=4), requires_grad=True)

    def penalty(x, W, b):
        return contractive_penalty((x @ W.T + b).sigmoid(), W)

    assert gradcheck(penalty, (x, W, b))


# ------------------------------------------------------------------ denoising
@pytest.mark.parametrize("noise", ["mask", "gaussian"])
def test_denoising_corrupts_in_training_only(noise):
    shendu.manual_seed(0)
    model = DenoisingAutoencoder(100, (16,), noise=noise, noise_level=0.3)
    x = shendu.ones(200, 100)
    corrupted = model.corrupt(x).numpy()
    if noise == "mask":
        assert set(np.unique(corrupted)) == {0.0, 1.0}
        assert np.mean(corrupted == 0) == pytest.approx(0.3, abs=0.01)
    else:
        assert np.std(corrupted - 1) == pytest.approx(0.3, rel=0.02)
    with shendu.no_grad():
        assert not np.allclose(model(x).numpy(), model(x).numpy())  # a new draw every call
        model.eval()
        assert model.corrupt(x) is x
        clean = model.decode(model.encode(x)).numpy()
        np.testing.assert_array_equal(model(x).numpy(), clean)


def test_images_keep_their_shape():
    model = Autoencoder(784, (32,))
    x = shendu.rand(2, 1, 28, 28)
    assert model(x).shape == (2, 1, 28, 28)
    assert model.encode(x).shape == (2, 32)
    assert model.loss(x).shape == ()


def test_save_reconstructions_writes_png(trained, mnist, tmp_path):
    pytest.importorskip("matplotlib")
    path = save_reconstructions({"basic": trained["basic"]}, mnist[1][:4], tmp_path / "r.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("rho", [0, 1, 1.5, -0.1])
def test_rho_outside_unit_interval(rho):
    with pytest.raises(ValueError, match=rf"SparseAutoencoder: rho.*\(0, 1\), got {rho}"):
        SparseAutoencoder(rho=rho)
    with pytest.raises(ValueError, match="kl_sparsity_penalty: rho"):
        kl_sparsity_penalty(shendu.tensor([0.5]), rho)


def test_wrong_feature_size():
    with pytest.raises(ValueError, match=r"Autoencoder: expected inputs with 784 features.*"
                                         r"got shape \(4, 100\)"):
        Autoencoder()(shendu.rand(4, 100))
    with pytest.raises(ValueError, match=r"SparseAutoencoder: .*784.*\(4, 1, 20, 20\)"):
        SparseAutoencoder().loss(shendu.rand(4, 1, 20, 20))


def test_bad_options():
    with pytest.raises(ValueError, match="ContractiveAutoencoder: lam must be a number >= 0, "
                                         "got -1"):
        ContractiveAutoencoder(lam=-1)
    with pytest.raises(ValueError, match="DenoisingAutoencoder: noise must be 'mask' or "
                                         "'gaussian', got 'salt'"):
        DenoisingAutoencoder(noise="salt")
    with pytest.raises(ValueError, match=r"DenoisingAutoencoder: .*\[0, 1\), got 1.0"):
        DenoisingAutoencoder(noise_level=1.0)
    with pytest.raises(ValueError, match="Autoencoder: activation must be one of"):
        Autoencoder(activation="tanh")
    with pytest.raises(ValueError, match="StackedAutoencoder.classify: built with "
                                         "num_classes=None"):
        StackedAutoencoder(784, (8,), num_classes=None).classify(shendu.rand(1, 784))
