"""Recurrent layers with PyTorch's arguments, parameter names and results: ``RNN`` (tanh or
ReLU), ``GRU``, ``LSTM`` and the cells ``RNNCell``, ``GRUCell``, ``LSTMCell``; and the
variable-length helpers of ``torch.nn.utils.rnn``: ``PackedSequence``, ``pack_padded_sequence``,
``pad_packed_sequence``, ``pad_sequence``, ``pack_sequence``, ``unpad_sequence``,
``unpack_sequence``.

Each direction of each layer is one fused op of :mod:`shendu.ops.rnn` (the whole sequence in
one graph node, forward and backward written for the whole sequence; the cost of a step is
stated there), so a PyTorch state_dict loads and gives the same numbers.

Variable lengths: pass a :class:`PackedSequence` (as in PyTorch), or, a shendu convenience,
a padded batch with ``lengths=`` (one length per sequence, in any order). Either way the
padding never reaches a state: at a padded step the state is carried unchanged, so ``h_n`` is
each sequence's state after its last real step, the reverse direction of a bidirectional layer
starts at each sequence's last real step, and the outputs at padded steps are 0.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections import namedtuple

import numpy as np

from shendu.nn import init
from shendu.nn.linear import _empty_parameter, _factory_dtype
from shendu.nn.module import Module
from shendu.ops.index import getitem
from shendu.ops.layers import dropout as _dropout
from shendu.ops.rnn import gru_layer, lstm_layer, rnn_layer, scatter_rows
from shendu.ops.shape import cat, reshape, squeeze, stack, transpose, unsqueeze
from shendu.tensor import Tensor

__all__ = [
    "RNNBase", "RNN", "GRU", "LSTM", "RNNCellBase", "RNNCell", "GRUCell", "LSTMCell",
    "PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
    "pack_sequence", "unpad_sequence", "unpack_sequence",
]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}


# ---------------------------------------------------------------------------- packed sequences
class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """A batch of sequences of different lengths in PyTorch's packed layout, as made by
    :func:`pack_padded_sequence` and :func:`pack_sequence` and accepted by ``RNN``, ``GRU`` and
    ``LSTM`` (which then return one).

    Fields (PyTorch's):
        data: ``(N, *)``, N = the sum of the lengths: step 0 of every sequence, then step 1 of
            every sequence that has one, and so on, the sequences in order of decreasing length
            (``data`` is differentiable; an elementwise layer may be applied to it and a new
            PackedSequence built with the other three fields).
        batch_sizes: int64 ``(T,)``: how many sequences have a step t.
        sorted_indices: int64 ``(B,)``: the batch position of the k-th longest sequence, or
            None when the batch was already sorted (``enforce_sorted=True``).
        unsorted_indices: the inverse permutation, or None.
    """

    __slots__ = ()


def _int_array(values, name: str, op: str) -> np.ndarray:
    array = values.data if isinstance(values, Tensor) else np.asarray(values)
    if array.dtype.kind not in "iu" or array.ndim != 1:
        raise ValueError(f"{op}: {name} must be a 1-D sequence of integers, got {array.dtype} "
                         f"of shape {array.shape}")
    return array.astype(np.int64, copy=False)


def _lengths_problem(array: np.ndarray, T: int, B: int) -> str | None:
    """What is wrong with int64 ``lengths`` for a padded batch of B sequences of T steps."""
    if array.shape != (B,):
        return (f"expected {B} lengths (one per sequence of the batch), got {array.size}: "
                f"{array.tolist()}")
    if array.size and array.max() > T:
        return (f"lengths must be at most the sequence length {T} (the padded input has {T} "
                f"steps), got {array.tolist()}")
    if array.size and array.min() < 1:
        return f"every length must be at least 1, got {array.tolist()}"
    return None


def _check_lengths(lengths, T: int, B: int, op: str) -> np.ndarray:
    """``lengths`` as int64 (B,), each in [1, T]; a ValueError naming ``op`` otherwise."""
    array = _int_array(lengths, "lengths", op)
    problem = _lengths_problem(array, T, B)
    if problem:
        raise ValueError(f"{op}: {problem}")
    return array


def _layout(batch_sizes: np.ndarray, sorted_indices) -> tuple:
    """From a packed batch's sizes: (T, B, positions, lengths). ``positions`` (N,) are the
    rows of a flattened (T, B) padded batch that the packed rows come from, in packed order;
    ``lengths`` are in the original batch order."""
    T, B = batch_sizes.size, int(batch_sizes[0]) if batch_sizes.size else 0
    sorted_lengths = (batch_sizes[:, None] > np.arange(B)).sum(axis=0)
    order = np.arange(B) if sorted_indices is None else _int_array(
        sorted_indices, "sorted_indices", "PackedSequence")
    t, k = np.nonzero(np.arange(T)[:, None] < sorted_lengths)  # time-major: the packed order
    lengths = np.empty(B, dtype=np.int64)
    lengths[order] = sorted_lengths
    return T, B, t * B + order[k], lengths


def _unpack(sequence: PackedSequence, total_length: int | None = None,
            padding_value: float = 0.0) -> tuple:
    """(padded (T, B, *) time-major, lengths (B,), positions) of a PackedSequence
    (``positions`` as _layout gives them)."""
    data = sequence.data
    batch_sizes = _int_array(sequence.batch_sizes, "batch_sizes", "PackedSequence")
    T, B, positions, lengths = _layout(batch_sizes, sequence.sorted_indices)
    if positions.size != data.shape[0]:
        raise ValueError(f"PackedSequence: batch_sizes {batch_sizes.tolist()} add up to "
                         f"{positions.size} rows but data has {data.shape[0]}")
    T = T if total_length is None else total_length
    padded = scatter_rows(data, positions, T * B, padding_value)
    return reshape(padded, (T, B) + tuple(data.shape[1:])), lengths, positions


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch of sequences of different lengths.

    Args:
        input: ``(T, B, *)``, or ``(B, T, *)`` with ``batch_first``; sequence b is
            ``input[:lengths[b], b]``, the rest is padding (any values, NaN included).
        lengths: B integers in [1, T] (list, array or int64 tensor).
        batch_first: the layout of ``input``.
        enforce_sorted: True (PyTorch's default) requires the lengths in decreasing order;
            False sorts them (the results come back in the original order).

    Returns:
        a :class:`PackedSequence`.

    >>> packed = pack_padded_sequence(shendu.zeros(4, 2, 3), [4, 2])
    >>> packed.batch_sizes
    tensor([2, 2, 1, 1])
    """
    if not isinstance(input, Tensor) or input.ndim < 2:
        got = f"shape {input.shape}" if isinstance(input, Tensor) else type(input).__name__
        raise ValueError(f"pack_padded_sequence: expected a tensor of shape (T, B, *) or "
                         f"(B, T, *) with batch_first, got {got}")
    x = transpose(input, 0, 1) if batch_first else input
    T, B = x.shape[:2]
    lengths = _check_lengths(lengths, T, B, "pack_padded_sequence")
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise ValueError(f"pack_padded_sequence: lengths must be sorted in decreasing order "
                             f"when enforce_sorted=True, got {lengths.tolist()}; sort the batch "
                             "or pass enforce_sorted=False")
        sorted_indices = unsorted_indices = None
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_indices = Tensor._make(order.astype(np.int64))
        unsorted_indices = Tensor._make(np.argsort(order).astype(np.int64))
    batch_sizes = (lengths[None, :] > np.arange(int(lengths.max(initial=0)))[:, None]).sum(1)
    _, _, positions, _ = _layout(batch_sizes, sorted_indices)
    rows = reshape(x, (T * B,) + tuple(x.shape[2:]))
    return PackedSequence(getitem(rows, positions), Tensor._make(batch_sizes.astype(np.int64)),
                          sorted_indices, unsorted_indices)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None) -> tuple:
    """Undo :func:`pack_padded_sequence`: the padded batch and the lengths.

    Args:
        sequence: a :class:`PackedSequence`.
        batch_first: return ``(B, T, *)`` instead of ``(T, B, *)``.
        padding_value: the value of the padded steps.
        total_length: pad to this many steps (at least the longest length) instead of the
            longest length.

    Returns:
        ``(padded, lengths)``: the batch in its original order and the int64 lengths ``(B,)``.
    """
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got "
                        f"{type(sequence).__name__}")
    longest = _int_array(sequence.batch_sizes, "batch_sizes", "pad_packed_sequence").size
    if total_length is not None and total_length < longest:
        raise ValueError(f"pad_packed_sequence: total_length must be at least the longest "
                         f"sequence's length {longest}, got total_length={total_length}")
    padded, lengths, _ = _unpack(sequence, total_length, padding_value)
    if batch_first:
        padded = transpose(padded, 0, 1)
    return padded, Tensor._make(lengths)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of different lengths into one padded tensor (one op, differentiable).

    Args:
        sequences: tensors of shape ``(L_i, *)`` with the same trailing dims and dtype.
        batch_first: return ``(B, T, *)`` instead of ``(T, B, *)``; T = max L_i.
        padding_value: the value of the padded steps.
        padding_side: ``"right"`` (padding after each sequence) or ``"left"``.
    """
    sequences = list(sequences)
    if not sequences:
        raise ValueError("pad_sequence: expects a non-empty list of tensors")
    if padding_side not in ("right", "left"):
        raise ValueError(f"pad_sequence: padding_side must be 'right' or 'left', got "
                         f"{padding_side!r}")
    tail = sequences[0].shape[1:] if sequences[0].ndim else None
    for i, s in enumerate(sequences):
        if s.ndim == 0 or s.shape[1:] != tail or s.dtype != sequences[0].dtype:
            raise ValueError(f"pad_sequence: every sequence must have shape (L, *{tail}) and "
                             f"dtype {sequences[0].dtype}, sequence {i} has shape {s.shape} and "
                             f"dtype {s.dtype}")
    lengths = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    B, T = len(sequences), int(lengths.max())
    steps = np.concatenate([np.arange(n) for n in lengths])
    if padding_side == "left":
        steps += np.repeat(T - lengths, lengths)
    positions = steps * B + np.repeat(np.arange(B), lengths)
    padded = scatter_rows(cat(sequences, 0), positions, T * B, padding_value)
    padded = reshape(padded, (T, B) + tuple(tail))
    return transpose(padded, 0, 1) if batch_first else padded


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences ``(L_i, *)`` (``pad_sequence`` then ``pack_padded_sequence``)."""
    sequences = list(sequences)
    lengths = [s.shape[0] if isinstance(s, Tensor) and s.ndim else 0 for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    """The list of sequences ``padded[:lengths[b], b]`` (``padded[b, :lengths[b]]`` with
    ``batch_first``)."""
    x = transpose(padded_sequences, 0, 1) if batch_first else padded_sequences
    lengths = _check_lengths(lengths, x.shape[0], x.shape[1], "unpad_sequence")
    return [getitem(x, (slice(0, int(n)), b)) for b, n in enumerate(lengths)]


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The list of sequences of a PackedSequence, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences)
    return unpad_sequence(padded, lengths)


# ---------------------------------------------------------------------------- shared checks
def _check_sizes(owner: str, input_size, hidden_size) -> None:
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{owner}: {name} must be an int, got {type(value).__name__}")
        if value <= 0:
            raise ValueError(f"{owner}: {name} must be positive, got {value}")


def _check_flags(owner: str, **flags) -> None:
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise TypeError(f"{owner}: {name} must be a bool, got {type(value).__name__}")


def _check_nonlinearity(owner: str, nonlinearity: str) -> str:
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"{owner}: nonlinearity must be 'tanh' or 'relu', got "
                         f"{nonlinearity!r}")
    return nonlinearity


# ---------------------------------------------------------------------------- RNN, GRU, LSTM
class RNNBase(Module):
    """The multi-layer, optionally bidirectional recurrent network behind :class:`RNN`,
    :class:`GRU` and :class:`LSTM` (``mode`` is ``"RNN_TANH"``, ``"RNN_RELU"``, ``"GRU"`` or
    ``"LSTM"``).

    Parameters, per layer k and direction (suffix ``""`` or ``"_reverse"``), in PyTorch's order
    and layout (G = 1, 3, 4 gates stacked in PyTorch's order: GRU r, z, n; LSTM i, f, g, o):
    ``weight_ih_l{k}{suffix}`` ``(G*H, I_k)``, ``weight_hh_l{k}{suffix}`` ``(G*H, H)``,
    ``bias_ih_l{k}{suffix}`` and ``bias_hh_l{k}{suffix}`` ``(G*H,)``; I_0 = input_size,
    I_k = H * num_directions above. All drawn from U(-1/sqrt(H), 1/sqrt(H)), as PyTorch.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(mode, mode)
        if mode not in _GATES:
            raise ValueError(f"RNNBase: mode must be one of {sorted(_GATES)}, got {mode!r}")
        _check_sizes(name, input_size, hidden_size)
        _check_flags(name, bias=bias, batch_first=batch_first, bidirectional=bidirectional)
        if isinstance(num_layers, bool) or not isinstance(num_layers, numbers.Integral) \
                or num_layers < 1:
            raise ValueError(f"{name}: num_layers must be a positive int, got {num_layers!r}")
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) \
                or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout must be a probability in [0, 1], got "
                             f"{dropout!r}")
        if proj_size:
            raise NotImplementedError(f"{name}: proj_size={proj_size} (LSTM projections) is not "
                                      "supported; use proj_size=0")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: dropout={dropout} is applied between layers (after all but "
                          "the last), so it has no effect with num_layers=1", stacklevel=2)
        dtype = _factory_dtype(device, dtype)
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, 0
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = f"l{layer}" + ("_reverse" if direction else "")
                shapes = {f"weight_ih_{suffix}": (gate_size, layer_input),
                          f"weight_hh_{suffix}": (gate_size, hidden_size)}
                if bias:
                    shapes.update({f"bias_ih_{suffix}": (gate_size,),
                                   f"bias_hh_{suffix}": (gate_size,)})
                for param_name, shape in shapes.items():
                    setattr(self, param_name, _empty_parameter(shape, dtype))
                self._flat_weights_names.extend(shapes)
                self._all_weights.append(list(shapes))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1 / math.sqrt(self.hidden_size)
        for param in self.parameters():
            init.uniform_(param, -bound, bound)

    def flatten_parameters(self) -> None:
        """Nothing to do (PyTorch packs the weights for cuDNN here); kept for ported code."""

    @property
    def all_weights(self) -> list:
        """The parameters grouped per layer and direction:
        ``[[weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0], ...]``."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def _num_states(self) -> int:
        return 2 if self.mode == "LSTM" else 1

    # ----------------------------------------------------------------- forward
    def forward(self, input, hx=None, *, lengths=None):
        """Run the layers over the sequence.

        Args:
            input: ``(T, B, input_size)`` (``(B, T, input_size)`` with ``batch_first``), an
                unbatched ``(T, input_size)``, or a :class:`PackedSequence`.
            hx: the initial state ``(num_layers * num_directions, B, hidden_size)``
                (``(num_layers * num_directions, hidden_size)`` unbatched), for LSTM a tuple
                ``(h_0, c_0)`` of two; zeros when None.
            lengths: keyword-only, a shendu convenience instead of packing: B integers in
                [1, T], in any order; steps t >= lengths[b] of sequence b are padding (their
                output is 0 and the state is carried, so ``h_n`` is each sequence's last real
                state). Not with a PackedSequence.

        Returns:
            ``(output, h_n)`` (LSTM: ``(output, (h_n, c_n))``): ``output`` is
            ``(T, B, num_directions * hidden_size)`` in the input's layout (a PackedSequence
            for a packed input), ``h_n`` and ``c_n`` are
            ``(num_layers * num_directions, B, hidden_size)``, the last layer's last.
        """
        x, lengths, unbatched, packed = self._prepare_input(input, lengths)
        states = self._initial_states(hx, x.shape[1], unbatched)
        output, finals = self._run_layers(x, states, lengths)
        if packed is not None:  # the output packed as the input was
            sequence, positions = packed
            rows = reshape(output, (-1, output.shape[-1]))
            output = PackedSequence(getitem(rows, positions), *sequence[1:])
        elif unbatched:
            output = squeeze(output, 1)
        elif self.batch_first:
            output = transpose(output, 0, 1)
        finals = [stack(f, 0) for f in finals]
        if unbatched:
            finals = [squeeze(f, 1) for f in finals]
        return output, (tuple(finals) if self.mode == "LSTM" else finals[0])

    def _prepare_input(self, input, lengths) -> tuple:
        """(x (T, B, I) time-major, lengths or None, unbatched, and for a PackedSequence the
        pair (it, its rows' positions in x) or None)."""
        if isinstance(input, PackedSequence):
            if lengths is not None:
                raise self.input_error("lengths= cannot be given with a PackedSequence (it "
                                       "holds the lengths already)")
            x, lengths, positions = _unpack(input)
            self._check_features(x, "a PackedSequence with data of shape "
                                 f"{tuple(input.data.shape)}")
            return x, lengths, False, (input, positions)
        if not isinstance(input, Tensor):
            raise TypeError(f"{type(self).__name__}: expected a Tensor or a PackedSequence as "
                            f"input, got {type(input).__name__}")
        if input.ndim not in (2, 3):
            raise self.input_error(f"expected input of shape {self._expected_input()} or "
                                   f"unbatched (T, {self.input_size}), got shape {input.shape}")
        self._check_features(input, f"shape {input.shape}")
        unbatched = input.ndim == 2
        if unbatched:
            x = unsqueeze(input, 1)
        else:
            x = transpose(input, 0, 1) if self.batch_first else input
        if lengths is not None:
            lengths = self._check_lengths(lengths, x.shape[0], x.shape[1])
        return x, lengths, unbatched, None

    def _check_lengths(self, lengths, T: int, B: int) -> np.ndarray:
        array = lengths.data if isinstance(lengths, Tensor) else np.asarray(lengths)
        if array.dtype.kind not in "iu" or array.ndim != 1:
            raise self.input_error(f"lengths must be a 1-D sequence of integers, got "
                                   f"{array.dtype} of shape {array.shape}")
        array = array.astype(np.int64)
        problem = _lengths_problem(array, T, B)
        if problem:
            raise self.input_error(problem)
        return array

    def _expected_input(self) -> str:
        return f"(B, T, {self.input_size})" if self.batch_first else f"(T, B, {self.input_size})"

    def _check_features(self, x: Tensor, got: str) -> None:
        if x.shape[-1] != self.input_size:
            raise self.input_error(f"expected input of shape {self._expected_input()} (last dim "
                                   f"input_size={self.input_size}), got {got}")
        weight = self.weight_ih_l0
        if x.dtype != weight.dtype:
            raise self.input_error(f"input dtype {x.dtype} does not match the weights' "
                                   f"{weight.dtype}; convert the input (x.to({weight.dtype})) "
                                   f"or the model (model.to({x.dtype}))")

    def _initial_states(self, hx, batch: int, unbatched: bool) -> list:
        """For each state (h; for LSTM h and c), a list of (B, H) tensors, one per layer and
        direction (None for zeros)."""
        count = self.num_layers * self.num_directions
        if hx is None:
            return [[None] * count for _ in range(self._num_states)]
        if self.mode == "LSTM":
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise self.input_error(f"expected hx to be a tuple (h_0, c_0) of two tensors, "
                                       f"got {type(hx).__name__}")
            given = list(hx)
        else:
            given = [hx]
        shape = (count, self.hidden_size) if unbatched else (count, batch, self.hidden_size)
        result = []
        for name, state in zip(("h_0", "c_0"), given):
            if not isinstance(state, Tensor) or state.shape != shape:
                got = state.shape if isinstance(state, Tensor) else type(state).__name__
                raise self.input_error(
                    f"expected the initial state {name} of shape {shape} (num_layers * "
                    f"num_directions, {'' if unbatched else 'batch, '}hidden_size), got {got}")
            if unbatched:
                state = unsqueeze(state, 1)
            result.append([getitem(state, k) for k in range(count)])
        return result

    def _run_layers(self, x: Tensor, states: list, lengths) -> tuple:
        """The output of the last layer (T, B, D*H) and, for each state, the final states of
        every layer and direction."""
        finals = [[] for _ in states]
        directions = self.num_directions
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                weights = [getattr(self, name) if name else None
                           for name in self._layer_names(layer, direction)]
                result = self._layer(x, [s[k] for s in states], weights, lengths,
                                     direction == 1)
                outputs.append(result[0])
                for store, final in zip(finals, result[1:]):
                    store.append(final)
            x = outputs[0] if directions == 1 else cat(outputs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = _dropout(x, self.dropout, True)
        return x, finals

    def _layer_names(self, layer: int, direction: int) -> list:
        names = self._all_weights[layer * self.num_directions + direction]
        return names if self.bias else names + [None, None]

    def _layer(self, x, states, weights, lengths, reverse: bool) -> tuple:
        if self.mode == "LSTM":
            return lstm_layer(x, *states, *weights, lengths=lengths, reverse=reverse)
        if self.mode == "GRU":
            return gru_layer(x, *states, *weights, lengths=lengths, reverse=reverse)
        nonlinearity = "relu" if self.mode == "RNN_RELU" else "tanh"
        return rnn_layer(x, *states, *weights, nonlinearity=nonlinearity, lengths=lengths,
                         reverse=reverse)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.batch_first is not False:
            text += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            text += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            text += f", bidirectional={self.bidirectional}"
        return text


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act tanh or ReLU,
    stacked ``num_layers`` deep (each layer reads the one below), optionally bidirectional.

    Args:
        input_size, hidden_size: the sizes I and H of x_t and h_t.
        num_layers: stacked layers.
        nonlinearity: ``"tanh"`` or ``"relu"``.
        bias: whether to learn b_ih and b_hh.
        batch_first: input and output as ``(B, T, *)`` instead of ``(T, B, *)`` (not h_n).
        dropout: dropout on each layer's output except the last, in training.
        bidirectional: a second direction per layer, run from the last step to the first; the
            output concatenates both (forward first).
        dtype: of the parameters (float32 by default).

    Shape: see :meth:`RNNBase.forward`; returns ``(output, h_n)``.

    >>> rnn = shendu.nn.RNN(10, 20, num_layers=2)
    >>> output, h_n = rnn(shendu.randn(5, 3, 10))
    >>> output.shape, h_n.shape
    ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device=None,
                 dtype=None) -> None:
        mode = "RNN_RELU" if _check_nonlinearity("RNN", nonlinearity) == "relu" else "RNN_TANH"
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)
        self.nonlinearity = nonlinearity

    def extra_repr(self) -> str:
        text = super().extra_repr()
        return text + (f", nonlinearity={self.nonlinearity}" if self.nonlinearity != "tanh"
                       else "")


class GRU(RNNBase):
    """Gated recurrent unit (Cho et al. 2014) with PyTorch's equations, per step:

        r = sigma(x W_ir^T + b_ir + h W_hr^T + b_hr)
        z = sigma(x W_iz^T + b_iz + h W_hz^T + b_hz)
        n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))
        h' = (1 - z) * n + z * h

    Args: as :class:`RNN` without ``nonlinearity``. Weights stack r, z, n: ``weight_ih_l0`` is
    ``(3H, I)``.

    Shape: see :meth:`RNNBase.forward`; returns ``(output, h_n)``.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device=None, dtype=None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)


class LSTM(RNNBase):
    """Long short-term memory (Hochreiter and Schmidhuber 1997) with PyTorch's equations, per
    step (a = x W_ih^T + b_ih + h W_hh^T + b_hh, split into i, f, g, o):

        i, f, o = sigma(a_i), sigma(a_f), sigma(a_o);  g = tanh(a_g)
        c' = f * c + i * g;  h' = o * tanh(c')

    Args: as :class:`RNN` without ``nonlinearity``; ``proj_size`` must be 0 (projections are
    not supported). Weights stack i, f, g, o: ``weight_ih_l0`` is ``(4H, I)``.

    Shape: see :meth:`RNNBase.forward`; returns ``(output, (h_n, c_n))``.

    >>> lstm = shendu.nn.LSTM(10, 20, batch_first=True)
    >>> output, (h_n, c_n) = lstm(shendu.randn(3, 5, 10))
    >>> output.shape, h_n.shape
    ((3, 5, 20), (1, 3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


# ---------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """One step of a recurrent layer: parameters ``weight_ih`` ``(G*H, I)``, ``weight_hh``
    ``(G*H, H)``, ``bias_ih`` and ``bias_hh`` ``(G*H,)``, drawn from
    U(-1/sqrt(H), 1/sqrt(H)) as PyTorch. A call is the layer op of :mod:`shendu.ops.rnn` over
    one step."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        name = type(self).__name__
        _check_sizes(name, input_size, hidden_size)
        _check_flags(name, bias=bias)
        dtype = _factory_dtype(device, dtype)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = _empty_parameter((num_chunks * hidden_size, input_size), dtype)
        self.weight_hh = _empty_parameter((num_chunks * hidden_size, hidden_size), dtype)
        if bias:
            self.bias_ih = _empty_parameter((num_chunks * hidden_size,), dtype)
            self.bias_hh = _empty_parameter((num_chunks * hidden_size,), dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1 / math.sqrt(self.hidden_size)
        for param in self.parameters():
            init.uniform_(param, -bound, bound)

    def _prepare(self, input, hx, n_states: int) -> tuple:
        """(x (1, B, I), states [(B, H) or None], unbatched)."""
        if not isinstance(input, Tensor):
            raise TypeError(f"{type(self).__name__}: expected a Tensor as input, got "
                            f"{type(input).__name__}")
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise self.input_error(f"expected input of shape (B, {self.input_size}) or "
                                   f"({self.input_size},) (input_size={self.input_size}), got "
                                   f"shape {input.shape}")
        if input.dtype != self.weight_ih.dtype:
            raise self.input_error(f"input dtype {input.dtype} does not match the weights' "
                                   f"{self.weight_ih.dtype}; convert the input "
                                   f"(x.to({self.weight_ih.dtype})) or the cell")
        unbatched = input.ndim == 1
        x = unsqueeze(input, 0) if unbatched else input
        states = [None] * n_states
        if hx is not None:
            states = list(hx) if n_states == 2 else [hx]
            shape = (self.hidden_size,) if unbatched else (x.shape[0], self.hidden_size)
            for k, state in enumerate(states):
                if not isinstance(state, Tensor) or state.shape != shape:
                    got = state.shape if isinstance(state, Tensor) else type(state).__name__
                    name = ("hx", "cx")[k] if n_states == 2 else "hx"
                    raise self.input_error(f"expected the state {name} of shape {shape}, got "
                                           f"{got}")
                states[k] = unsqueeze(state, 0) if unbatched else state
        return unsqueeze(x, 0), states, unbatched

    def _finish(self, finals, unbatched: bool):
        finals = [squeeze(f, 0) for f in finals] if unbatched else list(finals)
        return tuple(finals) if len(finals) == 2 else finals[0]

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            text += f", nonlinearity={nonlinearity}"
        return text


class RNNCell(RNNCellBase):
    """One Elman RNN step: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act tanh or ReLU.

    Shape: input ``(B, I)`` or ``(I,)``, hx the same with H (zeros when None); returns h'.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = _check_nonlinearity("RNNCell", nonlinearity)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, states, unbatched = self._prepare(input, hx, 1)
        _, h = rnn_layer(x, *states, self.weight_ih, self.weight_hh, self.bias_ih,
                         self.bias_hh, nonlinearity=self.nonlinearity)
        return self._finish([h], unbatched)


class GRUCell(RNNCellBase):
    """One GRU step (the equations of :class:`GRU`).

    Shape: input ``(B, I)`` or ``(I,)``, hx the same with H (zeros when None); returns h'.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, states, unbatched = self._prepare(input, hx, 1)
        _, h = gru_layer(x, *states, self.weight_ih, self.weight_hh, self.bias_ih,
                         self.bias_hh)
        return self._finish([h], unbatched)


class LSTMCell(RNNCellBase):
    """One LSTM step (the equations of :class:`LSTM`).

    Shape: input ``(B, I)`` or ``(I,)``, hx a tuple (h, c) of the same with H (zeros when
    None); returns ``(h', c')``.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple:
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise self.input_error(f"expected hx to be a tuple (h, c) of two tensors, got "
                                   f"{type(hx).__name__}")
        x, states, unbatched = self._prepare(input, hx, 2)
        _, h, c = lstm_layer(x, *states, self.weight_ih, self.weight_hh, self.bias_ih,
                             self.bias_hh)
        return self._finish([h, c], unbatched)
