"""``shendu.vision``: image utilities in plain NumPy.

- ``filters``: 2-D correlation and convolution and the classic kernels (identity, edge
  detection, sharpening, Gaussian blur);
- ``boxes``: bounding-box format conversion, area, IoU and non-maximum suppression, with
  torchvision's names;
- ``anchors``: anchor boxes per pixel (``multibox_prior``), their assignment to ground-truth
  boxes and the offsets a detector predicts.
"""

from shendu.vision import anchors, boxes, filters
from shendu.vision.anchors import (
    assign_anchor_to_bbox,
    multibox_prior,
    offset_boxes,
    offset_inverse,
)
from shendu.vision.boxes import BOX_FORMATS, batched_nms, box_area, box_convert, box_iou, nms
from shendu.vision.filters import (
    BOX_BLUR,
    EDGE_DETECT,
    IDENTITY,
    LAPLACIAN,
    SHARPEN,
    SOBEL_X,
    SOBEL_Y,
    convolve2d,
    correlate2d,
    gaussian_kernel,
)

__all__ = ["anchors", "boxes", "filters", "correlate2d", "convolve2d", "gaussian_kernel",
           "IDENTITY", "EDGE_DETECT", "LAPLACIAN", "SOBEL_X", "SOBEL_Y", "SHARPEN", "BOX_BLUR",
           "BOX_FORMATS", "box_convert", "box_area", "box_iou", "nms", "batched_nms",
           "multibox_prior", "assign_anchor_to_bbox", "offset_boxes", "offset_inverse"]
