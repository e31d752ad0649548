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

__all__ = ["MODELS", "ModelSpec", "Recipe", "get_model", "lenet", "list_models", "mlp",
           "model_spec", "register_model", "softmax_regression"]
