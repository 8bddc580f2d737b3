"""Layers with forward and backward passes, LeNet-5, and a summary table (taught in notebook 10).

Every layer has ``forward(x, training=False) -> out`` and ``backward(grad_out) -> grad_in``.
``forward`` keeps what ``backward`` needs (the input, an argmax, a dropout mask), so the pair must
be called in that order. Parameters and their gradients live in two dicts with the same names,
``layer.params`` and ``layer.grads``; ``backward`` overwrites (never accumulates) the gradients.

    dL/d(input) = backward(dL/d(output))        the chain rule, one layer at a time

Tensors are N x C x H x W. Layers compute in the dtype of their parameters (float32 by default,
for speed; integer dtypes are refused, as gradient steps would round to 0); a float64 input gives
float64 results, and ``model.astype(np.float64)`` turns the parameters to float64 for gradient
checks. The layers call cnnlib's core functions (``Conv2D`` calls
:func:`cnnlib.conv.conv2d_forward` and :func:`cnnlib.conv.conv2d_backward_from_cache`) and hold
no second algorithm.

One module per topic, each short enough to read in one sitting:

    base               Layer, the contract every layer keeps
    layers             Conv2D, Dense, Flatten, Dropout
    pooling_layers     MaxPool2D, AvgPool2D
    activation_layers  ReLU, Tanh, Sigmoid
    containers         Sequential
    loss               SoftmaxCrossEntropy
    batchnorm          BatchNorm1D, BatchNorm2D (notebook 12)
    residual           BiasFreeConv2D, ResidualBlock (notebook 12)
    models             lenet5, small_resnet
    model_summary      summary, ModelSummary
    weights            save_weights, load_weights

Import the names from ``cnnlib.nn`` itself (``from cnnlib.nn import lenet5``); the modules are
where they are written, not a second address.
"""
from .activation_layers import ReLU, Sigmoid, Tanh
from .base import Layer
from .batchnorm import BatchNorm1D, BatchNorm2D
from .containers import Sequential
from .layers import Conv2D, Dense, Dropout, Flatten
from .loss import SoftmaxCrossEntropy
from .model_summary import ModelSummary, summary
from .models import lenet5, small_resnet
from .pooling_layers import AvgPool2D, MaxPool2D
from .residual import BiasFreeConv2D, ResidualBlock
from .weights import load_weights, save_weights

__all__ = ["Layer", "Conv2D", "MaxPool2D", "AvgPool2D", "ReLU", "Tanh", "Sigmoid", "Flatten", "Dense",
           "Dropout", "Sequential", "SoftmaxCrossEntropy", "lenet5", "summary", "ModelSummary",
           "save_weights", "load_weights", "BatchNorm1D", "BatchNorm2D", "BiasFreeConv2D", "ResidualBlock",
           "small_resnet"]
