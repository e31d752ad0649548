"""The model zoo (``shendu.models``) and its registry.

Two kinds of constructor live here:

- torchvision's names for the reference ImageNet configurations (``alexnet``, ``vgg11`` ...
  ``vgg19_bn``, ``googlenet``, ``resnet18``, ``resnet34``, ``densenet121``), with the same
  state_dict keys, shapes and parameter counts, so published PyTorch weights load;
- the registry (``list_models()``, ``get_model(name)``): MNIST-sized configurations (1x28x28
  input, 10 classes) with a training recipe, which ``shendu train NAME`` and
  ``shendu summary NAME`` use.

Beside them: autoencoders, metric learning (``SiameseNet``), neural style transfer, the
recurrent language models and the curriculum's from-scratch RNN.
"""

from shendu.models import autoencoders, metric, style_transfer
from shendu.models.alexnet import AlexNet, alexnet
from shendu.models.autoencoders import (
    Autoencoder,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    SparseAutoencoder,
    StackedAutoencoder,
)
from shendu.models.classic import MLP, SoftmaxRegression, mlp, softmax_regression
from shendu.models.densenet import DenseNet, densenet121
from shendu.models.googlenet import GoogLeNet, Inception, googlenet
from shendu.models.lenet import LeNet, bn_lenet, lenet, lenet_1998
from shendu.models.metric import SiameseNet
from shendu.models.nin import NiN, nin
from shendu.models.registry import (
    MODELS,
    ModelSpec,
    Recipe,
    get_model,
    list_models,
    model_spec,
    register_model,
)
from shendu.models.resnet import ResNet, resnet18, resnet34
from shendu.models.rnn_scratch import RNNLMScratch, RNNScratch
from shendu.models.vgg import (
    VGG,
    vgg11,
    vgg11_bn,
    vgg13,
    vgg13_bn,
    vgg16,
    vgg16_bn,
    vgg19,
    vgg19_bn,
)

__all__ = [
    "MODELS", "ModelSpec", "Recipe", "get_model", "list_models", "model_spec",
    "register_model",
    "MLP", "SoftmaxRegression", "mlp", "softmax_regression",
    "LeNet", "lenet", "lenet_1998", "bn_lenet", "AlexNet", "alexnet", "VGG", "vgg11", "vgg11_bn",
    "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn", "NiN", "nin", "GoogLeNet",
    "Inception", "googlenet", "ResNet", "resnet18", "resnet34", "DenseNet", "densenet121",
    "autoencoders", "Autoencoder", "SparseAutoencoder", "StackedAutoencoder",
    "ContractiveAutoencoder", "DenoisingAutoencoder", "metric", "SiameseNet", "style_transfer",
    "RNNLMScratch", "RNNScratch",
]
