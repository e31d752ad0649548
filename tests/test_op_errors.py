"""Bad input to ops gets an error that names the op and what was expected and given."""

from __future__ import annotations

import pytest

import shendu

X = shendu.ones(2, 3)
MASK_T = shendu.ones(3, 2, dtype=shendu.bool)

CASES = [
    (lambda: X + shendu.ones(4), ValueError, r"Add: shapes \(2, 3\) and \(4,\)"),
    (lambda: shendu.maximum(X, shendu.ones(2)), ValueError, r"Maximum: shapes \(2, 3\) and \(2,\)"),
    (lambda: X @ shendu.ones(4, 2), ValueError,
     r"matmul: shapes \(2, 3\) and \(4, 2\) cannot be multiplied"),
    (lambda: shendu.mm(X, shendu.ones(3)), ValueError, r"mm: expected two 2-D tensors"),
    (lambda: shendu.bmm(shendu.ones(2, 2, 3), shendu.ones(3, 3, 2)), ValueError,
     r"bmm: the batch sizes differ"),
    (lambda: X @ shendu.ones(3, 2, dtype=shendu.float64), TypeError, "same dtype"),
    (lambda: X.reshape(4, 2), ValueError, r"reshape: shape \(4, 2\) is invalid .* \(2, 3\)"),
    (lambda: shendu.cat([X, shendu.ones(2, 4)]), ValueError, r"cat: shapes \(2, 3\), \(2, 4\)"),
    (lambda: shendu.stack([X, shendu.ones(3, 2)]), ValueError, r"stack: .*\(2, 3\), \(3, 2\)"),
    (lambda: X.expand(4, 3), ValueError, r"expand: size 4 does not match"),
    (lambda: X.permute(0, 0), ValueError, r"permute: dims \(0, 0\)"),
    (lambda: X[5], IndexError, r"getitem: index 5 is out of bounds .* shape \(2, 3\)"),
    (lambda: X.gather(1, shendu.tensor([[0, 3]])), IndexError, r"gather: index 3 .* size 3"),
    (lambda: X.index_select(0, shendu.tensor([2])), IndexError, r"index_select: index 2"),
    (lambda: X.masked_fill(MASK_T, 0.0), ValueError, r"MaskedFill: shapes \(2, 3\) and \(3, 2\)"),
    (lambda: X.sum(dim=2), IndexError, r"sum: dim 2 is out of range .* 2 dimension"),
    (lambda: X.squeeze(5), IndexError, r"squeeze: dim 5 is out of range"),
    (lambda: X.max(dim=3), IndexError, r"max: dim 3 is out of range"),
    (lambda: X.sum(dim=1.5), TypeError, r"sum: dim must be an int"),
    (lambda: X.topk(5), ValueError, r"topk: k=5 is out of range"),
    (lambda: shendu.pad(X, (1,)), ValueError, r"pad: .*pairs"),
    (lambda: X.split(0), ValueError, r"split: split_size must be positive"),
    (lambda: shendu.arange(3).mean(), TypeError, r"mean: .*int64"),
    (lambda: shendu.where(shendu.ones(2), X, 0.0), TypeError, r"where: condition must be a bool"),
    (lambda: shendu.clamp(X), ValueError, r"clamp: at least one of min and max"),
]


@pytest.mark.parametrize("call, error, pattern", CASES, ids=[c[2][:24] for c in CASES])
def test_error_names_op_and_shapes(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
