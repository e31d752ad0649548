"""Recurrent layers as fused ops: one direction of one layer of an Elman RNN (tanh or ReLU), a
GRU or an LSTM, run over a whole sequence by a single op (``shendu.nn.RNN``, ``GRU``, ``LSTM``
and the cells are built from them), and ``scatter_rows``, which packed sequences use.

Why fused: written with small ops, an LSTM step is a dozen graph nodes and a 35-step sequence
some 400, each with its own Python overhead in forward and in backward. Here the whole sequence
is one node, and the work is laid out for BLAS:

- forward: the input projections of all time steps (biases included) are ONE matmul call
  before the recurrence (``W_ih @ x_t^T`` for every t, batched); then per step ONE
  ``(G*H, H) @ (H, B)`` matmul for all gates and the gate nonlinearities, written in place
  into the buffer that backward reads;
- backward: one loop from the last step to the first computes the gradients of each step's
  gate pre-activations and ONE ``(H, G*H) @ (G*H, B)`` matmul (the recurrent dh); after the
  loop ONE matmul each for dW_ih (with the bias gradients), dW_hh and dX over all steps.

Shapes: T steps, batch B, input size I, hidden size H, G gates (RNN 1, GRU 3, LSTM 4).
PyTorch's layouts: ``W_ih`` is ``(G*H, I)``, ``W_hh`` is ``(G*H, H)``, gates stacked in
PyTorch's order (LSTM i, f, g, o; GRU r, z, n). Inside the ops the per-step arrays are
feature-major, ``(features, B)``: each gate is then one contiguous block (an elementwise pass
on it is about twice as fast as on a column block of a ``(B, G*H)`` array), and
``W_hh @ h^T`` is a plain product with the stored weight, about 20% faster than
``h @ W_hh^T`` (measured with OpenBLAS on (B, H) = (32, 256)). Inputs and results keep
PyTorch's ``(T, B, *)`` layout; the transpositions in and out cost one pass each.

Cost of one step (a "pass" is one NumPy ufunc call over an ``(H, B)`` array, or its share of
one over several gates; the tanh passes are the dearest, about 4x a multiply):

- RNN: forward one (H, H) @ (H, B) matmul and 3 passes (add, tanh or ReLU, the output);
  backward one (H, H) @ (H, B) matmul and 5 passes.
- GRU: forward one (3H, H) @ (H, B) matmul and about 18 passes, among them one tanh over r and
  z together (as sigmoids) and one over n; backward one (H, 3H) @ (3H, B) matmul and about
  24 passes.
- LSTM: forward one (4H, H) @ (H, B) matmul and about 24 passes, among them ONE tanh over all
  four gates (i, f, o as sigmoids) and one of c; backward one (H, 4H) @ (4H, B) matmul and
  about 28 passes.

With (T, B, I, H) = (35, 32, 32, 256) (benchmarks/workloads.py: char_lstm_step) an LSTM's
forward takes about 6 ms and its backward about 11 ms on the development machine (2 cores,
OpenBLAS), the matmuls a little more than half of it; PyTorch 2.13's fused oneDNN kernel takes
about 3 and 6 ms.

The sigmoids are taken as sigma(a) = (1 + tanh(a / 2)) / 2, which is exact, cannot overflow and
lets one tanh call cover every gate of a step.

Variable lengths: with ``lengths`` (B,), step t of sequence b is real when t < lengths[b]; at
the other steps the state is carried unchanged and the output is 0 (as PyTorch's
pad_packed_sequence gives), so the final state is the state after each sequence's last real
step. A reversed direction walks t from T - 1 down to 0, so each sequence starts at its own last
real step. Padded inputs are replaced by 0 before the input matmul: NaN or inf in the padding
reaches neither the outputs nor any gradient.
"""

from __future__ import annotations

import numpy as np

from shendu.autograd.function import Function
from shendu.backend import get_array_module
from shendu.ops.index import _BASIC, GetItem
from shendu.tensor import Tensor

__all__ = ["rnn_layer", "gru_layer", "lstm_layer", "scatter_rows"]


# ---------------------------------------------------------------------------- shared pieces
def _masks(lengths, T: int) -> tuple:
    """(valid, invalid), each (T, 1, B) bool: step t of sequence b is real (t < lengths[b]),
    or padding; (None, None) without lengths."""
    if lengths is None:
        return None, None
    valid = (np.arange(T)[:, None] < lengths[None, :])[:, None, :]
    return valid, ~valid


def _at(mask, t: int):
    return None if mask is None else mask[t]


def _inputs(x: np.ndarray, valid, bias) -> np.ndarray:
    """``x`` (T, B, I) as a contiguous array with the padded steps zeroed; with a bias, one
    more column of ones, (T, B, I+1): the bias then rides in the input matmul as its last
    weight column (a separate broadcast add over (T, G*H, B) would cost as much as the
    matmul), and its gradient comes out of dW_ih's matmul as the last column."""
    if bias is None and valid is None:
        return np.ascontiguousarray(x)
    T, B, n_in = x.shape
    out = np.empty((T, B, n_in + (bias is not None)), dtype=x.dtype)
    if valid is None:
        out[:, :, :n_in] = x
    else:  # where, not a product: 0 * NaN is NaN
        out[:, :, :n_in] = np.where(valid.transpose(0, 2, 1), x, np.zeros((), dtype=x.dtype))
    if bias is not None:
        out[:, :, n_in] = 1
    return out


def _project(x: np.ndarray, w_ih: np.ndarray, bias) -> np.ndarray:
    """The input part of every step's pre-activations, (T, G*H, B) = W_ih x_t^T + bias, in
    one matmul call (T products of (G*H, I+1) @ (I+1, B): no transposed copy of the result)."""
    if bias is not None:
        w_ih = np.concatenate([w_ih, bias[:, None]], axis=1)
    return np.matmul(w_ih, x.transpose(0, 2, 1))


def _add(a, b):
    """a + b where either may be None (a missing bias)."""
    if a is None or b is None:
        return b if a is None else a
    return a + b


def _states(h0, T: int, H: int, B: int, dtype, reverse: bool) -> np.ndarray:
    """(T+1, H, B) states: step t reads slot t and writes slot t+1 (forward), or reads t+1 and
    writes t (reverse); the initial state (0 when None) is in the first slot read."""
    states = np.empty((T + 1, H, B), dtype=dtype)
    states[T if reverse else 0] = 0 if h0 is None else h0.T
    return states


def _slots(t: int, reverse: bool) -> tuple:
    """(slot read, slot written) of step t in a _states array."""
    return (t + 1, t) if reverse else (t, t + 1)


def _steps(T: int, reverse: bool):
    """The steps in the order they are computed."""
    return range(T - 1, -1, -1) if reverse else range(T)


def _before_after(states: np.ndarray, reverse: bool) -> tuple:
    """(T, H, B) views: the state each step reads, and the state each step writes."""
    return (states[1:], states[:-1]) if reverse else (states[:-1], states[1:])


def _carry(invalid_t, arrays, read: int, written: int) -> None:
    """At padded steps the state is carried: copy the state read over the state written."""
    if invalid_t is not None:
        for states in arrays:
            np.copyto(states[written], states[read], where=invalid_t)


def _output_buffer(T: int, B: int, H: int, n_states: int, dtype) -> np.ndarray:
    """The op's one result, (T + n_states, B, H): the outputs of the steps, then the final
    states; the functional wrappers cut it into its parts (an op has one output)."""
    return np.empty((T + n_states, B, H), dtype=dtype)


def _emit(out: np.ndarray, t: int, h: np.ndarray, valid_t) -> None:
    """Step t's output (B, H) from its state (H, B): 0 at padded steps (the states are finite,
    so 0 * state is 0). Written per step while h is in cache: cheaper than one transposed
    copy of all steps afterwards."""
    if valid_t is None:
        out[t] = h.T
    else:
        np.multiply(h.T, valid_t.T, out=out[t])


def _finals(out: np.ndarray, T: int, finals: list) -> np.ndarray:
    for k, final in enumerate(finals):
        out[T + k] = final.T
    return out


def _output_grads(grad: np.ndarray, T: int, valid, n_states: int) -> list:
    """d out as a (T, H, B) view with padded steps zeroed (their output is the constant 0),
    and a private (H, B) copy of the gradient of each final state, which backward accumulates
    into. (Adding the transposed view at each step costs less than a transposed copy.)"""
    d_out = grad[:T].transpose(0, 2, 1)
    if valid is not None:
        d_out = d_out * valid
    return [d_out] + [np.array(grad[T + k].T, order="C") for k in range(n_states)]


def _scratch(gates: int, H: int, T: int, B: int, dtype) -> tuple:
    """Backward's buffers: one step's gate gradients (G*H, B), contiguous for the recurrent
    matmul, and the gradients of all steps as (G*H, T, B), which each step's are copied into:
    as (G*H, T*B) the weight gradients need no transposed copy afterwards."""
    return np.empty((gates * H, B), dtype=dtype), np.empty((gates * H, T, B), dtype=dtype)


def _mask_step(invalid_t, zeroed, carried) -> None:
    """At padded steps no gate was used (their gradients are 0) and the gradients of the
    state pass unchanged: ``carried`` holds (new, incoming) pairs."""
    if invalid_t is not None:
        for d in zeroed:
            np.copyto(d, 0, where=invalid_t)
        for new, incoming in carried:
            np.copyto(new, incoming, where=invalid_t)


def _rows(a: np.ndarray) -> np.ndarray:
    """(T, F, B) -> (F, T*B), column t*B + b holding step t of sequence b (one copy of
    contiguous B-long runs)."""
    return np.ascontiguousarray(a.transpose(1, 0, 2)).reshape(a.shape[1], -1)


def _matmul_grads(ctx, d_in, d_rec, x, h_before, w_ih) -> tuple:
    """After the loop, one matmul each over all steps, with D_in and D_rec the gradients of
    the input and recurrent parts of the pre-activations as (G*H, T*B) (they differ only in
    the GRU's n gate): dX = D_in^T W_ih, dW_ih = D_in X (its last column is d b_ih when ``x``
    carries the column of ones), dW_hh = D_rec H_before^T; d b_hh is D_rec summed over steps
    and batch."""
    needs = ctx.needs_input_grad
    i_x, i_wih, i_whh, i_bih, i_bhh = ctx.grad_slots
    T, B, width = x.shape
    n_in = w_ih.shape[1]
    d_in = d_in.reshape(d_in.shape[0], T * B)
    d_rec = d_rec.reshape(d_in.shape)
    shared = d_rec is d_in  # RNN, LSTM: b_ih and b_hh get the same gradient
    dx = (d_in.T @ w_ih).reshape(T, B, n_in) if needs[i_x] else None
    dw = None
    if needs[i_wih] or needs[i_bih] or shared and needs[i_bhh]:
        dw = d_in @ x.reshape(T * B, width)  # (G*H, I+1): dW_ih, then d b_ih
    dw_ih = (dw if width == n_in else np.ascontiguousarray(dw[:, :n_in])) \
        if needs[i_wih] else None
    db_ih = dw[:, n_in].copy() if needs[i_bih] else None
    if not needs[i_bhh]:
        db_hh = None
    elif shared:
        db_hh = dw[:, n_in].copy()
    else:
        db_hh = d_rec @ np.ones(T * B, dtype=x.dtype)
    dw_hh = d_rec @ _rows(h_before).T if needs[i_whh] else None
    return dx, dw_ih, dw_hh, db_ih, db_hh


def _final_grad(ctx, slot: int, d_state: np.ndarray):
    """The gradient of an initial state, (B, H), or None where none is needed."""
    return np.ascontiguousarray(d_state.T) if ctx.needs_input_grad[slot] else None


def _sigmoid_from_half_tanh(t: np.ndarray) -> None:
    """In place: tanh(a / 2) -> sigma(a) = (1 + tanh(a / 2)) / 2."""
    t *= 0.5
    t += 0.5


# ---------------------------------------------------------------------------- Elman RNN
class RNNLayer(Function):
    """h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act tanh or ReLU. Output packed
    as (T + 1, B, H): the outputs, then h_n."""

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, lengths, reverse, relu):
        T, B, _ = x.shape
        H = w_hh.shape[1]
        valid, invalid = _masks(lengths, T)
        bias = _add(b_ih, b_hh)
        x = _inputs(x, valid, bias)
        pre = _project(x, w_ih, bias)  # (T, H, B)
        hs = _states(h0, T, H, B, x.dtype, reverse)
        out = _output_buffer(T, B, H, 1, x.dtype)
        for t in _steps(T, reverse):
            read, written = _slots(t, reverse)
            h = hs[written]
            np.matmul(w_hh, hs[read], out=h)  # one (H, H) x (H, B) matmul
            h += pre[t]
            if relu:
                np.maximum(h, 0, out=h)
            else:
                np.tanh(h, out=h)
            _carry(_at(invalid, t), (hs,), read, written)
            _emit(out, t, h, _at(valid, t))
        ctx.save_for_backward(x, w_ih, w_hh, hs, valid)
        ctx.reverse, ctx.relu, ctx.grad_slots = reverse, relu, (0, 2, 3, 4, 5)
        return _finals(out, T, [hs[0 if reverse else T]])

    @staticmethod
    def backward(ctx, grad):
        x, w_ih, w_hh, hs, valid = ctx.saved_tensors
        T, reverse = x.shape[0], ctx.reverse
        invalid = None if valid is None else ~valid
        d_out, dh = _output_grads(grad, T, valid, 1)
        H, B = dh.shape
        d, d_all = _scratch(1, H, T, B, dh.dtype)
        dh_next = np.empty_like(dh)
        for t in _steps(T, not reverse):
            read, written = _slots(t, reverse)
            dh += d_out[t]
            h = hs[written]
            if ctx.relu:
                np.greater(h, 0, out=d, casting="unsafe")  # d relu(a)/da = 1 where a > 0
            else:
                np.multiply(h, h, out=d)
                np.subtract(1, d, out=d)  # d tanh(a)/da = 1 - tanh(a)^2
            d *= dh
            np.matmul(w_hh.T, d, out=dh_next)  # d (W_hh h)/dh = W_hh^T: (H, H) x (H, B)
            _mask_step(_at(invalid, t), (d,), ((dh_next, dh),))
            d_all[:, t] = d
            dh, dh_next = dh_next, dh
        grads = _matmul_grads(ctx, d_all, d_all, x, _before_after(hs, reverse)[0], w_ih)
        dx, dw_ih, dw_hh, db_ih, db_hh = grads
        return dx, _final_grad(ctx, 1, dh), dw_ih, dw_hh, db_ih, db_hh, None, None, None


# ---------------------------------------------------------------------------- GRU
class GRULayer(Function):
    """PyTorch's GRU (gates r, z, n):

        r = sigma(x W_ir^T + b_ir + h W_hr^T + b_hr)
        z = sigma(x W_iz^T + b_iz + h W_hz^T + b_hz)
        n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))
        h' = (1 - z) * n + z * h

    Output packed as (T + 1, B, H): the outputs, then h_n."""

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, lengths, reverse):
        T, B, _ = x.shape
        H = w_hh.shape[1]
        valid, invalid = _masks(lengths, T)
        # r and z take both biases here; n only b_in (b_hn is inside the r product)
        b_rz = None if b_hh is None else np.concatenate([b_hh[:2 * H], np.zeros_like(b_hh[:H])])
        bias = _add(b_ih, b_rz)
        x = _inputs(x, valid, bias)
        gates = _project(x, w_ih, bias)  # (T, 3H, B); the activations after the loop
        rec = np.empty(gates.shape, dtype=x.dtype)  # W_hh h (+ b_hn): backward needs n's part
        hs = _states(h0, T, H, B, x.dtype, reverse)
        out = _output_buffer(T, B, H, 1, x.dtype)
        b_hn = None if b_hh is None else b_hh[2 * H:, None]
        tmp = np.empty((H, B), dtype=x.dtype)
        for t in _steps(T, reverse):
            read, written = _slots(t, reverse)
            a, hr = gates[t], rec[t]
            np.matmul(w_hh, hs[read], out=hr)  # one (3H, H) x (H, B) matmul for all gates
            rz = a[:2 * H]
            rz += hr[:2 * H]
            rz *= 0.5
            np.tanh(rz, out=rz)
            _sigmoid_from_half_tanh(rz)
            hn = hr[2 * H:]
            if b_hn is not None:
                hn += b_hn
            n = a[2 * H:]
            np.multiply(rz[:H], hn, out=tmp)
            n += tmp
            np.tanh(n, out=n)
            h = hs[written]
            np.subtract(hs[read], n, out=h)  # h' = n + z (h - n)
            h *= rz[H:]
            h += n
            _carry(_at(invalid, t), (hs,), read, written)
            _emit(out, t, h, _at(valid, t))
        ctx.save_for_backward(x, w_ih, w_hh, gates, rec, hs, valid)
        ctx.reverse, ctx.grad_slots = reverse, (0, 2, 3, 4, 5)
        return _finals(out, T, [hs[0 if reverse else T]])

    @staticmethod
    def backward(ctx, grad):
        x, w_ih, w_hh, gates, rec, hs, valid = ctx.saved_tensors
        T, reverse = x.shape[0], ctx.reverse
        H = w_hh.shape[1]
        invalid = None if valid is None else ~valid
        d_out, dh = _output_grads(grad, T, valid, 1)
        B = dh.shape[1]
        d, d_rec = _scratch(3, H, T, B, dh.dtype)  # d pre-activations, their W_hh h parts
        d_in = np.empty_like(d_rec)  # and their W_ih x parts: n's differs
        tmp, dh_next, dn = np.empty_like(dh), np.empty_like(dh), np.empty_like(dh)
        for t in _steps(T, not reverse):
            read, written = _slots(t, reverse)
            dh += d_out[t]
            r, z, n = gates[t, :H], gates[t, H:2 * H], gates[t, 2 * H:]
            hn = rec[t, 2 * H:]
            dr, dz, dhn = d[:H], d[H:2 * H], d[2 * H:]
            # h' = (1 - z) n + z h: d/dn = 1 - z, d/dz = h - n, d/dh = z
            np.multiply(n, n, out=dn)
            np.subtract(1, dn, out=dn)  # d tanh(a)/da = 1 - tanh(a)^2
            np.subtract(1, z, out=tmp)
            dn *= tmp
            dn *= dh
            np.subtract(hs[read], n, out=dz)
            dz *= dh
            tmp *= z  # d sigma(a)/da = sigma (1 - sigma)
            dz *= tmp
            # a_n = W_in x + b_in + r * hn: d/dr = hn, d/dhn = r
            np.subtract(1, r, out=dr)
            dr *= r
            dr *= hn
            dr *= dn
            np.multiply(dn, r, out=dhn)
            np.matmul(w_hh.T, d, out=dh_next)  # one (H, 3H) x (3H, B) matmul
            np.multiply(dh, z, out=tmp)
            dh_next += tmp
            _mask_step(_at(invalid, t), (d, dn), ((dh_next, dh),))
            d_rec[:, t] = d
            d_in[:2 * H, t] = d[:2 * H]  # r and z: the same; n: dn, not dn * r
            d_in[2 * H:, t] = dn
            dh, dh_next = dh_next, dh
        grads = _matmul_grads(ctx, d_in, d_rec, x, _before_after(hs, reverse)[0], w_ih)
        dx, dw_ih, dw_hh, db_ih, db_hh = grads
        return dx, _final_grad(ctx, 1, dh), dw_ih, dw_hh, db_ih, db_hh, None, None


# ---------------------------------------------------------------------------- LSTM
class LSTMLayer(Function):
    """PyTorch's LSTM (gates i, f, g, o; a = x W_ih^T + b_ih + h W_hh^T + b_hh):

        i, f, o = sigma(a_i), sigma(a_f), sigma(a_o);  g = tanh(a_g)
        c' = f * c + i * g;  h' = o * tanh(c')

    Output packed as (T + 2, B, H): the outputs, then h_n, then c_n."""

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, lengths, reverse):
        T, B, _ = x.shape
        H = w_hh.shape[1]
        valid, invalid = _masks(lengths, T)
        bias = _add(b_ih, b_hh)
        x = _inputs(x, valid, bias)
        gates = _project(x, w_ih, bias)  # (T, 4H, B); the activations after the loop
        hs = _states(h0, T, H, B, x.dtype, reverse)
        out = _output_buffer(T, B, H, 2, x.dtype)
        cs = _states(c0, T, H, B, x.dtype, reverse)
        tanh_c = np.empty((T, H, B), dtype=x.dtype)
        rec, ig = np.empty((4 * H, B), dtype=x.dtype), np.empty((H, B), dtype=x.dtype)
        half = np.array([0.5, 0.5, 1.0, 0.5], dtype=x.dtype).repeat(H)[:, None]  # a/2: i, f, o
        for t in _steps(T, reverse):
            read, written = _slots(t, reverse)
            a = gates[t]
            np.matmul(w_hh, hs[read], out=rec)  # one (4H, H) x (H, B) matmul for all gates
            a += rec
            a *= half
            np.tanh(a, out=a)  # one tanh for the four gates: tanh(a/2) for i, f, o
            _sigmoid_from_half_tanh(a[:2 * H])
            _sigmoid_from_half_tanh(a[3 * H:])
            i, f, g, o = a[:H], a[H:2 * H], a[2 * H:3 * H], a[3 * H:]
            c = cs[written]
            np.multiply(f, cs[read], out=c)
            np.multiply(i, g, out=ig)
            c += ig
            np.tanh(c, out=tanh_c[t])
            np.multiply(o, tanh_c[t], out=hs[written])
            _carry(_at(invalid, t), (hs, cs), read, written)
            _emit(out, t, hs[written], _at(valid, t))
        ctx.save_for_backward(x, w_ih, w_hh, gates, hs, cs, tanh_c, valid)
        ctx.reverse, ctx.grad_slots = reverse, (0, 3, 4, 5, 6)
        last = 0 if reverse else T
        return _finals(out, T, [hs[last], cs[last]])

    @staticmethod
    def backward(ctx, grad):
        x, w_ih, w_hh, gates, hs, cs, tanh_c, valid = ctx.saved_tensors
        T, reverse = x.shape[0], ctx.reverse
        H = w_hh.shape[1]
        invalid = None if valid is None else ~valid
        d_out, dh, dc = _output_grads(grad, T, valid, 2)
        d, d_all = _scratch(4, H, T, dh.shape[1], dh.dtype)
        tmp, dh_next, dc_next = np.empty_like(dh), np.empty_like(dh), np.empty_like(dh)
        for t in _steps(T, not reverse):
            read, written = _slots(t, reverse)
            dh += d_out[t]
            a, tc = gates[t], tanh_c[t]
            i, f, g, o = a[:H], a[H:2 * H], a[2 * H:3 * H], a[3 * H:]
            di, df, dg, do = d[:H], d[H:2 * H], d[2 * H:3 * H], d[3 * H:]
            # h' = o tanh(c'): d/do = tanh(c'); d sigma(a)/da = sigma (1 - sigma)
            np.multiply(dh, tc, out=do)
            np.subtract(1, o, out=tmp)
            tmp *= o
            do *= tmp
            # d/dc' = o (1 - tanh(c')^2), plus what reached c' from the next step
            np.multiply(tc, tc, out=tmp)
            np.subtract(1, tmp, out=tmp)
            tmp *= o
            tmp *= dh
            np.add(dc, tmp, out=dc_next)
            # c' = f c + i g: d/di = g, d/df = c, d/dg = i, d/dc = f
            np.subtract(1, i, out=di)
            di *= i
            di *= g
            di *= dc_next
            np.subtract(1, f, out=df)
            df *= f
            df *= cs[read]
            df *= dc_next
            np.multiply(g, g, out=dg)
            np.subtract(1, dg, out=dg)  # d tanh(a)/da = 1 - tanh(a)^2
            dg *= i
            dg *= dc_next
            np.matmul(w_hh.T, d, out=dh_next)  # one (H, 4H) x (4H, B) matmul
            dc_next *= f
            _mask_step(_at(invalid, t), (d,), ((dh_next, dh), (dc_next, dc)))
            d_all[:, t] = d
            dh, dh_next = dh_next, dh
            dc, dc_next = dc_next, dc
        grads = _matmul_grads(ctx, d_all, d_all, x, _before_after(hs, reverse)[0], w_ih)
        dx, dw_ih, dw_hh, db_ih, db_hh = grads
        return (dx, _final_grad(ctx, 1, dh), _final_grad(ctx, 2, dc), dw_ih, dw_hh, db_ih,
                db_hh, None, None)


# ---------------------------------------------------------------------------- packed rows
class ScatterRows(Function):
    """out[positions[k]] = data[k] in an array of ``rows`` rows filled with ``fill``
    (packed sequence data back to a padded batch)."""

    @staticmethod
    def forward(ctx, data, positions, rows, fill):
        ctx.positions = positions
        xp = get_array_module(data)
        out = xp.full((rows,) + data.shape[1:], fill, dtype=data.dtype)
        out[positions] = data
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.positions], None, None, None  # d out[positions[k]] / d data[k] = 1


# ---------------------------------------------------------------------------- functional API
def _check_layer(op: str, gates: int, x, states, w_ih, w_hh, b_ih, b_hh, lengths):
    """Shapes and dtypes of a layer call, checked before any arithmetic; returns ``lengths``
    as an int64 array (or None)."""
    if x.ndim != 3:
        raise ValueError(f"{op}: input must be 3-D (T, B, input_size), got shape {x.shape}")
    T, B, n_in = x.shape
    if w_hh.ndim != 2 or w_hh.shape[0] != gates * w_hh.shape[1]:
        raise ValueError(f"{op}: weight_hh must have shape ({gates}*hidden_size, hidden_size), "
                         f"got {w_hh.shape}")
    H = w_hh.shape[1]
    expected = {"weight_ih": (w_ih, (gates * H, n_in)), "bias_ih": (b_ih, (gates * H,)),
                "bias_hh": (b_hh, (gates * H,))}
    expected.update({name: (s, (B, H)) for name, s in states.items()})
    for name, (tensor, shape) in expected.items():
        if tensor is not None and tensor.shape != shape:
            raise ValueError(f"{op}: {name} must have shape {shape} for an input of shape "
                             f"{x.shape} and hidden_size {H}, got {tensor.shape}")
    for name, (tensor, _) in {"weight_hh": (w_hh, None), **expected}.items():
        if tensor is not None and tensor.dtype != x.dtype:
            raise TypeError(f"{op}: {name} has dtype {tensor.dtype} but the input has "
                            f"{x.dtype}; convert one of them (e.g. x.float())")
    return _check_lengths(op, lengths, T, B)


def _check_lengths(op: str, lengths, T: int, B: int) -> np.ndarray | None:
    if lengths is None:
        return None
    array = lengths.data if isinstance(lengths, Tensor) else np.asarray(lengths)
    if array.dtype.kind not in "iu" or array.shape != (B,):
        raise ValueError(f"{op}: lengths must be {B} integers (one per sequence of the batch), "
                         f"got {array.dtype} of shape {array.shape}")
    if array.size and (array.min() < 0 or array.max() > T):
        raise ValueError(f"{op}: lengths must be between 0 and the sequence length {T}, got "
                         f"{array.tolist()}")
    return array.astype(np.int64, copy=False)


def _cut(packed: Tensor, T: int, n_states: int) -> tuple:
    """The outputs (T, B, H) and the final states (B, H) from a layer op's packed result."""
    parts = [GetItem.apply(packed, slice(0, T), _BASIC)]
    return tuple(parts + [GetItem.apply(packed, T + k, _BASIC) for k in range(n_states)])


def rnn_layer(input, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None,
              nonlinearity: str = "tanh", lengths=None, reverse: bool = False) -> tuple:
    """One direction of one Elman RNN layer over a whole sequence, as one op:
    h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act tanh or ReLU.

    Args:
        input: ``(T, B, I)``.
        h0: ``(B, H)`` initial state, or None for zeros.
        weight_ih, weight_hh: ``(H, I)`` and ``(H, H)``.
        bias_ih, bias_hh: ``(H,)`` or None.
        nonlinearity: ``"tanh"`` or ``"relu"``.
        lengths: None, or ``(B,)`` integers in [0, T] (any order): steps t >= lengths[b] of
            sequence b are padding (state carried, output 0).
        reverse: run from the last step to the first (the second direction of a
            bidirectional layer).

    Returns:
        ``(output, h_n)``: ``(T, B, H)`` and ``(B, H)``.
    """
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"rnn_layer: nonlinearity must be 'tanh' or 'relu', got "
                         f"{nonlinearity!r}")
    lengths = _check_layer("rnn_layer", 1, input, {"h0": h0}, weight_ih, weight_hh, bias_ih,
                           bias_hh, lengths)
    packed = RNNLayer.apply(input, h0, weight_ih, weight_hh, bias_ih, bias_hh, lengths,
                            bool(reverse), nonlinearity == "relu")
    return _cut(packed, input.shape[0], 1)


def gru_layer(input, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, lengths=None,
              reverse: bool = False) -> tuple:
    """One direction of one GRU layer over a whole sequence, as one op (PyTorch's gates r, z,
    n; see :class:`GRULayer`).

    Args: as :func:`rnn_layer`, with ``weight_ih`` ``(3H, I)``, ``weight_hh`` ``(3H, H)`` and
    biases ``(3H,)``.

    Returns:
        ``(output, h_n)``: ``(T, B, H)`` and ``(B, H)``.
    """
    lengths = _check_layer("gru_layer", 3, input, {"h0": h0}, weight_ih, weight_hh, bias_ih,
                           bias_hh, lengths)
    packed = GRULayer.apply(input, h0, weight_ih, weight_hh, bias_ih, bias_hh, lengths,
                            bool(reverse))
    return _cut(packed, input.shape[0], 1)


def lstm_layer(input, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, lengths=None,
               reverse: bool = False) -> tuple:
    """One direction of one LSTM layer over a whole sequence, as one op (PyTorch's gates i, f,
    g, o; see :class:`LSTMLayer`).

    Args: as :func:`rnn_layer`, with ``c0`` ``(B, H)`` or None, ``weight_ih`` ``(4H, I)``,
    ``weight_hh`` ``(4H, H)`` and biases ``(4H,)``.

    Returns:
        ``(output, h_n, c_n)``: ``(T, B, H)``, ``(B, H)`` and ``(B, H)``.
    """
    lengths = _check_layer("lstm_layer", 4, input, {"h0": h0, "c0": c0}, weight_ih, weight_hh,
                           bias_ih, bias_hh, lengths)
    packed = LSTMLayer.apply(input, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh, lengths,
                             bool(reverse))
    return _cut(packed, input.shape[0], 2)


def scatter_rows(data, positions, rows: int, fill: float = 0.0) -> Tensor:
    """A ``(rows, *F)`` tensor filled with ``fill`` and ``out[positions[k]] = data[k]``.

    Args:
        data: ``(N, *F)``.
        positions: ``(N,)`` distinct integers in [0, rows).
        rows: the number of rows of the result.
        fill: the value of the rows no data goes to.

    The gradient of ``data[k]`` is the gradient of ``out[positions[k]]``.
    """
    positions = np.asarray(positions.data if isinstance(positions, Tensor) else positions)
    if positions.dtype.kind not in "iu" or positions.shape != (data.shape[0],):
        raise ValueError(f"scatter_rows: positions must be {data.shape[0]} integers (one per "
                         f"row of data), got {positions.dtype} of shape {positions.shape}")
    if positions.size and (positions.min() < 0 or positions.max() >= rows
                           or np.unique(positions).size != positions.size):
        raise ValueError(f"scatter_rows: positions must be distinct and in [0, {rows}), got "
                         f"{positions.tolist()}")
    return ScatterRows.apply(data, positions, int(rows), fill)
