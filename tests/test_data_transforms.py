"""Image transforms: values against torchvision's semantics (computed by hand, with NumPy, or with
torch ops where torch is installed), batches against single images, seeds, errors."""

from __future__ import annotations

import numpy as np
import pytest

import shendu
from shendu.data.transforms import (
    CenterCrop,
    Compose,
    InterpolationMode,
    Lambda,
    Normalize,
    RandomAffine,
    RandomCrop,
    RandomHorizontalFlip,
    Resize,
    ToTensor,
)
from shendu.tensor import Tensor


def images(*shape, seed=0, dtype=np.float32) -> np.ndarray:
    return np.random.default_rng(seed).random(shape).astype(dtype)


def one_by_one(transform, batch: np.ndarray, seed: int) -> np.ndarray:
    """The transform applied to each image of ``batch`` in turn, after seeding once."""
    shendu.manual_seed(seed)
    return np.stack([transform(image) for image in batch])


def batched(transform, batch: np.ndarray, seed: int) -> np.ndarray:
    shendu.manual_seed(seed)
    return transform(batch)


def shifted(image: np.ndarray, tx: int, ty: int, fill=0.0) -> np.ndarray:
    """out[:, r, c] = image[:, r - ty, c - tx], ``fill`` where that is outside."""
    _, h, w = image.shape
    out = np.full_like(image, fill)
    out[:, max(ty, 0):h + min(ty, 0), max(tx, 0):w + min(tx, 0)] = \
        image[:, max(-ty, 0):h + min(-ty, 0), max(-tx, 0):w + min(-tx, 0)]
    return out


# --------------------------------------------------------------------------- ToTensor
def test_to_tensor_uint8_hwc_is_chw_float32_over_255():
    pixels = np.random.default_rng(1).integers(0, 256, (5, 4, 3), dtype=np.uint8)
    out = ToTensor()(pixels)
    assert isinstance(out, Tensor) and out.dtype == np.float32 and out.shape == (3, 5, 4)
    np.testing.assert_array_equal(out.data, pixels.transpose(2, 0, 1).astype(np.float32)
                                  / np.float32(255))
    assert out.data[:, 0, 0].tolist() == pytest.approx((pixels[0, 0] / 255).tolist())
    assert out.data.flags.c_contiguous


def test_to_tensor_grayscale_and_float_arrays():
    gray = np.array([[0, 255], [51, 102]], dtype=np.uint8)
    np.testing.assert_allclose(ToTensor()(gray).data, [[[0.0, 1.0], [0.2, 0.4]]], rtol=1e-6)
    floats = np.full((2, 2, 1), 7.5)  # float arrays keep their values and dtype, as torchvision
    out = ToTensor()(floats)
    assert out.dtype == np.float64 and out.data.ravel().tolist() == [7.5] * 4


def test_to_tensor_batched_takes_nhw_and_nhwc_batches():
    to_tensor = ToTensor(batched=True)
    colour = np.random.default_rng(2).integers(0, 256, (2, 3, 4, 3), dtype=np.uint8)
    out = to_tensor(colour)
    assert out.shape == (2, 3, 3, 4)
    np.testing.assert_array_equal(out.data[1], ToTensor()(colour[1]).data)
    gray = colour[..., 0]  # (N, H, W): gray images, not one (H, W, C) image
    out = to_tensor(gray)
    assert out.shape == (2, 1, 3, 4)
    np.testing.assert_array_equal(out.data[0], ToTensor()(gray[0]).data)
    assert to_tensor.batched and not ToTensor().batched
    assert Compose([to_tensor, RandomCrop(2)]).batched
    assert not Compose([ToTensor(), RandomCrop(2)]).batched and not Compose([]).batched


def test_to_tensor_pil_images():
    Image = pytest.importorskip("PIL.Image")
    rgb = np.random.default_rng(3).integers(0, 256, (6, 5, 3), dtype=np.uint8)
    out = ToTensor()(Image.fromarray(rgb, mode="RGB"))
    np.testing.assert_array_equal(out.data, ToTensor()(rgb).data)
    gray = Image.fromarray(rgb[:, :, 0], mode="L")
    assert ToTensor()(gray).shape == (1, 6, 5)
    bits = Image.fromarray(rgb[:, :, 0] > 127).convert("1")  # 1-bit pixels become 0.0 / 1.0
    np.testing.assert_array_equal(ToTensor()(bits).data[0], (rgb[:, :, 0] > 127).astype(float))


@pytest.mark.torch
def test_to_tensor_equals_torch_conversion():
    torch = pytest.importorskip("torch")
    pixels = np.random.default_rng(4).integers(0, 256, (7, 3, 3), dtype=np.uint8)
    expected = torch.from_numpy(pixels).permute(2, 0, 1).float().div(255).numpy()
    np.testing.assert_array_equal(ToTensor()(pixels).data, expected)


def test_to_tensor_errors():
    with pytest.raises(TypeError, match=r"ToTensor: expected a PIL image or a NumPy array"):
        ToTensor()([[1, 2], [3, 4]])
    with pytest.raises(TypeError, match=r"ToTensor: .*got Tensor"):
        ToTensor()(shendu.zeros(1, 2, 2))
    with pytest.raises(ValueError, match=r"ToTensor: expected an array of shape \(H, W\) or "
                                         r"\(H, W, C\), got shape \(2,\)"):
        ToTensor()(np.zeros(2, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"got shape \(1, 2, 2, 1\) \(pass batched=True"):
        ToTensor()(np.zeros((1, 2, 2, 1), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"ToTensor: expected an array of shape \(N, H, W\)"):
        ToTensor(batched=True)(np.zeros((2, 2), dtype=np.uint8))


# --------------------------------------------------------------------------- Normalize
def test_normalize_per_channel_on_images_and_batches():
    x = images(2, 3, 4, 5)
    mean, std = (0.1, 0.5, -1.0), (0.2, 2.0, 0.5)
    expected = (x - np.array(mean, np.float32)[:, None, None]) \
        / np.array(std, np.float32)[:, None, None]
    normalize = Normalize(mean, std)
    np.testing.assert_allclose(normalize(x), expected, rtol=1e-6)
    np.testing.assert_allclose(normalize(x[1]), expected[1], rtol=1e-6)
    out = normalize(Tensor(x[0]))
    assert isinstance(out, Tensor) and out.dtype == np.float32
    np.testing.assert_allclose(out.data, expected[0], rtol=1e-6)
    np.testing.assert_allclose(Normalize(0.5, 0.25)(x), (x - 0.5) / 0.25, rtol=1e-6)


def test_normalize_inplace_writes_into_the_input():
    x = images(1, 2, 2)
    expected = (x - 0.5) / 0.5
    t = Tensor(x.copy())
    assert Normalize([0.5], [0.5], inplace=True)(t) is t
    np.testing.assert_allclose(t.data, expected, rtol=1e-6)
    y = x.copy()
    Normalize([0.5], [0.5])(y)
    np.testing.assert_array_equal(y, x)  # not in place by default


def test_normalize_errors():
    with pytest.raises(ValueError, match=r"Normalize: std must not be 0"):
        Normalize((0.5, 0.5), (1.0, 0.0))(images(2, 3, 3))
    with pytest.raises(TypeError, match=r"Normalize: expected a float .* got dtype uint8"):
        Normalize((0.5,), (0.5,))(np.zeros((1, 2, 2), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"Normalize: mean needs one value per channel \(3\)"):
        Normalize((0.5, 0.5), (1.0,))(images(3, 2, 2))
    with pytest.raises(ValueError, match=r"Normalize: expected one image \(C, H, W\) or a batch"):
        Normalize((0.5,), (0.5,))(images(4, 4))
    with pytest.raises(TypeError, match=r"Normalize: mean must be a number or a sequence"):
        Normalize("abc", (0.5,))


# --------------------------------------------------------------------------- Resize
def test_resize_int_size_matches_the_smaller_edge():
    assert Resize(10)(images(1, 20, 30)).shape == (1, 10, 15)
    assert Resize(10)(images(2, 1, 30, 20)).shape == (2, 1, 15, 10)
    assert Resize(5)(images(1, 7, 10)).shape == (1, 5, 7)  # int(5 * 10 / 7) = 7
    assert Resize([5])(images(1, 10, 7)).shape == (1, 7, 5)
    assert Resize(10, max_size=12)(images(1, 20, 40)).shape == (1, 6, 12)
    assert Resize((3, 9))(images(1, 20, 40)).shape == (1, 3, 9)


def test_resize_values_by_hand():
    row = np.array([[[0.0, 1.0]]], dtype=np.float32)  # (1, 1, 2)
    # bilinear, pixel areas aligned: output j samples (j + 0.5) / 2 - 0.5, clamped to [0, 1]
    np.testing.assert_allclose(Resize((1, 4))(row)[0, 0], [0.0, 0.25, 0.75, 1.0])
    np.testing.assert_allclose(Resize((1, 4), antialias=False)(row)[0, 0],
                               [0.0, 0.25, 0.75, 1.0])
    np.testing.assert_array_equal(Resize((1, 4), "nearest")(row)[0, 0], [0, 0, 1, 1])
    # antialiased halving: output 0 is centred at 1 with the triangle widened to 2 pixels,
    # weights (0.75, 0.75, 0.25) / 1.75 on inputs 0, 1, 2; output 1 (0.25, 0.75, 0.75) on 1-3
    values = np.array([[[1.0, 2.0, 3.0, 4.0]]], dtype=np.float32)
    np.testing.assert_allclose(Resize((1, 2))(values)[0, 0], [12 / 7, 23 / 7], rtol=1e-6)
    # without antialiasing: the 2 nearest pixels of positions 0.5 and 2.5
    np.testing.assert_allclose(Resize((1, 2), antialias=False)(values)[0, 0], [1.5, 3.5])


@pytest.mark.torch
@pytest.mark.parametrize("size", [(10, 7), (13, 30), (40, 50), (30, 23), (5, 60)])
def test_resize_matches_torch_interpolate(size):
    torch = pytest.importorskip("torch")
    interpolate = torch.nn.functional.interpolate
    x = images(2, 3, 30, 23)
    for antialias in (True, False):
        expected = interpolate(torch.from_numpy(x), size, mode="bilinear",
                               align_corners=False, antialias=antialias).numpy()
        out = Resize(size, antialias=antialias)(x)
        np.testing.assert_allclose(out, expected, atol=2e-6)
        np.testing.assert_allclose(Resize(size, antialias=antialias)(x[1]), expected[1],
                                   atol=2e-6)
    expected = interpolate(torch.from_numpy(x), size, mode="nearest").numpy()
    np.testing.assert_array_equal(Resize(size, InterpolationMode.NEAREST)(x), expected)


def test_resize_keeps_kind_and_dtype_and_never_aliases():
    x = images(3, 8, 8)
    same = Resize((8, 8))(x)
    np.testing.assert_allclose(same, x, rtol=1e-6)
    assert not np.shares_memory(same, x)
    t = Resize(4)(Tensor(x))
    assert isinstance(t, Tensor) and t.shape == (3, 4, 4)
    pixels = (x * 255).astype(np.uint8)
    out = Resize((5, 3))(pixels)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, np.rint(Resize((5, 3))(pixels.astype(np.float32))))
    assert Resize((5, 3), "nearest")(pixels).dtype == np.uint8


def test_resize_errors():
    with pytest.raises(ValueError, match=r"Resize: size must be a positive int"):
        Resize(0)
    with pytest.raises(ValueError, match=r"Resize: size must be a positive int"):
        Resize((1, 2, 3))
    with pytest.raises(ValueError, match=r"Resize: interpolation must be 'nearest' or"):
        Resize(4, interpolation="bicubic")
    with pytest.raises(ValueError, match=r"Resize: max_size is only allowed with an int size"):
        Resize((4, 4), max_size=10)
    with pytest.raises(ValueError, match=r"Resize: max_size must be an int larger than size"):
        Resize(8, max_size=8)
    with pytest.raises(ValueError, match=r"Resize: expected one image \(C, H, W\)"):
        Resize(4)(images(5))
    with pytest.raises(TypeError, match=r"Resize: expected a Tensor or NumPy array"):
        Resize(4)([[1.0]])


# --------------------------------------------------------------------------- CenterCrop
def test_center_crop_offsets_round_half_to_even():
    x = np.arange(5 * 6, dtype=np.float32).reshape(1, 5, 6)
    # top = round((5 - 2) / 2) = round(1.5) = 2, left = round((6 - 3) / 2) = 2
    np.testing.assert_array_equal(CenterCrop((2, 3))(x), x[:, 2:4, 2:5])
    y = np.arange(7 * 7, dtype=np.float32).reshape(1, 7, 7)
    np.testing.assert_array_equal(CenterCrop(2)(y), y[:, 2:4, 2:4])  # round(2.5) = 2
    np.testing.assert_array_equal(CenterCrop([3])(y), y[:, 2:5, 2:5])
    batch = images(4, 2, 9, 8)
    np.testing.assert_array_equal(CenterCrop(4)(batch),
                                  np.stack([CenterCrop(4)(image) for image in batch]))


def test_center_crop_pads_small_images_with_zeros():
    x = np.ones((2, 2, 3), dtype=np.float32)
    out = CenterCrop((5, 4))(x)
    expected = np.zeros((2, 5, 4), dtype=np.float32)
    expected[:, 1:3, 0:3] = 1  # 3 rows of padding: 1 above, 2 below; 1 column: on the right
    np.testing.assert_array_equal(out, expected)


# --------------------------------------------------------------------------- RandomCrop
def test_random_crop_gives_windows_at_independent_places():
    batch = np.arange(64 * 10 * 12, dtype=np.float32).reshape(64, 1, 10, 12)
    shendu.manual_seed(0)
    out = RandomCrop((4, 5))(batch)
    assert out.shape == (64, 1, 4, 5)
    places = set()
    for image, crop in zip(batch, out):
        top, left = divmod(int(crop[0, 0, 0] - image[0, 0, 0]), 12)
        np.testing.assert_array_equal(crop, image[:, top:top + 4, left:left + 5])
        places.add((top, left))
    assert {t for t, _ in places} == set(range(7))  # every row offset 0..6 occurs
    assert {left for _, left in places} == set(range(8))
    assert len(places) > 30


def test_random_crop_batch_equals_images_one_by_one_and_seeds_repeat():
    batch = images(6, 3, 9, 9)
    crop = RandomCrop(5, padding=2, padding_mode="reflect")
    expected = one_by_one(crop, batch, seed=3)
    np.testing.assert_array_equal(batched(crop, batch, seed=3), expected)
    np.testing.assert_array_equal(batched(crop, batch, seed=3), expected)
    assert not np.array_equal(batched(crop, batch, seed=4), expected)


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_random_crop_padding_modes_and_sides(mode):
    x = images(3, 4, 5)
    crop = RandomCrop((4 + 2 + 4, 5 + 1 + 3), padding=(1, 2, 3, 4), padding_mode=mode,
                      fill=(1.0, 2.0, 3.0))  # as large as the padded image: one place only
    out = crop(x)
    if mode == "constant":
        expected = np.stack([np.pad(c, ((2, 4), (1, 3)), constant_values=v)
                             for c, v in zip(x, (1.0, 2.0, 3.0))])
    else:
        expected = np.pad(x, ((0, 0), (2, 4), (1, 3)), mode=mode)
    np.testing.assert_array_equal(out, expected)
    both = RandomCrop((6, 7), padding=(1, 1))(x)  # (left and right, top and bottom)
    np.testing.assert_array_equal(both, np.pad(x, ((0, 0), (1, 1), (1, 1))))


def test_random_crop_pad_if_needed_pads_both_sides_by_the_shortfall():
    x = np.ones((1, 3, 3), dtype=np.float32)
    shendu.manual_seed(0)
    out = RandomCrop(5, pad_if_needed=True)(np.repeat(x[None], 50, axis=0))
    # the 3 x 3 image sits in a 7 x 7 zero frame, cropped to 5 x 5: always 1 to 9 ones
    ones = out.sum(axis=(1, 2, 3))
    assert ones.min() >= 1 and ones.max() == 9 and set(np.unique(out)) == {0.0, 1.0}


def test_random_crop_errors():
    with pytest.raises(ValueError, match=r"RandomCrop: the crop \(5, 5\) is larger than the "
                                         r"image \(4, 6\); pass padding= or pad_if_needed"):
        RandomCrop(5)(images(1, 4, 6))
    with pytest.raises(ValueError, match=r"RandomCrop: size must be a positive int"):
        RandomCrop(-1)
    with pytest.raises(ValueError, match=r"RandomCrop: padding must be a non-negative int"):
        RandomCrop(4, padding=(1, 2, 3))
    with pytest.raises(ValueError, match=r"RandomCrop: padding_mode must be one of"):
        RandomCrop(4, padding=1, padding_mode="wrap")
    with pytest.raises(ValueError, match=r"RandomCrop: fill must be a number or one number per "
                                         r"channel \(3\)"):
        RandomCrop(4, padding=1, fill=(1, 2))(images(3, 4, 4))
    with pytest.raises(ValueError, match=r"RandomCrop: expected one image \(C, H, W\)"):
        RandomCrop(2)(images(1, 1, 1, 4, 4))


# --------------------------------------------------------------------------- RandomHorizontalFlip
def test_horizontal_flip_p_1_and_p_0():
    x = images(2, 3, 4)
    np.testing.assert_array_equal(RandomHorizontalFlip(p=1.0)(x), x[:, :, ::-1])
    kept = RandomHorizontalFlip(p=0.0)(x)
    np.testing.assert_array_equal(kept, x)
    assert not np.shares_memory(kept, x)
    out = RandomHorizontalFlip(1)(Tensor(x))
    assert isinstance(out, Tensor)
    np.testing.assert_array_equal(out.data, x[:, :, ::-1])


def test_horizontal_flip_draws_per_image():
    batch = images(200, 1, 2, 3)
    flip = RandomHorizontalFlip(p=0.3)
    out = batched(flip, batch, seed=5)
    flipped = np.array([np.array_equal(o, b[:, :, ::-1]) for o, b in zip(out, batch)])
    kept = np.array([np.array_equal(o, b) for o, b in zip(out, batch)])
    assert np.all(flipped ^ kept)
    assert 0.2 < flipped.mean() < 0.4
    np.testing.assert_array_equal(out, one_by_one(flip, batch, seed=5))


def test_horizontal_flip_errors():
    for p in (1.5, -0.1, "0.5", True):
        with pytest.raises(ValueError, match=r"RandomHorizontalFlip: p must be a probability"):
            RandomHorizontalFlip(p)


# --------------------------------------------------------------------------- RandomAffine
def test_affine_without_rotation_is_an_integer_shift():
    x = images(2, 9, 11)
    affine = RandomAffine(0, translate=(0.3, 0.4), fill=-1.0)
    seen = set()
    for seed in range(12):
        shendu.manual_seed(seed)
        angle, (tx, ty), scale, shear = RandomAffine.get_params(
            affine.degrees, affine.translate, None, None, img_size=(11, 9))
        assert angle == 0.0 and scale == 1.0 and shear == (0.0, 0.0)
        assert abs(tx) <= round(0.3 * 11) and abs(ty) <= round(0.4 * 9)
        shendu.manual_seed(seed)  # the same draws: one image consumes what get_params does
        np.testing.assert_array_equal(affine(x), shifted(x, tx, ty, fill=-1.0))
        seen.add((tx, ty))
    assert any(tx > 0 for tx, _ in seen) and any(ty < 0 for _, ty in seen)


@pytest.mark.parametrize("size", [4, 5])
def test_affine_rotation_by_90_degrees_is_rot90_clockwise(size):
    x = images(2, 3, size, size)
    # positive angles turn the image clockwise as displayed (torchvision's F.affine): np.rot90
    # with k=-1; negative angles counter-clockwise (k=1)
    np.testing.assert_array_equal(RandomAffine((90, 90))(x), np.rot90(x, k=-1, axes=(2, 3)))
    np.testing.assert_array_equal(RandomAffine((-90, -90))(x[0]), np.rot90(x[0], k=1, axes=(1, 2)))
    np.testing.assert_array_equal(RandomAffine((180, 180))(x), x[:, :, ::-1, ::-1])
    np.testing.assert_allclose(RandomAffine((90, 90), interpolation="bilinear")(x),
                               np.rot90(x, k=-1, axes=(2, 3)), atol=1e-6)


def test_affine_shear_and_scale_by_hand():
    x = images(1, 5, 7)
    # an x-shear of 45 degrees: output (r, c) takes input (r, c + (r - 2)), rows 2 above/below
    # the centre moving by 2 pixels
    out = RandomAffine(0, shear=(45, 45), fill=9.0)(x)
    for r in range(5):
        for c in range(7):
            source = c + (r - 2)
            expected = x[0, r, source] if 0 <= source < 7 else 9.0
            assert out[0, r, c] == expected
    # zooming by 2 about the centre column 3: output column c samples input (c - 3) / 2 + 3;
    # a ramp image makes the bilinear value the position itself
    ramp = np.tile(np.arange(7, dtype=np.float32), (1, 5, 1))
    zoomed = RandomAffine(0, scale=(2, 2), interpolation="bilinear")(ramp)
    np.testing.assert_allclose(zoomed[0, 2], [1.5, 2, 2.5, 3, 3.5, 4, 4.5], atol=1e-6)


def test_affine_fill_per_channel_outside_the_image():
    x = np.ones((3, 6, 6), dtype=np.float32)
    out = RandomAffine(0, scale=(0.5, 0.5), fill=(-1, -2, -3))(x)
    # halving about the centre: output pixels 0 and 5 of each axis read input -3.5 / 8.5
    for channel, fill in enumerate((-1, -2, -3)):
        ring = np.concatenate([out[channel, [0, -1], :].ravel(), out[channel, :, [0, -1]].ravel()])
        assert np.all(ring == fill)
        assert np.all(out[channel, 2:4, 2:4] == 1)


@pytest.mark.torch
@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_affine_matches_torch_grid_sample(mode):
    torch = pytest.importorskip("torch")
    x = images(5, 2, 9, 14, dtype=np.float64)
    affine = RandomAffine((-40, 40), translate=(0.2, 0.3), scale=(0.7, 1.3),
                          shear=(-20, 20, -10, 10), interpolation=mode)
    out = batched(affine, x, seed=11)
    shendu.manual_seed(11)
    thetas = []
    for _ in x:  # torchvision's matrix, built here from its definition, in normalised coords
        angle, (tx, ty), s, (sx, sy) = RandomAffine.get_params(
            affine.degrees, affine.translate, affine.scale, affine.shear, (14, 9))
        a, bx, by = np.deg2rad([angle, sx, sy])
        rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        forward = s * rotation @ np.array([[1, 0], [-np.tan(by), 1]]) \
            @ np.array([[1, -np.tan(bx)], [0, 1]])
        half = np.diag([14 / 2, 9 / 2])  # pixel offsets from the centre = half * normalised
        inverse = np.linalg.inv(half) @ np.linalg.inv(forward) @ half
        shift = -inverse @ np.array([tx / 7, ty / 4.5])
        thetas.append(np.hstack([inverse, shift[:, None]]))
    theta = torch.from_numpy(np.array(thetas))
    grid = torch.nn.functional.affine_grid(theta, list(x.shape), align_corners=False)
    expected = torch.nn.functional.grid_sample(torch.from_numpy(x), grid, mode=mode,
                                               padding_mode="zeros", align_corners=False)
    np.testing.assert_allclose(out, expected.numpy(), atol=1e-12)


def test_affine_batch_equals_images_one_by_one_and_seeds_repeat():
    batch = images(5, 3, 8, 10)
    affine = RandomAffine(30, translate=(0.1, 0.2), scale=(0.8, 1.2), shear=10,
                          interpolation="bilinear", fill=0.5)
    expected = one_by_one(affine, batch, seed=7)
    np.testing.assert_allclose(batched(affine, batch, seed=7), expected, atol=1e-6)
    np.testing.assert_array_equal(batched(affine, batch, seed=7), batched(affine, batch, seed=7))
    assert not np.allclose(batched(affine, batch, seed=8), expected)
    assert isinstance(affine(Tensor(batch[0])), Tensor)


def test_affine_on_uint8_images_keeps_uint8():
    pixels = np.random.default_rng(6).integers(0, 256, (2, 1, 6, 6), dtype=np.uint8)
    for mode in ("nearest", "bilinear"):
        out = RandomAffine(15, interpolation=mode)(pixels)
        assert out.dtype == np.uint8 and out.shape == pixels.shape
    np.testing.assert_array_equal(RandomAffine((90, 90), interpolation="bilinear")(pixels),
                                  np.rot90(pixels, k=-1, axes=(2, 3)))


def test_affine_errors():
    with pytest.raises(ValueError, match=r"RandomAffine: degrees .* must be >= 0, got -5"):
        RandomAffine(-5)
    with pytest.raises(ValueError, match=r"RandomAffine: degrees ranges must be \(min, max\)"):
        RandomAffine((10, -10))
    with pytest.raises(ValueError, match=r"RandomAffine: translate must be \(a, b\) with "
                                         r"fractions"):
        RandomAffine(0, translate=(1.5, 0))
    with pytest.raises(ValueError, match=r"RandomAffine: scale must be \(min, max\) with 0 <"):
        RandomAffine(0, scale=(0, 1))
    with pytest.raises(ValueError, match=r"RandomAffine: shear must be a number or a sequence "
                                         r"of 2 or 4"):
        RandomAffine(0, shear=(1, 2, 3))
    with pytest.raises(ValueError, match=r"RandomAffine: shear angles must lie in \(-90, 90\)"):
        RandomAffine(0, shear=(-10, 90))
    with pytest.raises(ValueError, match=r"RandomAffine: interpolation must be"):
        RandomAffine(0, interpolation="bicubic")
    with pytest.raises(TypeError, match=r"RandomAffine: fill must be a number"):
        RandomAffine(0, fill="white")
    with pytest.raises(ValueError, match=r"RandomAffine: fill must be a number or one number "
                                         r"per channel \(3\)"):
        RandomAffine(0, fill=(1, 2))(images(3, 4, 4))
    with pytest.raises(ValueError, match=r"RandomAffine: expected one image \(C, H, W\) or a "
                                         r"batch \(N, C, H, W\), got shape \(4, 4\)"):
        RandomAffine(0)(images(4, 4))


# --------------------------------------------------------------------------- Compose, Lambda, repr
def test_compose_applies_in_order():
    pipeline = Compose([ToTensor(), Lambda(lambda t: t * 2), Normalize((1.0,), (2.0,))])
    pixels = np.array([[0, 255]], dtype=np.uint8)
    np.testing.assert_allclose(pipeline(pixels).data, [[[-0.5, 0.5]]])


def test_reprs_follow_torchvision():
    pipeline = Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])
    assert repr(pipeline) == ("Compose(\n    ToTensor()\n"
                              "    Normalize(mean=(0.1307,), std=(0.3081,))\n)")
    assert repr(Resize(32)) == ("Resize(size=32, interpolation=bilinear, max_size=None, "
                                "antialias=True)")
    assert repr(RandomCrop(28, padding=4)) == "RandomCrop(size=(28, 28), padding=4)"
    assert repr(CenterCrop((3, 4))) == "CenterCrop(size=(3, 4))"
    assert repr(RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    assert repr(RandomAffine(10)) == "RandomAffine(degrees=[-10.0, 10.0])"
    assert repr(RandomAffine(10, translate=(0.1, 0.1), fill=1)) == \
        "RandomAffine(degrees=[-10.0, 10.0], translate=(0.1, 0.1), fill=1)"
    assert repr(Lambda(abs)) == "Lambda()"
    assert repr(ToTensor(batched=True)) == "ToTensor(batched=True)"


def test_compose_and_lambda_errors():
    with pytest.raises(TypeError, match=r"Lambda: lambd must be callable, got a int"):
        Lambda(3)
    with pytest.raises(TypeError, match=r"Compose: transforms\[1\] is not callable"):
        Compose([ToTensor(), "resize"])
    with pytest.raises(TypeError, match=r"Compose: transforms must be a list of callables"):
        Compose(ToTensor())
