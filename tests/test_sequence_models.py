"""Sequence models built on the recurrent layers: the from-scratch RNN in the curriculum's
notation against nn.RNN, the RNN language model (generation, truncated BPTT, perplexity), and
the curriculum's tasks: the position of 'a' (>= 95% held out) and attention translation
(mean BLEU >= 0.9 on its training pairs)."""

from __future__ import annotations

import math
import runpy
from pathlib import Path

import numpy as np
import pytest

import shendu
from shendu import nn, optim
from shendu.data.text import Vocab
from shendu.models import RNNLMScratch, RNNScratch
from shendu.models.rnnlm import RNNLM, perplexity, train_epoch

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_scratch_rnn_equals_nn_rnn_with_copied_weights(nonlinearity):
    shendu.manual_seed(0)
    scratch = RNNScratch(5, 7, sigma=0.3, nonlinearity=nonlinearity).double()
    layer = nn.RNN(5, 7, nonlinearity=nonlinearity).double()
    layer.load_state_dict(scratch.to_rnn_state_dict())
    x = shendu.randn(6, 3, 5, dtype=shendu.float64)
    h0 = shendu.randn(3, 7, dtype=shendu.float64)
    outputs, h = scratch(x, h0)
    expected, h_n = layer(x, h0.unsqueeze(0))
    np.testing.assert_allclose(shendu.stack(outputs).detach().numpy(),
                               expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h.detach().numpy(), h_n[0].detach().numpy(), rtol=1e-12,
                               atol=1e-14)


@pytest.mark.torch
def test_scratch_rnn_equals_torch():
    torch = pytest.importorskip("torch", reason="needs torch")
    shendu.manual_seed(1)
    scratch = RNNScratch(4, 6, sigma=0.5)
    layer = torch.nn.RNN(4, 6)
    layer.load_state_dict({k: torch.tensor(v.numpy())
                           for k, v in scratch.to_rnn_state_dict().items()})
    x = shendu.randn(5, 2, 4)
    outputs, _ = scratch(x)
    expected, _ = layer(torch.tensor(x.numpy()))
    np.testing.assert_allclose(shendu.stack(outputs).detach().numpy(),
                               expected.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_scratch_language_model_shapes_and_gradients():
    shendu.manual_seed(0)
    model = RNNLMScratch(RNNScratch(10, 8), vocab_size=10)
    X = shendu.randint(0, 10, (3, 5))
    logits, state = model(X)
    assert logits.shape == (3, 5, 10) and state.shape == (3, 8)
    nn.functional.cross_entropy(logits.reshape(-1, 10), X.reshape(-1)).backward()
    assert all(p.grad is not None for p in model.parameters())


def tiny_lm(cell="lstm", embed_size=None):
    vocab = Vocab(list("abcdefgh "))
    shendu.manual_seed(0)
    return RNNLM(len(vocab), 16, cell, embed_size=embed_size), vocab


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_rnnlm_shapes_and_state(cell):
    model, vocab = tiny_lm(cell, embed_size=4)
    logits, state = model(shendu.randint(0, len(vocab), (2, 7)))
    assert logits.shape == (2, 7, len(vocab))
    h = state[0] if cell == "lstm" else state
    assert h.shape == (1, 2, 16)


def test_generate_is_greedy_and_checks_its_prefix():
    model, vocab = tiny_lm()
    text = model.generate("abc", 10, vocab, greedy=True)
    assert text.startswith("abc") and len(text) == 13
    assert model.generate("abc", 10, vocab, greedy=True) == text          # deterministic
    shendu.manual_seed(3)
    sampled = model.generate("abc", 10, vocab, temperature=0.5)
    assert len(sampled) == 13 and set(sampled) <= set(vocab.idx_to_token)
    with pytest.raises(ValueError, match=r"outside the vocabulary: \['z'\]"):
        model.generate("az", 5, vocab)
    with pytest.raises(ValueError, match="temperature must be > 0"):
        model.generate("a", 5, vocab, temperature=0)


def test_an_untrained_uniform_model_has_perplexity_of_the_vocabulary_size():
    model, vocab = tiny_lm()
    with shendu.no_grad():
        for p in model.output.parameters():
            p.zero_()                                                   # uniform logits
    batches = [(shendu.randint(0, 10, (4, 6)), shendu.randint(0, 10, (4, 6)))]
    assert perplexity(model, batches) == pytest.approx(len(vocab), rel=1e-6)


def test_truncated_bptt_carries_the_state_only_when_asked():
    """Sequential partitioning: minibatch k+1 starts from k's state (detached); random
    sampling: every minibatch starts from zeros."""
    model, vocab = tiny_lm("gru")
    seen = []
    forward = model.forward

    def spy(X, state=None):
        seen.append(state)
        return forward(X, state)

    model.forward = spy
    batches = [(shendu.randint(0, 10, (2, 4)), shendu.randint(0, 10, (2, 4))) for _ in range(3)]
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    train_epoch(model, batches, optimizer, carry_state=False)
    assert seen == [None, None, None]
    seen.clear()
    ppl, rate = train_epoch(model, batches, optimizer, carry_state=True)
    assert seen[0] is None and all(s is not None and s.requires_grad is False for s in seen[1:])
    assert math.isfinite(ppl) and rate > 0


def test_position_of_a_reaches_95_percent():
    example = runpy.run_path(str(EXAMPLES / "position_of_a.py"))
    accuracy = example["train_and_evaluate"](seed=0)
    print(f"\nposition of 'a': held-out accuracy {accuracy:.4f}")
    assert accuracy >= 0.95


@pytest.mark.data
def test_translation_with_attention_memorises_its_pairs(shared_data):
    example = runpy.run_path(str(EXAMPLES / "translation_attention.py"))
    path = shared_data / "text" / "fr-en-small.txt"
    model, source, target, src_vocab, tgt_vocab, loss = example["train"](path)
    translations, scores = example["evaluate"](model, source, target, src_vocab, tgt_vocab)
    print(f"\ntranslation: mean BLEU {np.mean(scores):.3f}, final loss {loss:.4f}")
    assert np.mean(scores) >= 0.9
    words, weights = example["translate"](model, source[0], src_vocab, tgt_vocab, 10)
    assert weights.shape[0] == len(words.split()) + 1                    # one row per step
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(weights[:, len(source[0]) + 1:] == 0)                  # padding: no weight
