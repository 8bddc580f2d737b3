"""The layers with weights, Conv2D and Dense, and the two that only reshape or mask: Flatten, Dropout.

Each forward and backward pass is a core function of cnnlib (Conv2D's are in :mod:`cnnlib.conv`)
or, for Dense, Flatten and Dropout, one line of numpy: no layer holds an algorithm of its own.
"""
import numpy as np

from .._checks import as_nonnegative_int, as_pair, as_positive_int, as_rng
from ..conv import conv2d_backward_from_cache, conv2d_forward
from ..shapes import output_size
from .base import Layer, _float_dtype, _init_weights, _shape_text

__all__ = ["Conv2D", "Dense", "Flatten", "Dropout"]


class Conv2D(Layer):
    """A convolutional layer (cross-correlation, as in every framework): K filters slid over a batch.

        out[n, k, i, j] = b[k] + sum_{c, a, b} x_pad[n, c, i*s + a, j*s + b] * W[k, c, a, b]

    Input N x C x H x W, weight K x C x kh x kw, bias K, output N x K x H_O x W_O with
    H_O = floor((H + 2p - kh) / s) + 1. Forward is :func:`cnnlib.conv.conv2d_forward`: im2col lays
    every receptive field out as a column of F (C*kh*kw x N*H_O*W_O), and the layer is one matrix
    product, W.reshape(K, -1) @ F. Backward is :func:`cnnlib.conv.conv2d_backward_from_cache`,
    with the F the forward pass kept: with G = grad_out as a K x N*H_O*W_O matrix, dW = G @ F.T,
    db = row sums of G, dF = W.T @ G, and col2im adds each column's gradient back onto the pixels
    it came from (overlapping fields accumulate).

    Inputs:   in_channels C, out_channels K  ints;  kernel_size, stride, padding  int or (rows, cols)
              init  'he' (before a ReLU), 'glorot' (before tanh/sigmoid) or a std;  rng  a seed,
              Generator or None;  dtype  of the parameters, a floating type (float32 by default)
    Returns:  a layer from N x C x H x W to N x K x H_O x W_O; params "weight" K x C x kh x kw, "bias" (K,).

    >>> conv = Conv2D(1, 6, 5, rng=0)                  # LeNet-5's first layer
    >>> conv, conv.params["weight"].shape
    (Conv2D(1, 6, kernel_size=5), (6, 1, 5, 5))
    >>> conv.forward(np.zeros((2, 1, 32, 32), np.float32)).shape
    (2, 6, 28, 28)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, *,
                 init="he", rng=None, dtype=np.float32):
        super().__init__()
        self.in_channels = as_positive_int(in_channels, "in_channels")
        self.out_channels = as_positive_int(out_channels, "out_channels")
        dtype = _float_dtype(dtype)
        self.kernel_size = as_pair(kernel_size, "kernel_size", as_positive_int)
        self.stride = as_pair(stride, "stride", as_positive_int)
        self.padding = as_pair(padding, "padding", as_nonnegative_int)
        kh, kw = self.kernel_size
        fan_in, fan_out = self.in_channels * kh * kw, self.out_channels * kh * kw
        shape = (self.out_channels, self.in_channels, kh, kw)
        self.params["weight"] = _init_weights(shape, fan_in, fan_out, init, as_rng(rng), dtype)
        self.params["bias"] = np.zeros(self.out_channels, dtype=dtype)
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}

    def output_shape(self, input_shape):
        """K x H_O x W_O for a C x H x W input; a ValueError for another depth or a kernel too large.

        Inputs:   input_shape  (C, H, W), per sample
        Returns:  (K, H_O, W_O), H_O = output_size(H, kh, padding, stride), likewise W_O.

        >>> Conv2D(1, 6, 5).output_shape((1, 32, 32)), Conv2D(3, 8, 3, stride=2, padding=1).output_shape((3, 9, 9))
        ((6, 28, 28), (8, 5, 5))
        """
        input_shape = tuple(input_shape)
        if len(input_shape) != 3 or input_shape[0] != self.in_channels:
            raise ValueError(f"{self!r} expects input of shape (N, {self.in_channels}, H, W), "
                             f"got {_shape_text(input_shape)}")
        try:
            sizes = [output_size(n, k, p, s) for n, k, p, s in
                     zip(input_shape[1:], self.kernel_size, self.padding, self.stride)]
        except ValueError as err:
            raise ValueError(f"{self!r} got input {_shape_text(input_shape)}: {err}") from err
        return (self.out_channels, *sizes)

    def forward(self, x, training=False):
        """The feature maps of a batch: :func:`cnnlib.conv.conv2d_forward` with the layer's weights.

        Keeps the forward pass's cache (the input and its im2col columns) for :meth:`backward`.

        Inputs:   x  N x C x H x W (a float64 batch gives float64 maps);  training  unused
        Returns:  N x K x H_O x W_O.

        >>> conv = Conv2D(1, 1, 2)
        >>> conv.params["weight"][...] = 1                 # one 2x2 filter of ones: window sums
        >>> conv.forward(np.arange(9.0).reshape(1, 1, 3, 3))
        array([[[[ 8., 12.],
                 [20., 24.]]]])
        """
        x = self._input(x)
        out, self._cache = conv2d_forward(x, self.params["weight"], self.params["bias"],
                                          stride=self.stride, padding=self.padding)
        return out

    def backward(self, grad_out):
        """dL/dx from dL/d(out) by :func:`cnnlib.conv.conv2d_backward_from_cache`; sets
        ``grads["weight"]`` (dW = G @ F.T) and ``grads["bias"]`` (the row sums of G).

        Inputs:   grad_out  N x K x H_O x W_O, for the batch of the last forward call
        Returns:  dL/dx, N x C x H x W.

        >>> conv = Conv2D(1, 1, 2)
        >>> conv.params["weight"][...] = 1
        >>> out = conv.forward(np.arange(9.0).reshape(1, 1, 3, 3))
        >>> conv.backward(np.ones((1, 1, 2, 2)))[0, 0]     # how many windows cover each pixel
        array([[1., 2., 1.],
               [2., 4., 2.],
               [1., 2., 1.]])
        >>> conv.grads["bias"]                             # 4 output cells, each with dL/dout = 1
        array([4.], dtype=float32)
        """
        weight = self.params["weight"]
        grad_x, grad_w, grad_b = conv2d_backward_from_cache(grad_out, self._cached("_cache"))
        self.grads["weight"] = grad_w.astype(weight.dtype, copy=False)
        self.grads["bias"] = grad_b.astype(weight.dtype, copy=False)
        return grad_x

    def __repr__(self):
        kh, kw = self.kernel_size
        extra = "".join(f", {name}={v[0] if v[0] == v[1] else v}" for name, v, default in
                        (("stride", self.stride, 1), ("padding", self.padding, 0)) if v != (default, default))
        return f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size={kh if kh == kw else (kh, kw)}{extra})"


class Flatten(Layer):
    """N x C x H x W -> N x (C*H*W), the bridge from feature maps to dense layers; no parameters.

    Inputs:   none
    Returns:  a layer from N x d1 x d2 x ... to N x (d1*d2*...); backward reshapes the gradient back.

    >>> Flatten().forward(np.zeros((2, 16, 5, 5))).shape       # LeNet-5: 16 maps of 5 x 5 -> 400
    (2, 400)
    """

    def output_shape(self, input_shape):
        """The number of values per sample, as a 1-tuple.

        Inputs:   input_shape  any per-sample shape, e.g. (16, 5, 5)
        Returns:  (d1*d2*...,), e.g. (400,).

        >>> Flatten().output_shape((16, 5, 5))
        (400,)
        """
        return (int(np.prod(input_shape, dtype=np.int64)),)

    def forward(self, x, training=False):
        """Each sample's values in one row (C-order: channel, then row, then column).

        Inputs:   x  N x d1 x d2 x ...;  training  unused
        Returns:  N x (d1*d2*...), a view of x.

        >>> Flatten().forward(np.arange(8).reshape(2, 2, 2))
        array([[0., 1., 2., 3.],
               [4., 5., 6., 7.]], dtype=float32)
        """
        x = self._input(x)
        self._input_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_out):
        """The gradient in the input's shape: flattening moves values, it changes none.

        Inputs:   grad_out  N x (d1*d2*...)
        Returns:  N x d1 x d2 x ..., the shape of the last forward's x.

        >>> flatten = Flatten()
        >>> out = flatten.forward(np.zeros((2, 3, 4, 4)))
        >>> flatten.backward(np.ones((2, 48))).shape
        (2, 3, 4, 4)
        """
        return grad_out.reshape(self._cached("_input_shape"))


class Dense(Layer):
    """A fully connected layer: out = x @ W.T + b.

    x: N x in_features, W: out_features x in_features, b: out_features, out: N x out_features.
    Backward: dW = grad_out.T @ x, db = column sums of grad_out, dx = grad_out @ W.

    Inputs:   in_features, out_features  ints;  init, rng, dtype  as for :class:`Conv2D`
    Returns:  a layer from N x in_features to N x out_features; params "weight", "bias".

    >>> dense = Dense(400, 120, rng=0)                 # LeNet-5's first dense layer
    >>> dense.params["weight"].shape, dense.forward(np.zeros((2, 400))).shape
    ((120, 400), (2, 120))
    """

    def __init__(self, in_features, out_features, *, init="he", rng=None, dtype=np.float32):
        super().__init__()
        self.in_features = as_positive_int(in_features, "in_features")
        self.out_features = as_positive_int(out_features, "out_features")
        dtype = _float_dtype(dtype)
        shape = (self.out_features, self.in_features)
        self.params["weight"] = _init_weights(shape, self.in_features, self.out_features, init,
                                              as_rng(rng), dtype)
        self.params["bias"] = np.zeros(self.out_features, dtype=dtype)
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}

    def output_shape(self, input_shape):
        """(out_features,) for an input of (in_features,); a ValueError, with a hint to put a
        Flatten layer first when the input is still a stack of maps.

        Inputs:   input_shape  (in_features,), per sample
        Returns:  (out_features,).

        >>> Dense(400, 120).output_shape((400,))
        (120,)
        """
        if tuple(input_shape) != (self.in_features,):
            hint = " (put a Flatten layer before it)" if len(input_shape) > 1 else ""
            raise ValueError(f"{self!r} expects input of shape (N, {self.in_features}), "
                             f"got {_shape_text(input_shape)}{hint}")
        return (self.out_features,)

    def forward(self, x, training=False):
        """x @ W.T + b, one row per sample; keeps x for :meth:`backward`.

        Inputs:   x  N x in_features;  training  unused
        Returns:  N x out_features.

        >>> dense = Dense(2, 1)
        >>> dense.params["weight"][...] = [[1.0, 10.0]]; dense.params["bias"][...] = 0.5
        >>> dense.forward(np.array([[1.0, 2.0], [3.0, 4.0]]))
        array([[21.5],
               [43.5]])
        """
        self._x = self._input(x)
        return self._x @ self.params["weight"].T + self.params["bias"]

    def backward(self, grad_out):
        """dx = grad_out @ W; sets ``grads["weight"]`` = grad_out.T @ x and ``grads["bias"]`` =
        the column sums of grad_out (each bias adds to every sample's output).

        Inputs:   grad_out  N x out_features
        Returns:  dL/dx, N x in_features.

        >>> dense = Dense(2, 1)
        >>> dense.params["weight"][...] = [[1.0, 10.0]]
        >>> out = dense.forward(np.array([[1.0, 2.0], [3.0, 4.0]]))
        >>> dense.backward(np.ones((2, 1)))                # every sample gets W back
        array([[ 1., 10.],
               [ 1., 10.]])
        >>> dense.grads["weight"], dense.grads["bias"]     # the column sums of x; N = 2
        (array([[4., 6.]], dtype=float32), array([2.], dtype=float32))
        """
        x, weight = self._cached("_x"), self.params["weight"]
        self.grads["weight"] = (grad_out.T @ x).astype(weight.dtype, copy=False)
        self.grads["bias"] = grad_out.sum(axis=0).astype(weight.dtype, copy=False)
        return grad_out @ weight

    def __repr__(self):
        return f"Dense({self.in_features}, {self.out_features})"


class Dropout(Layer):
    """Inverted dropout: in training, zero each unit with probability p and scale the survivors
    by 1 / (1 - p), so at test time (training=False) the layer is the identity.

    Inputs:   p  the probability of dropping a unit, in [0, 1);  rng  a seed, Generator or None
    Returns:  a layer that keeps the input's shape; no parameters.

    >>> dropout = Dropout(0.5, rng=0)
    >>> dropout.forward(np.ones((1, 6)), training=True)          # survivors scaled by 1 / (1 - 0.5)
    array([[2., 2., 2., 0., 0., 0.]])
    >>> dropout.forward(np.ones((1, 6)))                          # at test time: nothing changes
    array([[1., 1., 1., 1., 1., 1.]])
    """

    def __init__(self, p=0.5, *, rng=None):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
            raise ValueError(f"p must be a probability in [0, 1), got {p!r}")
        self.p = float(p)
        self.rng = as_rng(rng)

    def forward(self, x, training=False):
        """With ``training=True``, x times a fresh random mask of 0 and 1 / (1 - p); otherwise x itself.

        Inputs:   x  any batch, N x ...;  training  bool
        Returns:  an array of x's shape (x itself when not training).

        >>> Dropout(0.25, rng=1).forward(np.ones((2, 4)), training=True).round(3)
        array([[1.333, 1.333, 1.333, 1.333],
               [0.   , 0.   , 1.333, 1.333]])
        """
        x = self._input(x)
        if not training or self.p == 0:
            self._mask = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
        self._mask = keep.astype(x.dtype) / x.dtype.type(1 - self.p)
        return x * self._mask

    def backward(self, grad_out):
        """The gradient through the same mask: dropped units pass none, survivors 1 / (1 - p) times it.

        Inputs:   grad_out  the shape of the last forward's output
        Returns:  dL/dx, the same shape.

        >>> dropout = Dropout(0.5, rng=0)
        >>> out = dropout.forward(np.ones((1, 6)), training=True)
        >>> dropout.backward(np.ones((1, 6)))
        array([[2., 2., 2., 0., 0., 0.]])
        """
        mask = getattr(self, "_mask", None)
        return grad_out if mask is None else grad_out * mask

    def __repr__(self):
        return f"Dropout(p={self.p:g})"
