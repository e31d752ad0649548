"""The model zoo (``shendu.models``) and its registry."""

from shendu.models.classic import lenet, mlp, softmax_regression
from shendu.models.registry import (
    MODELS,
    ModelSpec,
    Recipe,
    get_model,
    list_models,
    model_spec,
    register_model,
)
from shendu.models.rnn_scratch import RNNLMScratch, RNNScratch

__all__ = [
    "MODELS", "ModelSpec", "RNNLMScratch", "RNNScratch", "Recipe", "get_model", "lenet",
    "list_models", "mlp", "model_spec", "register_model", "softmax_regression",
]
