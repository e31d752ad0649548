"""shendu.vision.boxes and shendu.vision.anchors: format round trips, IoU and NMS against hand
values and a pure-Python reference, d2l's published anchor and offset numbers, and errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import shendu
from shendu.autograd.gradcheck import gradcheck
from shendu.vision.anchors import (
    assign_anchor_to_bbox,
    multibox_prior,
    offset_boxes,
    offset_inverse,
)
from shendu.vision.boxes import BOX_FORMATS, batched_nms, box_area, box_convert, box_iou, nms


def random_boxes(rng: np.random.Generator, n: int, scale: float = 10.0) -> np.ndarray:
    """n xyxy boxes with corners in [0, scale], some of them degenerate (zero width)."""
    corners = rng.uniform(0, scale, size=(n, 2, 2))
    lo, hi = corners.min(axis=1), corners.max(axis=1)
    boxes = np.concatenate([lo, hi], axis=1)
    boxes[::7, 2] = boxes[::7, 0]     # every 7th box has zero width
    return boxes


def reference_iou(a, b) -> float:
    """IoU of two xyxy boxes, one number at a time."""
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def reference_nms(boxes, scores, threshold) -> list[int]:
    """The textbook loop: visit boxes by decreasing score (stable); keep one unless it overlaps
    an already kept box by more than the threshold."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    keep: list[int] = []
    for i in order:
        if all(reference_iou(boxes[i], boxes[k]) <= threshold for k in keep):
            keep.append(i)
    return keep


# ----------------------------------------------------------------------------- box_convert
def test_box_convert_hand_values():
    xyxy = np.array([[1.0, 2.0, 5.0, 8.0]])
    np.testing.assert_allclose(box_convert(xyxy, "xyxy", "xywh"), [[1, 2, 4, 6]])
    np.testing.assert_allclose(box_convert(xyxy, "xyxy", "cxcywh"), [[3, 5, 4, 6]])
    np.testing.assert_allclose(box_convert([[3.0, 5, 4, 6]], "cxcywh", "xyxy"), [[1, 2, 5, 8]])
    np.testing.assert_allclose(box_convert([[1.0, 2, 4, 6]], "xywh", "cxcywh"), [[3, 5, 4, 6]])


@pytest.mark.parametrize("in_fmt", BOX_FORMATS)
@pytest.mark.parametrize("out_fmt", BOX_FORMATS)
def test_box_convert_round_trip(in_fmt, out_fmt):
    boxes = box_convert(random_boxes(np.random.default_rng(0), 20), "xyxy", in_fmt)
    back = box_convert(box_convert(boxes, in_fmt, out_fmt), out_fmt, in_fmt)
    np.testing.assert_allclose(back, boxes, atol=1e-12)


def test_box_convert_tensor_in_tensor_out_with_gradient():
    boxes = shendu.tensor(random_boxes(np.random.default_rng(1), 5), requires_grad=True)
    out = box_convert(boxes, "xyxy", "cxcywh")
    assert isinstance(out, shendu.Tensor) and out.shape == (5, 4)
    np.testing.assert_allclose(out.detach().numpy(),
                               box_convert(boxes.detach().numpy(), "xyxy", "cxcywh"))
    gradcheck(lambda b: box_convert(b, "xyxy", "cxcywh"), (boxes,))
    batched = box_convert(np.zeros((2, 3, 4)), "xywh", "xyxy")   # leading dimensions kept
    assert batched.shape == (2, 3, 4)


# ------------------------------------------------------------------------- area and IoU
def test_box_area_and_iou_hand_values():
    a = np.array([[0.0, 0.0, 2.0, 2.0], [1.0, 1.0, 3.0, 3.0], [5.0, 5.0, 6.0, 7.0]])
    np.testing.assert_allclose(box_area(a), [4, 4, 2])
    iou = box_iou(a, a[:2])
    # overlap of the first two: the unit square [1, 2] x [1, 2]; union 4 + 4 - 1
    np.testing.assert_allclose(iou, [[1, 1 / 7], [1 / 7, 1], [0, 0]])
    assert iou.shape == (3, 2)
    # touching edges overlap by zero area
    assert box_iou(np.array([[0.0, 0, 1, 1]]), np.array([[1.0, 0, 2, 1]]))[0, 0] == 0
    # a box inside another: IoU = small area / large area
    assert box_iou(np.array([[0.0, 0, 4, 4]]), np.array([[1.0, 1, 2, 2]]))[0, 0] == 1 / 16
    # two degenerate boxes: union 0, IoU defined as 0 (torchvision gives nan)
    point = np.array([[1.0, 1, 1, 1]])
    assert box_iou(point, point)[0, 0] == 0


def test_box_iou_matches_pure_python_reference():
    rng = np.random.default_rng(2)
    b1, b2 = random_boxes(rng, 30), random_boxes(rng, 17)
    expected = [[reference_iou(x, y) for y in b2] for x in b1]
    np.testing.assert_allclose(box_iou(b1, b2), expected, atol=1e-12)


def test_box_iou_tensor_gradcheck():
    rng = np.random.default_rng(3)
    # boxes that overlap in general position (no ties of max/min, where IoU has a kink)
    b1 = shendu.tensor(np.array([[0.0, 0.1, 2.0, 2.2], [1.1, 0.9, 3.3, 2.7]])
                       + rng.uniform(0, 0.01, (2, 4)), requires_grad=True)
    b2 = shendu.tensor(np.array([[0.5, 0.4, 2.5, 3.1], [0.2, 1.3, 1.7, 2.9],
                                 [1.5, 0.3, 2.8, 1.9]]), requires_grad=True)
    out = box_iou(b1, b2)
    assert isinstance(out, shendu.Tensor) and out.shape == (2, 3)
    np.testing.assert_allclose(out.detach().numpy(),
                               box_iou(b1.detach().numpy(), b2.detach().numpy()))
    gradcheck(box_iou, (b1, b2))


# --------------------------------------------------------------------------------- nms
def test_nms_hand_case():
    boxes = np.array([[0.0, 0, 10, 10],     # 0: score .9
                      [1.0, 1, 11, 11],     # 1: IoU with 0 = 81 / 119 = 0.68
                      [20.0, 20, 30, 30],   # 2: far away
                      [0.0, 0, 10, 9.0]])   # 3: IoU with 0 = 0.9, highest score
    scores = np.array([0.9, 0.8, 0.3, 0.95])
    np.testing.assert_array_equal(nms(boxes, scores, 0.5), [3, 2])  # 3 removes 0 (0.9), 1 (0.61)
    np.testing.assert_array_equal(nms(boxes, scores, 0.95), [3, 0, 1, 2])
    np.testing.assert_array_equal(nms(boxes, scores, 0.65), [3, 1, 2])  # IoU(3, 1) = 72 / 118
    # IoU exactly at the threshold is kept (only IoU > threshold suppresses)
    two = np.array([[0.0, 0, 2, 1], [1.0, 0, 3, 1]])    # IoU 1/3
    assert len(nms(two, np.array([1.0, 0.5]), 1 / 3)) == 2
    assert len(nms(two, np.array([1.0, 0.5]), 0.3)) == 1
    assert nms(np.zeros((0, 4)), np.zeros(0), 0.5).shape == (0,)


@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(0, 40),
       threshold=st.floats(0.0, 1.0))
def test_nms_matches_pure_python_reference(seed, n, threshold):
    rng = np.random.default_rng(seed)
    boxes = random_boxes(rng, n)
    scores = rng.integers(0, 5, size=n) / 4.0   # many ties: order by index among equals
    kept = nms(boxes, scores, threshold)
    assert kept.dtype == np.int64
    assert kept.tolist() == reference_nms(boxes.tolist(), scores.tolist(), threshold)


def test_nms_tensor_in_tensor_out():
    boxes = shendu.tensor([[0.0, 0, 1, 1], [0.0, 0, 1, 1.1]], requires_grad=True)
    kept = nms(boxes, shendu.tensor([0.1, 0.2]), 0.5)
    assert isinstance(kept, shendu.Tensor) and kept.tolist() == [1]


def test_batched_nms_classes_do_not_suppress_each_other():
    boxes = np.array([[0.0, 0, 10, 10], [0.0, 0, 10, 10.5], [0.0, 0, 10, 10.2], [50, 50, 60, 60]])
    scores = np.array([0.9, 0.8, 0.7, 0.95])
    idxs = np.array([0, 1, 0, 1])
    np.testing.assert_array_equal(batched_nms(boxes, scores, idxs, 0.5), [3, 0, 1])
    rng = np.random.default_rng(4)
    boxes, scores = random_boxes(rng, 50), rng.uniform(size=50)
    idxs = rng.integers(0, 3, size=50)
    expected = []
    for c in range(3):
        members = np.flatnonzero(idxs == c)
        expected += [members[i] for i in reference_nms(boxes[members].tolist(),
                                                       scores[members].tolist(), 0.3)]
    expected.sort(key=lambda i: -scores[i])
    assert batched_nms(boxes, scores, idxs, 0.3).tolist() == expected


# ----------------------------------------------------------------------------- anchors
def test_multibox_prior_matches_d2l_published_output():
    # d2l "Anchor Boxes": a 561 x 728 image, sizes [0.75, 0.5, 0.25], ratios [1, 2, 0.5]
    # prints Y.shape (1, 2042040, 4) and boxes[250, 250, 0, :] = [0.06, 0.07, 0.63, 0.82]
    h, w = 561, 728
    anchors = multibox_prior(np.zeros((1, 3, h, w), np.float32), [0.75, 0.5, 0.25], [1, 2, 0.5])
    assert anchors.shape == (1, h * w * 5, 4) and anchors.dtype == np.float32
    boxes = anchors.reshape(h, w, 5, 4)
    np.testing.assert_allclose(boxes[250, 250, 0], [0.06, 0.07, 0.63, 0.82], atol=0.006)
    # the same by hand: centre (250.5 / 728, 250.5 / 561), width 0.75 * 561 / 728, height 0.75
    cx, cy, half_w, half_h = 250.5 / w, 250.5 / h, 0.375 * h / w, 0.375
    np.testing.assert_allclose(boxes[250, 250, 0], [cx - half_w, cy - half_h, cx + half_w,
                                                    cy + half_h], rtol=1e-6)
    # anchor 3 is (s1, r2): width 0.75 sqrt(2) h / w, height 0.75 / sqrt(2)
    widths = boxes[250, 250, :, 2] - boxes[250, 250, :, 0]
    heights = boxes[250, 250, :, 3] - boxes[250, 250, :, 1]
    np.testing.assert_allclose(widths * w / h, [0.75, 0.5, 0.25, 0.75 * 2 ** 0.5,
                                                0.75 / 2 ** 0.5], rtol=1e-5)
    np.testing.assert_allclose(heights, [0.75, 0.5, 0.25, 0.75 / 2 ** 0.5, 0.75 * 2 ** 0.5],
                               rtol=1e-5)


def test_multibox_prior_small_hand_case_and_tensor():
    anchors = multibox_prior(shendu.zeros(1, 1, 2, 4), sizes=[0.5], ratios=[1.0, 4.0])
    assert isinstance(anchors, shendu.Tensor) and anchors.shape == (1, 2 * 4 * 2, 4)
    a = anchors.numpy()[0]
    # pixel (0, 0): centre (0.125, 0.25); ratio 1: width 0.5 * 2 / 4 = 0.25, height 0.5
    np.testing.assert_allclose(a[0], [0.0, 0.0, 0.25, 0.5], atol=1e-7)
    # ratio 4: width 0.5 * 2 * 2 / 4 = 0.5, height 0.25
    np.testing.assert_allclose(a[1], [-0.125, 0.125, 0.375, 0.375], atol=1e-7)
    # last pixel (1, 3): centre (0.875, 0.75)
    np.testing.assert_allclose(a[-2], [0.75, 0.5, 1.0, 1.0], atol=1e-7)


def test_assign_and_offsets_match_d2l_published_example():
    ground_truth = np.array([[0.1, 0.08, 0.52, 0.92], [0.55, 0.2, 0.9, 0.88]])
    anchors = np.array([[0, 0.1, 0.2, 0.3], [0.15, 0.2, 0.4, 0.4], [0.63, 0.05, 0.88, 0.98],
                        [0.66, 0.45, 0.8, 0.8], [0.57, 0.3, 0.92, 0.9]])
    assigned = assign_anchor_to_bbox(ground_truth, anchors, 0.5)
    np.testing.assert_array_equal(assigned, [-1, 0, 1, -1, 1])  # d2l: class labels 0 1 2 0 2
    offsets = offset_boxes(anchors[[1, 2, 4]], ground_truth[assigned[[1, 2, 4]]])
    # d2l's printed offsets of anchors 1, 2, 4 (float32, 3 digits)
    np.testing.assert_allclose(offsets, [[1.40, 10.0, 2.59, 7.18],
                                         [-1.20, 0.269, 1.68, -1.57],
                                         [-0.571, -1.00, 0.0, 0.626]], rtol=3e-3, atol=1e-4)
    back = offset_inverse(anchors[[1, 2, 4]], offsets)
    np.testing.assert_allclose(back, ground_truth[assigned[[1, 2, 4]]], atol=1e-5)


# ------------------------------------------------------------------------------ errors
@pytest.mark.parametrize("call, message", [
    (lambda: box_convert(np.zeros((2, 4)), "xyxy", "yolo"), "box_convert: out_fmt"),
    (lambda: box_convert(np.zeros((2, 4)), "XYXY", "xywh"), "box_convert: in_fmt"),
    (lambda: box_convert(np.zeros((2, 3)), "xyxy", "xywh"), r"\(\.\.\., 4\), got \(2, 3\)"),
    (lambda: box_area(np.zeros((4,))), r"box_area: boxes must have shape \(N, 4\)"),
    (lambda: box_iou(np.zeros((2, 4)), np.zeros((2, 5))), r"box_iou: boxes2 .* \(2, 5\)"),
    (lambda: box_iou(np.array([[2.0, 0, 1, 1]]), np.zeros((1, 4))), r"x1 <= x2.*\[2\.0"),
    (lambda: nms(np.zeros((2, 4)), np.zeros(2), 1.5), r"nms: iou_threshold .* \[0, 1\], got"),
    (lambda: nms(np.zeros((2, 4)), np.zeros(2), -0.1), r"nms: iou_threshold"),
    (lambda: nms(np.zeros((2, 4)), np.zeros(3), 0.5), r"nms: scores .* \(2,\)"),
    (lambda: nms(np.zeros((1, 4, 1)), np.zeros(1), 0.5), r"nms: boxes must have shape"),
    (lambda: batched_nms(np.zeros((2, 4)), np.zeros(2), np.zeros(3), 0.5),
     r"batched_nms: idxs"),
    (lambda: multibox_prior(np.zeros((1, 1, 4, 4)), [0.5, -0.2], [1]),
     r"multibox_prior: every value of sizes .* positive"),
    (lambda: multibox_prior(np.zeros((1, 1, 4, 4)), [0.5], [0.0]), r"ratios"),
    (lambda: multibox_prior(np.zeros((1, 1, 4, 4)), [], [1]), r"non-empty"),
    (lambda: multibox_prior(np.zeros(4), [0.5], [1]), r"multibox_prior: data"),
])
def test_errors_name_the_function_and_values(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_type_errors():
    with pytest.raises(TypeError, match="nms: iou_threshold must be a number"):
        nms(np.zeros((1, 4)), np.zeros(1), "0.5")
    with pytest.raises(TypeError, match="box_iou: boxes1 and boxes2 must both be"):
        box_iou(shendu.zeros(1, 4), np.zeros((1, 4)))
