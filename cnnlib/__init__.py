"""cnnlib: the numpy helper package behind "CNNs from the Ground Up".

The maths lives in small modules of plain numpy functions; ``cnnlib.plots`` and
``cnnlib.widgets`` draw with them and are imported only when asked for, so
``import cnnlib`` stays cheap (no matplotlib, no ipywidgets).
"""
from . import augment, data, features, inspection, kernels, nn, optim, train
from .activations import relu, relu_grad, sigmoid, sigmoid_grad, softplus, softplus_grad, tanh, tanh_grad
from .conv import (col2im, conv1d, conv2d, conv2d_backward, conv2d_backward_naive, conv2d_naive,
                   conv_matrix, im2col)
from .data import SAMPLE_IMAGES, load_mnist, read_idx, sample_image
from .gradcheck import GradientCheck, check_backward
from .losses import (binary_cross_entropy, categorical_cross_entropy, cross_entropy, entropy,
                     kl_divergence, log_softmax, mae, mse, softmax, softmax_cross_entropy_grad)
from .pooling import (avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward, pool2d_backward_naive,
                      pool2d_naive)
from .preprocess import preprocess_drawing
from .shapes import (conv_output_shape, conv_parameter_count, dense_parameter_count, output_size,
                     receptive_field, same_padding)
from .train import train_step
from . import architectures, normalization
from .normalization import batch_norm, batch_norm_backward, batch_norm_backward_naive, batch_norm_naive

__version__ = "0.1.0"


def __getattr__(name):
    # Drawing modules load on first use so that importing cnnlib never pulls in matplotlib/ipywidgets.
    if name in ("plots", "widgets"):
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'cnnlib' has no attribute {name!r}")
