"""``Embedding``: a lookup table of learnable vectors, one row per token id."""

from __future__ import annotations

import numpy as np

from shendu.nn import functional as F
from shendu.nn import init
from shendu.nn.linear import _empty_parameter, _factory_dtype
from shendu.nn.module import Module
from shendu.nn.parameter import Parameter
from shendu.ops.layers import _padding_idx
from shendu.tensor import Tensor

__all__ = ["Embedding"]


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``; the input holds row
    indices and the output the rows.

    Args:
        num_embeddings: the size of the vocabulary (rows of the table).
        embedding_dim: the size of each vector.
        padding_idx: this row is initialised to zeros and gets no gradient, so it stays a
            fixed "padding" vector (a negative value counts from the end).
        max_norm: rows looked up whose ``norm_type``-norm exceeds it are rescaled to it (in
            place, at each forward).
        norm_type: the p of that norm.
        scale_grad_by_freq: divide each row's gradient by its frequency in the batch.
        sparse: not supported (gradients are dense).
        dtype: of the table (float32 by default).

    Attributes:
        weight: ``(num_embeddings, embedding_dim)``, initialised from N(0, 1).

    Shape: integer indices ``(*)`` to ``(*, embedding_dim)``.

    >>> emb = shendu.nn.Embedding(10, 3, padding_idx=0)
    >>> emb(shendu.tensor([[1, 2, 0]])).shape
    (1, 3, 3)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False, _weight=None,
                 _freeze: bool = False, device=None, dtype=None) -> None:
        super().__init__()
        if sparse:
            raise NotImplementedError("Embedding: sparse gradients are not supported; use "
                                      "sparse=False (the gradient is a dense array)")
        dtype = _factory_dtype(device, dtype)
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding_idx(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = _empty_parameter((num_embeddings, embedding_dim), dtype)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: _weight has shape {tuple(_weight.shape)}, expected "
                                 f"({num_embeddings}, {embedding_dim})")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Draw the table again from N(0, 1), with the padding row zeroed."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0,
                        scale_grad_by_freq: bool = False, sparse: bool = False) -> Embedding:
        """An Embedding whose table is ``embeddings`` (a 2-D tensor, shared, not copied; the
        padding row is left as given).

        Args:
            freeze: the table gets no gradient (``weight.requires_grad = False``).

        >>> emb = shendu.nn.Embedding.from_pretrained(shendu.randn(100, 50))
        """
        if not isinstance(embeddings, Tensor):
            embeddings = Tensor(np.asarray(embeddings))
        if embeddings.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D "
                             f"(num_embeddings, embedding_dim), got shape {embeddings.shape}")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse, _weight=embeddings,
                   _freeze=freeze, dtype=embeddings.dtype)

    def forward(self, input) -> Tensor:
        indices = input.data if isinstance(input, Tensor) else np.asarray(input)
        if indices.dtype.kind not in "iu":
            raise self.input_error(f"expected integer indices (int64 or int32), got dtype "
                                   f"{indices.dtype} (shape {indices.shape})")
        rows = self.num_embeddings
        if indices.size and (indices.min() < 0 or indices.max() >= rows):
            bad = indices[(indices < 0) | (indices >= rows)].flat[0]
            raise self.input_error(f"index {bad} is out of range for an embedding table of "
                                   f"{rows} rows (expected indices in [0, {rows - 1}]; input "
                                   f"shape {indices.shape})")
        return F.embedding(indices, self.weight, self.padding_idx, self.max_norm,
                           self.norm_type, self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        return text
