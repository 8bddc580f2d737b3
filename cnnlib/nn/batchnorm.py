"""Batch normalisation layers (notebook 12): BatchNorm2D for feature maps, BatchNorm1D for features.

The maths is :func:`cnnlib.normalization.batch_norm` and its backward pass; these layers add
the parameters gamma and beta and the running statistics used at inference.
"""
import numpy as np

from .._checks import as_positive_int
from ..normalization import batch_norm, batch_norm_backward
from .base import Layer, _float_dtype, _shape_text

__all__ = ["BatchNorm1D", "BatchNorm2D"]


class _BatchNorm(Layer):
    """Shared code of BatchNorm1D and BatchNorm2D: see :class:`BatchNorm2D`."""

    def __init__(self, size, *, eps=1e-5, momentum=0.1, dtype=np.float32):
        super().__init__()
        self.size = as_positive_int(size, "channels" if isinstance(self, BatchNorm2D) else "features")
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
            raise ValueError(f"eps must be a positive number, got {eps!r}")
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError(f"momentum must be a number in [0, 1], got {momentum!r}")
        self.eps, self.momentum = float(eps), float(momentum)
        dtype = _float_dtype(dtype)
        self.params["weight"] = np.ones(self.size, dtype=dtype)      # gamma: the scale, starts at 1
        self.params["bias"] = np.zeros(self.size, dtype=dtype)       # beta: the shift, starts at 0
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self.running_mean = np.zeros(self.size, dtype=dtype)
        self.running_var = np.ones(self.size, dtype=dtype)

    def forward(self, x, training=False):
        """gamma * (x - mean) / sqrt(var + eps) + beta per channel: with ``training=True`` the
        batch's own mean and variance (and the running estimates move towards them), otherwise
        the running estimates.

        Inputs:   x  N x C x H x W (BatchNorm2D) or N x F (BatchNorm1D);  training  bool
        Returns:  an array of x's shape.

        >>> bn = BatchNorm1D(1)
        >>> bn.forward(np.array([[1.0], [3.0]]), training=True).round(3)    # mean 2, variance 1
        array([[-1.],
               [ 1.]])
        >>> bn.running_mean, bn.running_var          # 0.9 x (0, 1) + 0.1 x (2, unbiased 2)
        (array([0.2], dtype=float32), array([1.1], dtype=float32))
        """
        x = self._input(x)
        gamma, beta = self.params["weight"], self.params["bias"]
        if training:
            m = x.size // x.shape[1]
            if m < 2:
                raise ValueError(f"{self!r} needs more than one value per channel to train (a batch "
                                 f"variance of one number is 0), got input {x.shape}")
            out, mean, var = batch_norm(x, gamma, beta, eps=self.eps)
            # As PyTorch does: an exponential moving average, with the unbiased variance m/(m-1) var.
            keep, new = 1 - self.momentum, self.momentum
            self.running_mean[...] = keep * self.running_mean + new * mean
            self.running_var[...] = keep * self.running_var + new * var * (m / (m - 1))
            self._fixed = None
        else:
            self._fixed = (self.running_mean.copy(), self.running_var.copy())
            out, _, _ = batch_norm(x, gamma, beta, eps=self.eps, mean=self._fixed[0], var=self._fixed[1])
        self._x = x
        return out

    def backward(self, grad_out):
        """dL/dx by :func:`cnnlib.normalization.batch_norm_backward` (through the batch statistics
        after a training forward, through fixed ones otherwise); sets grads "weight" (dL/dgamma)
        and "bias" (dL/dbeta).

        Inputs:   grad_out  the shape of the last forward's x
        Returns:  dL/dx, the same shape.

        >>> bn = BatchNorm1D(1)
        >>> out = bn.forward(np.array([[1.0], [3.0]]), training=True)
        >>> bn.backward(np.ones((2, 1))).round(6)   # a shift of every input is normalised away
        array([[0.],
               [0.]])
        >>> bn.grads["bias"]
        array([2.], dtype=float32)
        """
        x, gamma = self._cached("_x"), self.params["weight"]
        mean, var = self._fixed if self._fixed is not None else (None, None)
        grad_x, grad_gamma, grad_beta = batch_norm_backward(grad_out, x, gamma, eps=self.eps, mean=mean, var=var)
        self.grads["weight"] = grad_gamma.astype(gamma.dtype, copy=False)
        self.grads["bias"] = grad_beta.astype(gamma.dtype, copy=False)
        return grad_x

    def named_buffers(self):
        """The running statistics, which inference needs and :func:`cnnlib.nn.save_weights` stores.

        Inputs:   none
        Returns:  [("running_mean", (C,)), ("running_var", (C,))] as (name, array) pairs.

        >>> [(name, b.shape) for name, b in BatchNorm2D(16).named_buffers()]
        [('running_mean', (16,)), ('running_var', (16,))]
        """
        return [("running_mean", self.running_mean), ("running_var", self.running_var)]

    def astype(self, dtype):
        """Parameters, gradients and running statistics converted to ``dtype``, in place.

        Inputs:   dtype  a floating-point type
        Returns:  the layer itself.

        >>> BatchNorm2D(4).astype(np.float64).running_var.dtype
        dtype('float64')
        """
        super().astype(dtype)
        self.running_mean = self.running_mean.astype(dtype)
        self.running_var = self.running_var.astype(dtype)
        return self

    def __repr__(self):
        return f"{type(self).__name__}({self.size})"


class BatchNorm2D(_BatchNorm):
    """Batch normalisation per channel of N x C x H x W maps (Ioffe & Szegedy, 2015).

        training:   out = gamma * (x - mu_B) / sqrt(var_B + eps) + beta
                    mu_B, var_B: mean and (biased) variance of the channel over N, H and W
        inference:  the same with running_mean and running_var in place of mu_B and var_B

    gamma and beta are the parameters "weight" (starts at 1) and "bias" (starts at 0), one per
    channel. Each training forward updates, as PyTorch does,
    ``running = (1 - momentum) * running + momentum * batch statistic``, using the unbiased variance
    (m / (m - 1) var_B, m = N*H*W) for the running variance. Running estimates start at 0 and 1;
    they are not parameters (no optimiser touches them and summary does not count them), but
    save_weights stores them, since inference needs them, and fit rolls them back with the weights
    when it undoes a diverged step. Forward and backward are
    :func:`cnnlib.normalization.batch_norm` and :func:`~cnnlib.normalization.batch_norm_backward`.

    Inputs:   channels C;  eps  a small positive number;  momentum  in [0, 1];  dtype  a floating type
    Returns:  a layer that keeps the N x C x H x W shape; params "weight" (C,), "bias" (C,).

    >>> bn = BatchNorm2D(3)
    >>> out = bn.forward(np.random.default_rng(0).normal(5.0, 2.0, (8, 3, 4, 4)), training=True)
    >>> bool(np.abs(out.mean(axis=(0, 2, 3))).max() < 1e-6), out.std(axis=(0, 2, 3)).round(3)   # mean 0, std 1
    (True, array([1., 1., 1.]))
    """

    def output_shape(self, input_shape):
        """The same C x H x W: batch norm rescales values, it changes no shape.

        Inputs:   input_shape  (C, H, W), per sample, C = the layer's channels
        Returns:  (C, H, W).

        >>> BatchNorm2D(16).output_shape((16, 14, 14))
        (16, 14, 14)
        """
        input_shape = tuple(input_shape)
        if len(input_shape) != 3 or input_shape[0] != self.size:
            raise ValueError(f"{self!r} expects input of shape (N, {self.size}, H, W), got {_shape_text(input_shape)}")
        return input_shape


class BatchNorm1D(_BatchNorm):
    """Batch normalisation per feature of N x F inputs (e.g. after a Dense layer); the statistics
    are over the N samples. Everything else as :class:`BatchNorm2D`.

    Inputs:   features F;  eps, momentum, dtype  as for :class:`BatchNorm2D`
    Returns:  a layer that keeps the N x F shape; params "weight" (F,), "bias" (F,).

    >>> BatchNorm1D(2).forward(np.array([[0.0, 10.0], [2.0, 30.0]]), training=True).round(3)
    array([[-1., -1.],
           [ 1.,  1.]])
    """

    def output_shape(self, input_shape):
        """The same (F,): batch norm rescales values, it changes no shape.

        Inputs:   input_shape  (F,), per sample
        Returns:  (F,).

        >>> BatchNorm1D(84).output_shape((84,))
        (84,)
        """
        input_shape = tuple(input_shape)
        if input_shape != (self.size,):
            raise ValueError(f"{self!r} expects input of shape (N, {self.size}), got {_shape_text(input_shape)}")
        return input_shape
