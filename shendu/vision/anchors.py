"""Anchor boxes (as in d2l's "Anchor Boxes" section): many boxes of several sizes and shapes
centred on every pixel, the assignment of ground-truth boxes to anchors, and the offsets a
detector predicts relative to its anchors.

Coordinates are normalised: x is divided by the image width and y by its height, so the image
spans [0, 1] x [0, 1] whatever its size. Boxes are xyxy (see :mod:`shendu.vision.boxes`).
Functions take NumPy arrays or shendu Tensors and return the same kind (no gradient).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

import shendu
from shendu.tensor import Tensor
from shendu.vision.boxes import _as_boxes, box_convert, box_iou


def _positive_list(fn: str, name: str, values) -> np.ndarray:
    """``values`` as a non-empty 1-D float64 array of positive numbers."""
    if isinstance(values, numbers.Real):
        values = [values]
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{fn}: {name} must be a sequence of positive numbers, "
                        f"got {values!r}") from error
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{fn}: {name} must be a non-empty sequence of positive numbers, "
                         f"got {values!r}")
    if not (np.isfinite(array).all() and (array > 0).all()):
        raise ValueError(f"{fn}: every value of {name} must be positive and finite, "
                         f"got {array.tolist()}")
    return array


def multibox_prior(data, sizes: Sequence[float], ratios: Sequence[float]):
    """Anchor boxes centred on every pixel of ``data``'s last two dimensions (h, w).

    With sizes s_1..s_n and ratios r_1..r_m, each pixel gets n + m - 1 anchors: (s_i, r_1) for
    every size, then (s_1, r_j) for j >= 2, in that order. Pixel (i, j) has centre
    ((j + 0.5) / w, (i + 0.5) / h). An anchor of size s and ratio r has, in normalised
    coordinates, width s * sqrt(r) * h / w and height s / sqrt(r): in pixels, width
    s * sqrt(r) * h and height s * h / sqrt(r), so s is a fraction of the image height and r is
    width / height (d2l's code; its text writes w s sqrt(r), which differs for non-square
    images). Anchors may extend past the image (coordinates outside [0, 1]).

    Args:
        data: an array or Tensor whose last two dimensions are (h, w), e.g. (N, C, h, w) or a
            feature map; only its shape is used.
        sizes: positive scales s_i (fractions of the image, usually in (0, 1]).
        ratios: positive width/height ratios r_j.

    Returns:
        float32 xyxy anchors of shape (1, h * w * (n + m - 1), 4), pixel by pixel in row-major
        order, as a Tensor if ``data`` is one, else an ndarray.

    >>> multibox_prior(np.zeros((1, 1, 2, 2)), sizes=[0.5], ratios=[1.0])[0, 0]
    array([0. , 0. , 0.5, 0.5], dtype=float32)
    """
    shape = tuple(getattr(data, "shape", ()))
    if len(shape) < 2 or shape[-1] < 1 or shape[-2] < 1:
        raise ValueError(f"multibox_prior: data must have at least two dimensions (..., h, w) "
                         f"with h, w >= 1, got shape {shape}")
    sizes = _positive_list("multibox_prior", "sizes", sizes)
    ratios = _positive_list("multibox_prior", "ratios", ratios)
    height, width = shape[-2:]
    widths = np.concatenate([sizes * np.sqrt(ratios[0]), sizes[0] * np.sqrt(ratios[1:])])
    widths = widths * height / width
    heights = np.concatenate([sizes / np.sqrt(ratios[0]), sizes[0] / np.sqrt(ratios[1:])])
    half = np.stack([-widths, -heights, widths, heights], axis=1) / 2          # (k, 4)
    cy, cx = np.meshgrid((np.arange(height) + 0.5) / height,
                         (np.arange(width) + 0.5) / width, indexing="ij")
    centres = np.stack([cx, cy, cx, cy], axis=-1).reshape(-1, 1, 4)          # (h*w, 1, 4)
    anchors = (centres + half[None]).reshape(1, -1, 4).astype(np.float32)
    return shendu.from_numpy(anchors) if isinstance(data, Tensor) else anchors


def _numpy(x) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, Tensor) else np.asarray(x)


def assign_anchor_to_bbox(ground_truth, anchors, iou_threshold: float = 0.5):
    """Assign a ground-truth box to each anchor (d2l's algorithm).

    First every ground-truth box takes, in turn, the anchor with the largest IoU left in the
    (anchors x boxes) IoU matrix (that row and column are then discarded), so each box gets
    at least one anchor. Every other anchor takes the box it overlaps most when that IoU is
    >= ``iou_threshold``; the rest stay unassigned (-1).

    Args:
        ground_truth: (M, 4) xyxy boxes; anchors: (N, 4) xyxy anchors.
        iou_threshold: in [0, 1].

    Returns:
        int64 (N,): the index of the box assigned to each anchor, or -1; the same kind as
        ``anchors``.
    """
    fn = "assign_anchor_to_bbox"
    if not 0.0 <= float(iou_threshold) <= 1.0:
        raise ValueError(f"{fn}: iou_threshold must be in [0, 1], got {iou_threshold}")
    gt = _as_boxes(fn, _numpy(ground_truth), "ground_truth")
    anc = _as_boxes(fn, _numpy(anchors), "anchors")
    jaccard = box_iou(anc, gt)                                    # (N, M)
    assigned = np.full(len(anc), -1, dtype=np.int64)
    if len(gt):
        best = jaccard.argmax(axis=1)
        good = jaccard[np.arange(len(anc)), best] >= iou_threshold
        assigned[good] = best[good]
    free = jaccard.copy()
    for _ in range(min(len(gt), len(anc))):
        row, col = np.unravel_index(free.argmax(), free.shape)
        assigned[row] = col
        free[row, :] = -1.0
        free[:, col] = -1.0
    return shendu.from_numpy(assigned) if isinstance(anchors, Tensor) else assigned


def offset_boxes(anchors, assigned_bb, eps: float = 1e-6):
    """Offsets of boxes relative to anchors, scaled as in d2l (and SSD's variances 0.1, 0.2):
    with centre form (x, y, w, h) of anchor a and box b,

        offset = (10 (x_b - x_a) / w_a, 10 (y_b - y_a) / h_a,
                  5 log(eps + w_b / w_a), 5 log(eps + h_b / h_a)).

    Args:
        anchors, assigned_bb: (N, 4) xyxy, one box per anchor.

    Returns:
        (N, 4) offsets, the same kind as ``anchors``.
    """
    fn = "offset_boxes"
    anc = box_convert(_as_boxes(fn, _numpy(anchors), "anchors"), "xyxy", "cxcywh")
    box = box_convert(_as_boxes(fn, _numpy(assigned_bb), "assigned_bb"), "xyxy", "cxcywh")
    if anc.shape != box.shape:
        raise ValueError(f"{fn}: anchors and assigned_bb must have the same shape, got "
                         f"{anc.shape} and {box.shape}")
    offset_xy = 10 * (box[:, :2] - anc[:, :2]) / anc[:, 2:]
    offset_wh = 5 * np.log(eps + box[:, 2:] / anc[:, 2:])
    out = np.concatenate([offset_xy, offset_wh], axis=1)
    return shendu.from_numpy(out) if isinstance(anchors, Tensor) else out


def offset_inverse(anchors, offset_preds):
    """The boxes that ``offset_preds`` describe relative to ``anchors``: the inverse of
    :func:`offset_boxes` (without its eps): x_b = x_a + w_a o_x / 10, y_b = y_a + h_a o_y / 10,
    w_b = w_a exp(o_w / 5), h_b = h_a exp(o_h / 5), returned as (N, 4) xyxy boxes."""
    fn = "offset_inverse"
    anc = box_convert(_as_boxes(fn, _numpy(anchors), "anchors"), "xyxy", "cxcywh")
    offsets = _as_boxes(fn, _numpy(offset_preds), "offset_preds")
    if anc.shape != offsets.shape:
        raise ValueError(f"{fn}: anchors and offset_preds must have the same shape, got "
                         f"{anc.shape} and {offsets.shape}")
    centres = anc[:, :2] + offsets[:, :2] * anc[:, 2:] / 10
    sizes = anc[:, 2:] * np.exp(offsets[:, 2:] / 5)
    out = box_convert(np.concatenate([centres, sizes], axis=1), "cxcywh", "xyxy")
    return shendu.from_numpy(out) if isinstance(anchors, Tensor) else out
