"""Bounding boxes: format conversion, area, intersection over union and non-maximum suppression,
with torchvision's names and semantics (``torchvision.ops``), vectorised in NumPy.

A box is four numbers in one of three formats:

- ``"xyxy"``: (x1, y1, x2, y2), the top-left and bottom-right corners (x1 <= x2, y1 <= y2);
- ``"xywh"``: (x1, y1, w, h), the top-left corner, the width and the height;
- ``"cxcywh"``: (cx, cy, w, h), the centre, the width and the height.

Every function takes a NumPy array or a shendu Tensor and returns the same kind.
``box_convert``, ``box_area`` and ``box_iou`` are built from differentiable Tensor ops, so on
Tensors they record a graph (an IoU-based loss can be backpropagated); ``nms`` and
``batched_nms`` return indices, which have no gradient.

>>> import numpy as np
>>> boxes = np.array([[0.0, 0.0, 2.0, 2.0], [1.0, 1.0, 3.0, 3.0]])
>>> box_iou(boxes, boxes)[0, 1]  # overlap 1, union 4 + 4 - 1
np.float64(0.14285714285714285)
"""

from __future__ import annotations

import numbers

import numpy as np

import shendu
from shendu.tensor import Tensor

BOX_FORMATS = ("xyxy", "xywh", "cxcywh")


def _as_boxes(fn: str, boxes, name: str = "boxes", any_leading: bool = False):
    """``boxes`` as an ndarray or a Tensor of shape (N, 4) ((..., 4) with ``any_leading``),
    floating point; lists become ndarrays."""
    if not isinstance(boxes, (Tensor, np.ndarray)):
        try:
            boxes = np.asarray(boxes, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{fn}: {name} must be a NumPy array or a shendu Tensor of shape "
                            f"(N, 4), got {type(boxes).__name__}") from error
    shape = tuple(boxes.shape)
    if any_leading:
        ok = len(shape) >= 1 and shape[-1] == 4
        expected = "(..., 4)"
    else:
        ok = len(shape) == 2 and shape[1] == 4
        expected = "(N, 4)"
    if not ok:
        raise ValueError(f"{fn}: {name} must have shape {expected}, got {shape}")
    if isinstance(boxes, np.ndarray) and not np.issubdtype(boxes.dtype, np.floating):
        boxes = boxes.astype(np.float64)
    elif isinstance(boxes, Tensor) and not boxes.is_floating_point():
        boxes = boxes.double()
    return boxes


def _check_xyxy(fn: str, boxes, name: str = "boxes") -> None:
    """Raise when a box has x2 < x1 or y2 < y1 (the corners are swapped)."""
    data = boxes.detach().numpy() if isinstance(boxes, Tensor) else boxes
    bad = np.flatnonzero((data[:, 2] < data[:, 0]) | (data[:, 3] < data[:, 1]))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{fn}: {name} must be in xyxy format with x1 <= x2 and y1 <= y2; "
                         f"{name}[{i}] = {data[i].tolist()} ({bad.size} such boxes). "
                         f"Convert other formats with box_convert(..., out_fmt='xyxy')")


def _stack(parts: list, like):
    """Stack four (...,) coordinate arrays into (..., 4), as Tensor or ndarray like ``like``."""
    if isinstance(like, Tensor):
        return shendu.stack(parts, dim=-1)
    return np.stack(parts, axis=-1)


def _check_format(fmt: str, name: str) -> None:
    if fmt not in BOX_FORMATS:
        raise ValueError(f"box_convert: {name} must be one of {BOX_FORMATS}, got {fmt!r}")


def box_convert(boxes, in_fmt: str, out_fmt: str):
    """Convert boxes between the ``"xyxy"``, ``"xywh"`` and ``"cxcywh"`` formats.

    Formulas (through xyxy): xywh -> xyxy: (x, y, x + w, y + h); cxcywh -> xyxy:
    (cx - w/2, cy - h/2, cx + w/2, cy + h/2); xyxy -> xywh: (x1, y1, x2 - x1, y2 - y1);
    xyxy -> cxcywh: ((x1 + x2)/2, (y1 + y2)/2, x2 - x1, y2 - y1).

    Args:
        boxes: ndarray or Tensor of shape (N, 4) (any leading shape (..., 4) is accepted).
        in_fmt, out_fmt: one of ``"xyxy"``, ``"xywh"``, ``"cxcywh"``.

    Returns:
        The converted boxes, same shape and kind (integer input becomes float64).
    """
    _check_format(in_fmt, "in_fmt")
    _check_format(out_fmt, "out_fmt")
    boxes = _as_boxes("box_convert", boxes, any_leading=True)
    if in_fmt == out_fmt:
        return boxes.clone() if isinstance(boxes, Tensor) else boxes.copy()
    a, b, c, d = (boxes[..., k] for k in range(4))
    if in_fmt == "xywh":
        x1, y1, x2, y2 = a, b, a + c, b + d
    elif in_fmt == "cxcywh":
        x1, y1, x2, y2 = a - 0.5 * c, b - 0.5 * d, a + 0.5 * c, b + 0.5 * d
    else:
        x1, y1, x2, y2 = a, b, c, d
    if out_fmt == "xyxy":
        return _stack([x1, y1, x2, y2], boxes)
    if out_fmt == "xywh":
        return _stack([x1, y1, x2 - x1, y2 - y1], boxes)
    return _stack([(x1 + x2) * 0.5, (y1 + y2) * 0.5, x2 - x1, y2 - y1], boxes)


def box_area(boxes):
    """Area of xyxy boxes: (x2 - x1) * (y2 - y1).

    Args:
        boxes: ndarray or Tensor of shape (N, 4), xyxy, with x1 <= x2 and y1 <= y2.

    Returns:
        Shape (N,), same kind as ``boxes``.
    """
    boxes = _as_boxes("box_area", boxes)
    _check_xyxy("box_area", boxes)
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def _pairwise_intersection(boxes1, boxes2):
    """Intersection areas (N, M) of xyxy boxes (N, 4) and (M, 4)."""
    if isinstance(boxes1, Tensor):
        maximum, minimum = shendu.maximum, shendu.minimum
    else:
        maximum, minimum = np.maximum, np.minimum
    left = maximum(boxes1[:, None, 0], boxes2[None, :, 0])
    top = maximum(boxes1[:, None, 1], boxes2[None, :, 1])
    right = minimum(boxes1[:, None, 2], boxes2[None, :, 2])
    bottom = minimum(boxes1[:, None, 3], boxes2[None, :, 3])
    if isinstance(boxes1, Tensor):
        return (right - left).clamp(min=0) * (bottom - top).clamp(min=0)
    return np.clip(right - left, 0, None) * np.clip(bottom - top, 0, None)


def box_iou(boxes1, boxes2):
    """Intersection over union of every pair: IoU[i, j] = |A_i & B_j| / |A_i | B_j|, where
    |A | B| = area(A) + area(B) - |A & B|.

    Args:
        boxes1: (N, 4) xyxy boxes; boxes2: (M, 4) xyxy boxes; both ndarrays or both Tensors.

    Returns:
        IoU of shape (N, M) in [0, 1], same kind as the inputs. Two boxes whose union has zero
        area (both degenerate) have IoU 0 (torchvision returns nan there).
    """
    boxes1 = _as_boxes("box_iou", boxes1, "boxes1")
    boxes2 = _as_boxes("box_iou", boxes2, "boxes2")
    if isinstance(boxes1, Tensor) != isinstance(boxes2, Tensor):
        raise TypeError(f"box_iou: boxes1 and boxes2 must both be Tensors or both be arrays, "
                        f"got {type(boxes1).__name__} and {type(boxes2).__name__}")
    _check_xyxy("box_iou", boxes1, "boxes1")
    _check_xyxy("box_iou", boxes2, "boxes2")
    inter = _pairwise_intersection(boxes1, boxes2)
    area1, area2 = box_area(boxes1), box_area(boxes2)
    union = area1[:, None] + area2[None, :] - inter
    if isinstance(union, Tensor):
        return inter / shendu.where(union > 0, union, 1.0)
    return inter / np.where(union > 0, union, 1.0)


def _check_threshold(fn: str, iou_threshold) -> float:
    if isinstance(iou_threshold, bool) or not isinstance(iou_threshold, numbers.Real):
        raise TypeError(f"{fn}: iou_threshold must be a number in [0, 1], "
                        f"got {type(iou_threshold).__name__}")
    if not 0.0 <= float(iou_threshold) <= 1.0:
        raise ValueError(f"{fn}: iou_threshold must be in [0, 1], got {iou_threshold}")
    return float(iou_threshold)


def _as_scores(fn: str, scores, n: int) -> np.ndarray:
    data = scores.detach().numpy() if isinstance(scores, Tensor) else np.asarray(scores)
    if data.shape != (n,):
        raise ValueError(f"{fn}: scores must have shape (N,) = ({n},), one per box, "
                         f"got {data.shape}")
    if np.isnan(data).any():
        raise ValueError(f"{fn}: scores contain nan (at index {int(np.isnan(data).argmax())})")
    return data


def _greedy_nms(boxes: np.ndarray, scores: np.ndarray, threshold: float) -> np.ndarray:
    """The greedy loop: take the highest-scoring box left, drop every box left whose IoU with
    it exceeds the threshold, repeat. One vectorised IoU row per kept box (memory O(N))."""
    order = np.argsort(-scores, kind="stable")  # ties: the lower index first
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep = []
    while order.size:
        best, rest = order[0], order[1:]
        keep.append(best)
        width = np.minimum(boxes[best, 2], boxes[rest, 2]) - np.maximum(boxes[best, 0],
                                                                         boxes[rest, 0])
        height = np.minimum(boxes[best, 3], boxes[rest, 3]) - np.maximum(boxes[best, 1],
                                                                          boxes[rest, 1])
        inter = np.clip(width, 0, None) * np.clip(height, 0, None)
        union = areas[best] + areas[rest] - inter
        iou = inter / np.where(union > 0, union, 1.0)
        order = rest[iou <= threshold]
    return np.asarray(keep, dtype=np.int64)


def _indices_like(indices: np.ndarray, like):
    return shendu.from_numpy(indices) if isinstance(like, Tensor) else indices


def nms(boxes, scores, iou_threshold: float):
    """Non-maximum suppression: keep the highest-scoring box, discard every other box whose
    IoU with it is greater than ``iou_threshold``, and repeat with the boxes left.

    Args:
        boxes: (N, 4) xyxy boxes (ndarray or Tensor).
        scores: (N,) scores, no nan.
        iou_threshold: in [0, 1]; boxes with IoU > threshold with a kept box are discarded
            (IoU equal to the threshold is kept, as in torchvision).

    Returns:
        int64 indices of the kept boxes, sorted by decreasing score (equal scores: lower index
        first), as an ndarray or a Tensor like ``boxes``. No gradient.
    """
    boxes = _as_boxes("nms", boxes)
    _check_xyxy("nms", boxes)
    threshold = _check_threshold("nms", iou_threshold)
    data = boxes.detach().numpy() if isinstance(boxes, Tensor) else boxes
    score_data = _as_scores("nms", scores, len(data))
    return _indices_like(_greedy_nms(data.astype(np.float64), score_data, threshold), boxes)


def batched_nms(boxes, scores, idxs, iou_threshold: float):
    """Non-maximum suppression done independently per category: boxes with different
    ``idxs`` never suppress each other.

    Args:
        boxes: (N, 4) xyxy boxes; scores: (N,); idxs: (N,) integer category of each box.
        iou_threshold: in [0, 1], as in :func:`nms`.

    Returns:
        int64 indices of the kept boxes over all categories, sorted by decreasing score (equal
        scores: lower index first), as an ndarray or a Tensor like ``boxes``.
    """
    boxes = _as_boxes("batched_nms", boxes)
    _check_xyxy("batched_nms", boxes)
    threshold = _check_threshold("batched_nms", iou_threshold)
    data = (boxes.detach().numpy() if isinstance(boxes, Tensor) else boxes).astype(np.float64)
    score_data = _as_scores("batched_nms", scores, len(data))
    classes = idxs.detach().numpy() if isinstance(idxs, Tensor) else np.asarray(idxs)
    if classes.shape != (len(data),):
        raise ValueError(f"batched_nms: idxs must have shape (N,) = ({len(data)},), one "
                         f"category per box, got {classes.shape}")
    kept = [np.flatnonzero(classes == c)[_greedy_nms(data[classes == c],
                                                     score_data[classes == c], threshold)]
            for c in np.unique(classes)]
    keep = np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)
    keep = keep[np.lexsort((keep, -score_data[keep]))]
    return _indices_like(keep.astype(np.int64), boxes)
