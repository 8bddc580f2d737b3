"""The pooling layers, MaxPool2D and AvgPool2D: the functions of :mod:`cnnlib.pooling` as layers."""
import numpy as np

from .._checks import as_pair, as_positive_int
from ..pooling import avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward
from ..shapes import output_size
from .base import Layer, _shape_text

__all__ = ["MaxPool2D", "AvgPool2D"]


class _Pool2D(Layer):
    """Shared shape logic of the pooling layers: a size x size window moved by ``stride``."""

    def __init__(self, size=2, stride=None):
        super().__init__()
        self.size = as_pair(size, "size", as_positive_int)
        self.stride = self.size if stride is None else as_pair(stride, "stride", as_positive_int)

    def output_shape(self, input_shape):
        """C x H_O x W_O for a C x H x W input: pooling keeps the channels and shrinks each map.

        Inputs:   input_shape  (C, H, W), per sample
        Returns:  (C, H_O, W_O), H_O = floor((H - size) / stride) + 1, likewise W_O.

        >>> MaxPool2D(2).output_shape((6, 28, 28)), AvgPool2D(3, stride=2).output_shape((1, 7, 7))
        ((6, 14, 14), (1, 3, 3))
        """
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(f"{self!r} expects input of shape (N, C, H, W), got {_shape_text(input_shape)}")
        try:
            sizes = [output_size(n, k, 0, s) for n, k, s in zip(input_shape[1:], self.size, self.stride)]
        except ValueError as err:
            raise ValueError(f"{self!r} got input {_shape_text(input_shape)}: {err}") from err
        return (input_shape[0], *sizes)

    def __repr__(self):
        def short(pair):
            return pair[0] if pair[0] == pair[1] else pair
        stride = "" if self.stride == self.size else f", stride={short(self.stride)}"
        return f"{type(self).__name__}({short(self.size)}{stride})"


class MaxPool2D(_Pool2D):
    """Max pooling: out[n, c, i, j] = max of the window at (i*s, j*s); no parameters.

    Input N x C x H x W, output N x C x H_O x W_O. Forward is :func:`cnnlib.pooling.max_pool2d`
    and keeps the input; backward, :func:`cnnlib.pooling.max_pool2d_backward`, routes each
    output's gradient to the element that won its window (the first one on ties); windows that
    overlap (size 3, stride 2) add their contributions.

    Inputs:   size  the window, int or (rows, cols);  stride  int or (rows, cols), default: size
    Returns:  a layer from N x C x H x W to N x C x H_O x W_O.

    >>> MaxPool2D(2).forward(np.zeros((2, 6, 28, 28))).shape
    (2, 6, 14, 14)
    """

    def forward(self, x, training=False):
        """The largest value of each window, by :func:`cnnlib.pooling.max_pool2d`; keeps x.

        Inputs:   x  N x C x H x W;  training  unused
        Returns:  N x C x H_O x W_O.

        >>> MaxPool2D(2).forward(np.arange(16.0).reshape(1, 1, 4, 4))
        array([[[[ 5.,  7.],
                 [13., 15.]]]])
        """
        x = self._input(x)
        self._x = x
        return max_pool2d(x, self.size, self.stride)

    def backward(self, grad_out):
        """Each window's gradient goes to its largest element, by :func:`cnnlib.pooling.max_pool2d_backward`.

        Inputs:   grad_out  N x C x H_O x W_O
        Returns:  dL/dx, N x C x H x W: zero except at each window's maximum.

        >>> pool = MaxPool2D(2)
        >>> out = pool.forward(np.arange(16.0).reshape(1, 1, 4, 4))
        >>> pool.backward(np.ones((1, 1, 2, 2)))[0, 0]
        array([[0., 0., 0., 0.],
               [0., 1., 0., 1.],
               [0., 0., 0., 0.],
               [0., 1., 0., 1.]])
        """
        return max_pool2d_backward(grad_out, self._cached("_x"), self.size, self.stride)


class AvgPool2D(_Pool2D):
    """Average pooling: out = mean of each window; each input gets grad / (kh*kw) from every
    window that contains it. Forward is :func:`cnnlib.pooling.avg_pool2d`, backward
    :func:`cnnlib.pooling.avg_pool2d_backward`.

    Inputs:   size  the window, int or (rows, cols);  stride  int or (rows, cols), default: size
    Returns:  a layer from N x C x H x W to N x C x H_O x W_O.

    >>> AvgPool2D(4).forward(np.ones((2, 64, 4, 4))).shape       # a global average: 1 x 1 per map
    (2, 64, 1, 1)
    """

    def forward(self, x, training=False):
        """The mean of each window, by :func:`cnnlib.pooling.avg_pool2d`; keeps x's shape.

        Inputs:   x  N x C x H x W;  training  unused
        Returns:  N x C x H_O x W_O.

        >>> AvgPool2D(2).forward(np.arange(16.0).reshape(1, 1, 4, 4))
        array([[[[ 2.5,  4.5],
                 [10.5, 12.5]]]])
        """
        x = self._input(x)
        self._input_shape = x.shape
        return avg_pool2d(x, self.size, self.stride)

    def backward(self, grad_out):
        """Each window's gradient shared equally by its kh*kw inputs, by
        :func:`cnnlib.pooling.avg_pool2d_backward`.

        Inputs:   grad_out  N x C x H_O x W_O
        Returns:  dL/dx, N x C x H x W.

        >>> pool = AvgPool2D(2)
        >>> out = pool.forward(np.zeros((1, 1, 2, 4)))
        >>> pool.backward(np.array([[[[4.0, 8.0]]]]))[0, 0]
        array([[1., 1., 2., 2.],
               [1., 1., 2., 2.]])
        """
        # Only x's shape matters to the gradient of a mean; a zero array of that shape costs nothing.
        input_shape = self._cached("_input_shape")
        return avg_pool2d_backward(grad_out, np.broadcast_to(np.zeros((), grad_out.dtype), input_shape),
                                   self.size, self.stride)
