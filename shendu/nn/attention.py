"""Attention: scaled dot-product attention (Vaswani et al. 2017) as PyTorch's
``F.scaled_dot_product_attention``, d2l's ``masked_softmax`` over valid lengths, and the modules
``DotProductAttention`` and ``AdditiveAttention`` (Bahdanau et al. 2015, as d2l builds them,
keeping ``attention_weights`` for a heatmap) and ``MultiheadAttention`` (PyTorch's arguments,
parameter names, layouts, masks and initialisation, so a PyTorch state_dict loads unchanged).

Everything is composed of existing differentiable ops (matmul, softmax, masked_fill, transpose,
reshape, cat, dropout), so autograd gives the gradients; there is no Function of its own here.

**The mask trap.** PyTorch (and so shendu) uses opposite meanings of a *bool* mask:

- ``scaled_dot_product_attention(attn_mask=...)``: True = the query MAY attend to that key.
- ``MultiheadAttention(attn_mask=..., key_padding_mask=...)``: True = NOT allowed (masked out,
  padding).

A float mask means the same in both: it is added to the scores (0 keeps, -inf removes).

**Rows with nothing to attend to** (every key masked out) give zero weights and a zero output
row, not NaN, and a zero gradient: what PyTorch 2.13 computes on the CPU in
``scaled_dot_product_attention`` and in ``MultiheadAttention(need_weights=False)``. (PyTorch's
``MultiheadAttention`` with ``need_weights=True`` takes another path and returns NaN there;
shendu gives zeros in both cases, so training cannot be poisoned by one fully padded row.)
d2l's ``masked_softmax`` is different again, by design: it fills with -1e6, so a row of valid
length 0 is uniform.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from shendu import backend
from shendu.nn import init
from shendu.nn.dropout import Dropout
from shendu.nn.linear import Linear, _factory_dtype
from shendu.nn.module import Module
from shendu.nn.parameter import Parameter
from shendu.ops.activation import softmax
from shendu.ops.elementwise import tanh
from shendu.ops.index import masked_fill
from shendu.ops.layers import dropout, linear
from shendu.ops.linalg import matmul
from shendu.ops.shape import cat, expand, reshape, squeeze, transpose, unsqueeze
from shendu.tensor import Tensor

__all__ = ["scaled_dot_product_attention", "masked_softmax", "DotProductAttention",
           "AdditiveAttention", "MultiheadAttention"]

_MASKED_VALUE = -1e6  # d2l's fill for positions past the valid length


# ---------------------------------------------------------------------------- shared steps
def _data(x) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _softmax_or_zero(scores: Tensor) -> Tensor:
    """Softmax over the last dim, except that a row whose scores are all -inf (every key masked
    out) gives zeros instead of NaN. Such rows are set to 0 before the softmax, so that neither
    the softmax nor its gradient sees a NaN, and zeroed after it."""
    blocked = np.isneginf(scores.data).all(axis=-1, keepdims=True)
    if not blocked.any():
        return softmax(scores, dim=-1)
    weights = softmax(masked_fill(scores, blocked, 0.0), dim=-1)
    return masked_fill(weights, blocked, 0.0)


def _attend(scores: Tensor, bias, value: Tensor, dropout_p: float) -> tuple:
    """``(dropout(softmax(scores + bias)) @ value, the weights after dropout)``."""
    if bias is not None:
        scores = scores + bias
        weights = _softmax_or_zero(scores)
    else:  # without a mask no score is -inf: the plain softmax
        weights = softmax(scores, dim=-1)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p)
    return matmul(weights, value), weights


def _check_probability(p, where: str) -> float:
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"{where}: dropout probability has to be between 0 and 1, but got {p!r}")
    return float(p)


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


# ---------------------------------------------------------------------------- SDPA
def _check_sdpa_inputs(op: str, query, key, value, enable_gqa: bool) -> tuple:
    """Check the operands of scaled dot-product attention; return the shape of the scores,
    ``batch + (L, S)``."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
        if t.ndim < 2:
            raise ValueError(f"{op}: {name} must have at least 2 dims (..., sequence, features), "
                             f"got shape {t.shape}")
        if not backend.is_floating(t.dtype):
            raise TypeError(f"{op}: {name} must be floating point, got dtype {t.dtype}")
    if not query.dtype == key.dtype == value.dtype:
        raise TypeError(f"{op}: query, key and value must have the same dtype, got "
                        f"{query.dtype}, {key.dtype} and {value.dtype}")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(f"{op}: query (..., L, E) and key (..., S, E) must have the same last "
                         f"dim E, got shapes {query.shape} and {key.shape}")
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"{op}: key (..., S, E) and value (..., S, Ev) must have the same "
                         f"sequence length S, got shapes {key.shape} and {value.shape}")
    key_batch, value_batch = key.shape[:-2], value.shape[:-2]
    if enable_gqa:
        heads = _gqa_heads(op, query, key, value)
        key_batch, value_batch = key_batch[:-1] + (heads,), value_batch[:-1] + (heads,)
    try:
        batch = np.broadcast_shapes(query.shape[:-2], key_batch, value_batch)
    except ValueError:
        raise ValueError(f"{op}: the batch dims of query {query.shape}, key {key.shape} and "
                         f"value {value.shape} (all but the last two) cannot be broadcast "
                         "together") from None
    return batch + (query.shape[-2], key.shape[-2])


def _gqa_heads(op: str, query, key, value) -> int:
    """The number of query heads (dim -3), which those of key and value must divide."""
    if min(query.ndim, key.ndim, value.ndim) < 3:
        raise ValueError(f"{op}: enable_gqa=True needs a heads dim (-3) in query, key and value, "
                         f"got shapes {query.shape}, {key.shape} and {value.shape}")
    heads = query.shape[-3]
    if heads % key.shape[-3] or heads % value.shape[-3]:
        raise ValueError(f"{op}: enable_gqa=True: the number of key heads ({key.shape[-3]}) and "
                         f"value heads ({value.shape[-3]}) must divide the number of query "
                         f"heads ({heads})")
    return heads


def _repeat_heads(x: Tensor, heads: int) -> Tensor:
    """Repeat each head (dim -3) of ``x`` ``heads // x.shape[-3]`` times in place, as
    ``repeat_interleave``: (..., Hkv, S, E) -> (..., heads, S, E), kv head j serving query heads
    j*g ... j*g + g - 1."""
    group = heads // x.shape[-3]
    if group == 1:
        return x
    shape = x.shape
    grouped = expand(unsqueeze(x, -3), shape[:-2] + (group,) + shape[-2:])
    return reshape(grouped, shape[:-3] + (heads,) + shape[-2:])


def _sdpa_bias(op: str, attn_mask, is_causal: bool, scores_shape: tuple, dtype):
    """The additive bias on the scores: 0 where attention is allowed and -inf where not (from a
    bool mask, True = allowed, or the causal mask), or a float mask itself (kept as a Tensor
    when it is one, so that it gets a gradient). None when there is no mask."""
    L, S = scores_shape[-2:]
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{op}: give either attn_mask or is_causal=True, not both")
        # top-left aligned, as PyTorch: query i sees keys 0..i
        return Tensor._make(np.triu(np.full((L, S), -np.inf, dtype=dtype), k=1))
    if attn_mask is None:
        return None
    data = _data(attn_mask)
    if not _broadcasts_to(data.shape, scores_shape):
        raise ValueError(f"{op}: attn_mask of shape {data.shape} does not broadcast to the "
                         f"shape of the attention scores {scores_shape} (batch..., L, S)")
    if data.dtype == np.bool_:
        return Tensor._make(np.where(data, 0.0, -np.inf).astype(dtype))
    if data.dtype.kind != "f":
        raise TypeError(f"{op}: attn_mask must be a bool or floating mask, got dtype "
                        f"{data.dtype}")
    if isinstance(attn_mask, Tensor):
        return attn_mask if attn_mask.dtype == dtype else attn_mask.to(dtype)
    return Tensor._make(data.astype(dtype))


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask=None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None, enable_gqa: bool = False) -> Tensor:
    """Scaled dot-product attention, as PyTorch 2.x:
    ``dropout(softmax(Q K^T * scale + bias)) V``.

    Args:
        query: ``(..., L, E)``; key: ``(..., S, E)``; value: ``(..., S, Ev)``. The batch dims
            ``...`` broadcast.
        attn_mask: a **bool** mask, True where a query MAY attend to a key (the opposite of
            ``MultiheadAttention``'s bool masks), or a **float** mask added to the scores (a
            float Tensor gets a gradient). It broadcasts to ``(..., L, S)``.
        dropout_p: dropout on the attention weights, drawn from shendu's generator. Applied
            whenever it is > 0 (there is no training flag: pass 0.0 in evaluation).
        is_causal: mask out the keys after each query, ``j > i`` (top-left aligned when
            L != S). Not together with ``attn_mask``.
        scale: the factor on the scores; 1 / sqrt(E) by default.
        enable_gqa: grouped-query attention: key and value have fewer heads (dim -3), each
            shared by ``query heads / key heads`` consecutive query heads.

    Returns:
        ``(..., L, Ev)``. A query whose keys are all masked out gets a zero row (as PyTorch
        2.13 on the CPU), with a zero gradient.

    >>> q, k, v = shendu.randn(2, 3, 8), shendu.randn(2, 5, 8), shendu.randn(2, 5, 4)
    >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
    (2, 3, 4)
    """
    op = "scaled_dot_product_attention"
    scores_shape = _check_sdpa_inputs(op, query, key, value, enable_gqa)
    dropout_p = _check_probability(dropout_p, op)
    bias = _sdpa_bias(op, attn_mask, is_causal, scores_shape, query.dtype)
    if enable_gqa:
        key, value = _repeat_heads(key, query.shape[-3]), _repeat_heads(value, query.shape[-3])
    factor = 1 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    scores = matmul(query, transpose(key, -2, -1)) * factor
    output, _ = _attend(scores, bias, value, dropout_p)
    return output


# ---------------------------------------------------------------------------- masked softmax
def _valid_lens_problem(x_shape: tuple, lens_shape: tuple) -> str | None:
    """Why ``valid_lens`` of ``lens_shape`` does not fit scores of ``x_shape``, or None."""
    if len(x_shape) < 2:
        return (f"valid lengths need scores with at least 2 dims (batch, ..., keys), got shape "
                f"{x_shape}")
    if lens_shape in (x_shape[:1], x_shape[:-1]):
        return None
    return (f"valid_lens of shape {lens_shape} does not fit scores of shape {x_shape}: expected "
            f"{x_shape[:1]} (one length per batch element) or {x_shape[:-1]} (one per row)")


def _past_valid_length(lens: np.ndarray, x_shape: tuple) -> np.ndarray:
    """Bool mask, True at key positions j >= the row's valid length; broadcasts to x_shape."""
    if lens.shape != x_shape[:-1]:  # one length per batch element: the same for all its rows
        lens = lens.reshape(lens.shape + (1,) * (len(x_shape) - 2))
    return np.arange(x_shape[-1]) >= lens[..., None]


def masked_softmax(X: Tensor, valid_lens=None) -> Tensor:
    """Softmax over the last dim that ignores the positions past each row's valid length
    (d2l's ``masked_softmax``).

    Positions ``j >= valid_len`` are set to -1e6 before the softmax, so their weight is 0 (e^-1e6
    underflows) and the valid ones sum to 1; a row of valid length 0 comes out uniform (not NaN).
    Those positions get no gradient.

    Args:
        X: scores ``(B, ..., K)``, e.g. ``(batch, queries, keys)``.
        valid_lens: None (a plain softmax), ``(B,)`` (one length for all rows of a batch
            element) or ``X.shape[:-1]`` (one per row, e.g. ``(B, Q)``); integers (or floats).

    >>> masked_softmax(shendu.rand(2, 2, 4), shendu.tensor([2, 3]))[0, 0, 2:]
    tensor([0., 0.])
    """
    if valid_lens is None:
        return softmax(X, dim=-1)
    lens = _data(valid_lens)
    problem = _valid_lens_problem(X.shape, lens.shape)
    if problem is not None:
        raise ValueError(f"masked_softmax: {problem}")
    return softmax(masked_fill(X, _past_valid_length(lens, X.shape), _MASKED_VALUE), dim=-1)


# ---------------------------------------------------------------------------- d2l modules
class _ValidLensAttention(Module):
    """Shared by the d2l attention modules: the checks, and ``attention_weights``."""

    def __init__(self, dropout: float) -> None:
        super().__init__()
        self.dropout = Dropout(dropout)
        self.attention_weights = None  # (..., Q, K) of the last call, before dropout

    def _check(self, queries, keys, values, valid_lens, query_size: int, key_size: int) -> None:
        """Shapes against (batch, Q, query_size), (batch, K, key_size), (batch, K, v) and the
        valid lengths against the scores (batch, Q, K)."""
        if queries.ndim < 2 or queries.shape[-1] != query_size:
            raise self.input_error(f"expected queries of shape (batch, queries, {query_size}), "
                                   f"got shape {queries.shape}")
        if keys.ndim < 2 or keys.shape[-1] != key_size:
            raise self.input_error(f"expected keys of shape (batch, keys, {key_size}), got shape "
                                   f"{keys.shape}")
        if values.ndim < 2 or values.shape[-2] != keys.shape[-2]:
            raise self.input_error(f"expected values of shape (batch, {keys.shape[-2]}, v) with "
                                   f"one value per key, got keys {keys.shape} and values "
                                   f"{values.shape}")
        batches = (queries.shape[:-2], keys.shape[:-2], values.shape[:-2])
        try:
            batch = np.broadcast_shapes(*batches)
        except ValueError:
            raise self.input_error(f"the batch dims of queries {queries.shape}, keys "
                                   f"{keys.shape} and values {values.shape} cannot be broadcast "
                                   "together") from None
        if valid_lens is not None:
            scores_shape = batch + (queries.shape[-2], keys.shape[-2])
            problem = _valid_lens_problem(scores_shape, _data(valid_lens).shape)
            if problem is not None:
                raise self.input_error(problem)

    def _pool(self, scores: Tensor, values: Tensor, valid_lens) -> Tensor:
        self.attention_weights = masked_softmax(scores, valid_lens)
        return matmul(self.dropout(self.attention_weights), values)


class DotProductAttention(_ValidLensAttention):
    """Scaled dot-product attention with valid lengths (d2l):
    ``dropout(masked_softmax(Q K^T / sqrt(d), valid_lens)) V``.

    Args:
        dropout: the probability of dropping an attention weight (in training mode).

    Shape:
        queries ``(B, Q, d)``, keys ``(B, K, d)``, values ``(B, K, v)``, valid_lens None,
        ``(B,)`` or ``(B, Q)``; output ``(B, Q, v)``. More leading batch dims may be used.

    Attributes:
        attention_weights: ``(B, Q, K)``, the weights of the last call before dropout (a
            Tensor: ``.detach().numpy()`` to plot it).
    """

    def __init__(self, dropout: float = 0.0) -> None:
        super().__init__(dropout)

    def forward(self, queries: Tensor, keys: Tensor, values: Tensor, valid_lens=None) -> Tensor:
        if queries.ndim >= 2 and keys.ndim >= 2 and queries.shape[-1] != keys.shape[-1]:
            raise self.input_error(f"queries (batch, Q, d) and keys (batch, K, d) must have the "
                                   f"same feature size d, got shapes {queries.shape} and "
                                   f"{keys.shape}")
        d = queries.shape[-1] if queries.ndim else 0
        self._check(queries, keys, values, valid_lens, d, d)
        scores = matmul(queries, transpose(keys, -2, -1)) * (1 / math.sqrt(d))
        return self._pool(scores, values, valid_lens)


class AdditiveAttention(_ValidLensAttention):
    """Additive (Bahdanau) attention, as d2l builds it: the score of query q and key k is
    ``w_v^T tanh(W_q q + W_k k)``, a one-hidden-layer perceptron, so queries and keys may have
    different sizes; the weights are the masked softmax of the scores over the keys.

    Args:
        key_size, query_size: the feature sizes of keys and queries.
        num_hiddens: the size of the hidden layer.
        dropout: the probability of dropping an attention weight (in training mode).

    Shape:
        queries ``(B, Q, query_size)``, keys ``(B, K, key_size)``, values ``(B, K, v)``,
        valid_lens None, ``(B,)`` or ``(B, Q)``; output ``(B, Q, v)``.

    Attributes:
        W_k: ``Linear(key_size, num_hiddens, bias=False)``; W_q: ``Linear(query_size,
            num_hiddens, bias=False)``; w_v: ``Linear(num_hiddens, 1, bias=False)``.
        attention_weights: ``(B, Q, K)``, the weights of the last call before dropout.
    """

    def __init__(self, key_size: int, query_size: int, num_hiddens: int,
                 dropout: float = 0.0) -> None:
        super().__init__(dropout)
        self.W_k = Linear(key_size, num_hiddens, bias=False)
        self.W_q = Linear(query_size, num_hiddens, bias=False)
        self.w_v = Linear(num_hiddens, 1, bias=False)

    def forward(self, queries: Tensor, keys: Tensor, values: Tensor, valid_lens=None) -> Tensor:
        self._check(queries, keys, values, valid_lens, self.W_q.in_features,
                    self.W_k.in_features)
        # every query against every key: (..., Q, 1, h) + (..., 1, K, h) -> (..., Q, K, h)
        features = tanh(unsqueeze(self.W_q(queries), -2) + unsqueeze(self.W_k(keys), -3))
        scores = squeeze(self.w_v(features), -1)  # (..., Q, K)
        return self._pool(scores, values, valid_lens)


# ---------------------------------------------------------------------------- multi-head
class MultiheadAttention(Module):
    """Multi-head attention (Vaswani et al. 2017), with PyTorch's arguments, parameters and
    masks: ``concat(head_1, ..., head_h) W_O^T + b_O`` with
    ``head_i = softmax(Q_i K_i^T / sqrt(d) + mask) V_i``, where Q_i, K_i, V_i are the i-th
    ``head_dim = embed_dim / num_heads`` features of the projections ``query W_q^T + b_q``, ...

    Args:
        embed_dim: the model's feature size E (of the query and the output).
        num_heads: the number of heads; it must divide embed_dim.
        dropout: dropout on the attention weights, in training mode.
        bias: learn the projection biases ``in_proj_bias`` and ``out_proj.bias``.
        add_bias_kv: learn one extra key and value (``bias_k``, ``bias_v``, each (1, 1, E)),
            appended to every sequence of keys and values.
        add_zero_attn: append a key and a value of zeros (per head) to every sequence.
        kdim, vdim: the feature sizes of key and value (embed_dim by default).
        batch_first: inputs and output are ``(N, L, E)`` rather than ``(L, N, E)``.
        dtype: of the parameters (float32 by default); device may only be the CPU.

    Parameters (PyTorch's names and layouts):
        ``in_proj_weight`` (3E, E), rows [W_q; W_k; W_v], when kdim == vdim == embed_dim,
        else ``q_proj_weight`` (E, E), ``k_proj_weight`` (E, kdim), ``v_proj_weight``
        (E, vdim); ``in_proj_bias`` (3E,); ``out_proj`` a Linear(E, E); ``bias_k``,
        ``bias_v``. Initialised as PyTorch: xavier_uniform_ on the input projections, zero
        biases, out_proj.weight as a Linear's, xavier_normal_ on bias_k and bias_v.

    Forward ``(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)``:
        query ``(L, N, E)`` (``(N, L, E)`` with batch_first, ``(L, E)`` unbatched), key
        ``(S, N, kdim)``, value ``(S, N, vdim)``. **Bool masks are True where attention is NOT
        allowed** (the opposite of ``F.scaled_dot_product_attention``); float masks are added
        to the scores. ``key_padding_mask`` ``(N, S)`` (``(S,)`` unbatched) marks padding keys;
        ``attn_mask`` is ``(L, S)`` or ``(N * num_heads, L, S)`` (batch-major: row
        ``n * num_heads + h``). ``is_causal`` is a hint that ``attn_mask`` is the causal mask,
        which must then be given (as PyTorch); shendu applies ``attn_mask`` as given. The masks
        are constants here (a float mask gets no gradient).

    Returns:
        ``(attn_output, attn_output_weights)``: the output in the query's layout, ``(L, N, E)``
        etc.; the weights (after dropout, as PyTorch) averaged over heads ``(N, L, S)``, or per
        head ``(N, num_heads, L, S)`` with ``average_attn_weights=False`` (no N when
        unbatched), or None with ``need_weights=False``. A query whose keys are all masked out
        gets zero weights (PyTorch gives NaN there when need_weights=True, zeros when False).

    >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
    >>> x = shendu.randn(2, 5, 16)
    >>> out, weights = mha(x, x, x)
    >>> out.shape, weights.shape
    ((2, 5, 16), (2, 5, 5))
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device=None,
                 dtype=None) -> None:
        super().__init__()
        _check_sizes(embed_dim, num_heads, kdim, vdim)
        dtype = _factory_dtype(device, dtype)
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = _check_probability(dropout, "MultiheadAttention")
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        self._make_parameters(bias, add_bias_kv, dtype)
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _make_parameters(self, bias: bool, add_bias_kv: bool, dtype) -> None:
        """In PyTorch's order, so that state_dict() lists the same keys in the same order."""
        E = self.embed_dim

        def empty(*shape):
            return Parameter(Tensor._make(np.empty(shape, dtype=dtype)))

        if self._qkv_same_embed_dim:
            self.in_proj_weight = empty(3 * E, E)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = empty(E, E)
            self.k_proj_weight = empty(E, self.kdim)
            self.v_proj_weight = empty(E, self.vdim)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = empty(3 * E)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(E, E, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = empty(1, 1, E)
            self.bias_v = empty(1, 1, E)
        else:
            self.bias_k = self.bias_v = None

    def _reset_parameters(self) -> None:
        """Initialise as PyTorch: xavier_uniform_ on the input projection weights, zeros for
        in_proj_bias and out_proj.bias, xavier_normal_ for bias_k and bias_v (out_proj.weight
        keeps the initialisation of a Linear)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for weight in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        for extra in (self.bias_k, self.bias_v):
            if extra is not None:
                init.xavier_normal_(extra)

    reset_parameters = _reset_parameters

    # ----------------------------------------------------------------- checks
    def _check_inputs(self, query, key, value) -> bool:
        """Check the shapes of query, key and value; return whether they are batched."""
        layout = "(N, L, E)" if self.batch_first else "(L, N, E)"
        if not all(isinstance(t, Tensor) for t in (query, key, value)):
            raise TypeError("MultiheadAttention: query, key and value must be Tensors, got "
                            f"{', '.join(type(t).__name__ for t in (query, key, value))}")
        if query.ndim not in (2, 3):
            raise self.input_error(f"expected query of shape {layout} or unbatched (L, E), got "
                                   f"shape {query.shape}")
        if key.ndim != query.ndim or value.ndim != query.ndim:
            raise self.input_error(f"expected key and value with {query.ndim} dims like query "
                                   f"{query.shape}, got shapes {key.shape} and {value.shape}")
        for name, t, size, what in (("query", query, self.embed_dim, "embed_dim"),
                                    ("key", key, self.kdim, "kdim"),
                                    ("value", value, self.vdim, "vdim")):
            if t.shape[-1] != size:
                raise self.input_error(f"expected {name} with last dim {what}={size}, got shape "
                                       f"{t.shape}")
        if key.shape[:-1] != value.shape[:-1]:
            raise self.input_error(f"key and value must have the same sequence length and batch "
                                   f"size, got shapes {key.shape} and {value.shape}")
        batch_dim = 0 if self.batch_first else 1
        if query.ndim == 3 and query.shape[batch_dim] != key.shape[batch_dim]:
            raise self.input_error(f"query and key must have the same batch size (dim "
                                   f"{batch_dim} with batch_first={self.batch_first}), got "
                                   f"shapes {query.shape} and {key.shape}")
        param = self.out_proj.weight
        if not query.dtype == key.dtype == value.dtype == param.dtype:
            raise TypeError(f"MultiheadAttention: query, key and value must have the "
                            f"parameters' dtype {param.dtype}, got {query.dtype}, {key.dtype} "
                            f"and {value.dtype}; convert the module (.double()) or the inputs")
        return query.ndim == 3

    def _additive_mask(self, name: str, mask, shapes: tuple, dtype) -> np.ndarray | None:
        """A mask as the bias to add to the scores: a bool mask (True = NOT allowed) as 0 or
        -inf, a float mask as is; checked against the allowed ``shapes``."""
        if mask is None:
            return None
        data = _data(mask)
        if data.shape not in shapes:
            raise self.input_error(f"expected {name} of shape "
                                   f"{' or '.join(str(s) for s in shapes)}, got shape "
                                   f"{data.shape}")
        if data.dtype == np.bool_:
            return np.where(data, -np.inf, 0.0).astype(dtype)
        if data.dtype.kind != "f":
            raise self.input_error(f"{name} must be a bool or floating mask, got dtype "
                                   f"{data.dtype}")
        return data.astype(dtype, copy=False)

    def _mask_bias(self, key_padding_mask, attn_mask, N: int, L: int, S: int, batched: bool,
                   dtype) -> np.ndarray | None:
        """key_padding_mask and attn_mask merged into one additive bias that broadcasts to the
        scores (N, heads, L, S'), S' counting the appended bias_k and zero-attention keys."""
        H = self.num_heads
        padding = self._additive_mask("key_padding_mask", key_padding_mask,
                                      ((N, S),) if batched else ((S,),), dtype)
        attn = self._additive_mask("attn_mask", attn_mask, ((L, S), (N * H, L, S)), dtype)
        parts = []
        if attn is not None:
            parts.append(attn.reshape((1, 1, L, S) if attn.ndim == 2 else (N, H, L, S)))
        if padding is not None:
            parts.append(padding.reshape(N, 1, 1, S))
        if not parts:
            return None
        bias = parts[0] if len(parts) == 1 else parts[0] + parts[1]
        extra = int(self.bias_k is not None) + int(self.add_zero_attn)
        if extra:  # the appended keys may always be attended to
            bias = np.pad(bias, [(0, 0)] * 3 + [(0, extra)])
        return bias

    # ----------------------------------------------------------------- forward
    def _in_projection(self, query: Tensor, key: Tensor, value: Tensor) -> tuple:
        E = self.embed_dim
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            weights = (w[:E], w[E:2 * E], w[2 * E:])
        else:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        b = self.in_proj_bias
        biases = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        return tuple(linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))

    def _split_heads(self, x: Tensor) -> Tensor:
        """(N, T, E) -> (N, heads, T, head_dim)."""
        N, T, _ = x.shape
        return transpose(reshape(x, (N, T, self.num_heads, self.head_dim)), 1, 2)

    def _append_keys(self, k: Tensor, v: Tensor) -> tuple:
        """Append bias_k / bias_v (to (N, S, E)) and then a zero key and value per head (to
        (N, heads, S, head_dim)), as PyTorch orders them."""
        N = k.shape[0]
        if self.bias_k is not None:
            k = cat([k, expand(self.bias_k, (N, 1, self.embed_dim))], dim=1)
            v = cat([v, expand(self.bias_v, (N, 1, self.embed_dim))], dim=1)
        k, v = self._split_heads(k), self._split_heads(v)
        if self.add_zero_attn:
            zeros = Tensor._make(np.zeros((N, self.num_heads, 1, self.head_dim), k.dtype))
            k, v = cat([k, zeros], dim=2), cat([v, zeros], dim=2)
        return k, v

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask=None,
                need_weights: bool = True, attn_mask=None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple:
        batched = self._check_inputs(query, key, value)
        if is_causal and attn_mask is None:
            raise self.input_error("is_causal=True is a hint that attn_mask is the causal mask, "
                                   "and needs attn_mask itself (as PyTorch): pass "
                                   "attn_mask=np.triu(np.ones((L, L), bool), 1)")
        if not batched:  # one sequence: a batch of one
            query, key, value = unsqueeze(query, 0), unsqueeze(key, 0), unsqueeze(value, 0)
        elif not self.batch_first:  # (L, N, E) -> (N, L, E)
            query, key, value = (transpose(x, 0, 1) for x in (query, key, value))
        N, L, _ = query.shape
        bias = self._mask_bias(key_padding_mask, attn_mask, N, L, key.shape[1], batched,
                               query.dtype)
        q, k, v = self._in_projection(query, key, value)
        k, v = self._append_keys(k, v)
        q = self._split_heads(q) * (1 / math.sqrt(self.head_dim))
        scores = matmul(q, transpose(k, -2, -1))  # (N, heads, L, S')
        p = self.dropout if self.training else 0.0
        heads, weights = _attend(scores, None if bias is None else Tensor._make(bias), v, p)
        output = reshape(transpose(heads, 1, 2), (N, L, self.embed_dim))
        output = linear(output, self.out_proj.weight, self.out_proj.bias)
        if not batched:
            output = output[0]
        elif not self.batch_first:
            output = transpose(output, 0, 1)
        if not need_weights:
            return output, None
        if average_attn_weights:
            weights = weights.mean(dim=1)
        return output, weights if batched else weights[0]


def _check_sizes(embed_dim, num_heads, kdim, vdim) -> None:
    for name, value in (("embed_dim", embed_dim), ("num_heads", num_heads), ("kdim", kdim),
                        ("vdim", vdim)):
        if value is None and name in ("kdim", "vdim"):
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
            raise ValueError(f"MultiheadAttention: {name} must be a positive integer, got "
                             f"{value!r}")
    if embed_dim % num_heads:
        raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by "
                         f"num_heads ({num_heads}): each head gets embed_dim / num_heads "
                         "features")
