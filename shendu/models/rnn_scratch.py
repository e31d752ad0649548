"""A recurrent network written out in the curriculum's notation, as the teaching reference
for ``nn.RNN``:

    H_t = phi(X_t W_xh + H_{t-1} W_hh + b_h)        (the hidden state)
    O_t = H_t W_hq + b_q                            (the output layer)

with one Python step per time step and the graph built from small ops, so every formula is
visible and autograd does backpropagation through time. ``nn.RNN`` computes the same thing
with a fused op (weights stored transposed: ``weight_ih_l0 = W_xh^T``, ``weight_hh_l0 =
W_hh^T``, ``bias_ih_l0 + bias_hh_l0 = b_h``); :meth:`RNNScratch.to_rnn_state_dict` gives
the state_dict that makes an ``nn.RNN`` compute exactly these outputs.
"""

from __future__ import annotations

import shendu
from shendu import nn
from shendu.tensor import Tensor


class RNNScratch(nn.Module):
    """The recurrence H_t = phi(X_t W_xh + H_{t-1} W_hh + b_h), phi = tanh or relu.

    Args:
        num_inputs: the size of each X_t's feature dim.
        num_hiddens: the size of H_t.
        sigma: the standard deviation of the Gaussian initial weights (the curriculum's).
        nonlinearity: ``"tanh"`` or ``"relu"``.

    Shape: inputs (T, B, num_inputs), state (B, num_hiddens) -> outputs: a list of T
    tensors (B, num_hiddens), and the last state.
    """

    def __init__(self, num_inputs: int, num_hiddens: int, sigma: float = 0.01,
                 nonlinearity: str = "tanh") -> None:
        super().__init__()
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNScratch: nonlinearity must be 'tanh' or 'relu', got "
                             f"{nonlinearity!r}")
        self.num_inputs, self.num_hiddens, self.nonlinearity = num_inputs, num_hiddens, \
            nonlinearity
        self.W_xh = nn.Parameter(shendu.randn(num_inputs, num_hiddens) * sigma)
        self.W_hh = nn.Parameter(shendu.randn(num_hiddens, num_hiddens) * sigma)
        self.b_h = nn.Parameter(shendu.zeros(num_hiddens))

    def forward(self, inputs: Tensor, state: Tensor | None = None):
        if inputs.ndim != 3 or inputs.shape[-1] != self.num_inputs:
            raise self.input_error(f"expected inputs of shape (T, B, {self.num_inputs}), got "
                                   f"{tuple(inputs.shape)}")
        if state is None:
            state = shendu.zeros(inputs.shape[1], self.num_hiddens, dtype=inputs.dtype)
        phi = shendu.tanh if self.nonlinearity == "tanh" else shendu.relu
        outputs = []
        for X in inputs:                       # one time step at a time: X is (B, num_inputs)
            state = phi(X @ self.W_xh + state @ self.W_hh + self.b_h)
            outputs.append(state)
        return outputs, state

    def to_rnn_state_dict(self) -> dict[str, Tensor]:
        """The weights as ``nn.RNN(num_inputs, num_hiddens)`` stores them."""
        return {"weight_ih_l0": self.W_xh.detach().t(), "weight_hh_l0": self.W_hh.detach().t(),
                "bias_ih_l0": self.b_h.detach(), "bias_hh_l0": shendu.zeros_like(self.b_h)}


class RNNLMScratch(nn.Module):
    """A language model on one-hot characters: O_t = H_t W_hq + b_q over an
    :class:`RNNScratch`.

    Shape: X (B, T) token indices -> logits (B, T, vocab_size).
    """

    def __init__(self, rnn: RNNScratch, vocab_size: int, sigma: float = 0.01) -> None:
        super().__init__()
        self.rnn, self.vocab_size = rnn, vocab_size
        self.W_hq = nn.Parameter(shendu.randn(rnn.num_hiddens, vocab_size) * sigma)
        self.b_q = nn.Parameter(shendu.zeros(vocab_size))

    def forward(self, X: Tensor, state: Tensor | None = None):
        embs = nn.functional.one_hot(X.t(), self.vocab_size).to(self.W_hq.dtype)  # (T, B, V)
        hiddens, state = self.rnn(embs, state)
        outputs = [H @ self.W_hq + self.b_q for H in hiddens]
        return shendu.stack(outputs, dim=1), state
