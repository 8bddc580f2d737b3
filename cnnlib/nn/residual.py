"""Residual blocks (notebook 12): ResidualBlock, and the bias-free convolution it is built from."""
import numpy as np

from .._checks import as_positive_int, as_rng
from .activation_layers import ReLU
from .base import Layer, _float_dtype, _shape_text
from .batchnorm import BatchNorm2D
from .containers import Sequential
from .layers import Conv2D

__all__ = ["BiasFreeConv2D", "ResidualBlock"]


class BiasFreeConv2D(Conv2D):
    """A :class:`~cnnlib.nn.Conv2D` without a learnable bias, for a convolution followed by batch norm.

    Batch norm subtracts each channel's mean, so a bias before it cancels out: its gradient is
    exactly 0 and it would never learn. As in ResNet, such convolutions have weights only; the
    bias stays a fixed zero and is not a parameter (the optimiser and summary do not see it).

    Inputs:   as for Conv2D: in_channels, out_channels, kernel_size, stride, padding, init, rng, dtype
    Returns:  a layer from N x C x H x W to N x K x H_O x W_O with one parameter, "weight".

    >>> conv = BiasFreeConv2D(16, 32, 3, padding=1)
    >>> conv, [name for name, _ in conv.named_parameters()]
    (BiasFreeConv2D(16, 32, kernel_size=3, padding=1), ['weight'])
    """

    def named_parameters(self):
        """The weights alone: the bias is a fixed zero, not a parameter.

        Inputs:   none
        Returns:  [("weight", K x C x kh x kw)].

        >>> [(name, p.shape) for name, p in BiasFreeConv2D(1, 16, 3).named_parameters()]
        [('weight', (16, 1, 3, 3))]
        """
        return [("weight", self.params["weight"])]

    def named_gradients(self):
        """dL/dW alone, as :meth:`named_parameters`.

        Inputs:   none
        Returns:  [("weight", K x C x kh x kw)], from the last backward.

        >>> [(name, g.shape) for name, g in BiasFreeConv2D(1, 16, 3).named_gradients()]
        [('weight', (16, 1, 3, 3))]
        """
        return [("weight", self.grads["weight"])]

    def __repr__(self):
        return "BiasFree" + super().__repr__()


class ResidualBlock(Layer):
    """A ResNet basic block (He et al., 2016): two 3 x 3 convolutions and a shortcut.

        main(x)     = BN(conv3x3(ReLU(BN(conv3x3(x, stride)))))
        shortcut(x) = x                       when in_channels == out_channels and stride == 1
                    = BN(conv1x1(x, stride))  otherwise (a projection, so the shapes match)
        out         = ReLU(main(x) + shortcut(x))

    Input N x in_channels x H x W; output N x out_channels x H_O x W_O, H_O = floor((H - 1) / stride) + 1
    (padding 1 keeps 3 x 3 convolutions at size). The convolutions have no bias
    (:class:`BiasFreeConv2D`): batch norm follows each. Backward: the gradient at the sum goes
    both ways unchanged, so dL/dx = main.backward(g) + g (or + shortcut.backward(g)): the
    identity path hands every block's gradient straight to the block below.

    Inputs:   in_channels, out_channels (default: in_channels)  ints;  stride  int;
              rng  a seed or Generator for the He-initialised weights;  dtype  a floating type
    Returns:  a layer from N x in_channels x H x W to N x out_channels x H_O x W_O.

    >>> block = ResidualBlock(16, 32, stride=2, rng=0)
    >>> block, block.shortcut is not None          # a new shape needs a projection shortcut
    (ResidualBlock(16, 32, stride=2), True)
    >>> block.forward(np.zeros((2, 16, 14, 14), np.float32)).shape
    (2, 32, 7, 7)
    """

    def __init__(self, in_channels, out_channels=None, *, stride=1, rng=None, dtype=np.float32):
        super().__init__()
        in_channels = as_positive_int(in_channels, "in_channels")
        out_channels = in_channels if out_channels is None else as_positive_int(out_channels, "out_channels")
        dtype = _float_dtype(dtype)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.stride = as_positive_int(stride, "stride")
        rng = as_rng(rng)
        self.main = Sequential(
            BiasFreeConv2D(in_channels, out_channels, 3, self.stride, 1, rng=rng, dtype=dtype),
            BatchNorm2D(out_channels, dtype=dtype),
            ReLU(),
            BiasFreeConv2D(out_channels, out_channels, 3, 1, 1, rng=rng, dtype=dtype),
            BatchNorm2D(out_channels, dtype=dtype),
        )
        self.shortcut = None
        if in_channels != out_channels or self.stride != 1:
            self.shortcut = Sequential(BiasFreeConv2D(in_channels, out_channels, 1, self.stride, rng=rng, dtype=dtype),
                                       BatchNorm2D(out_channels, dtype=dtype))
        self.relu = ReLU()

    def output_shape(self, input_shape):
        """out_channels x H_O x W_O for an in_channels x H x W input.

        Inputs:   input_shape  (in_channels, H, W), per sample
        Returns:  (out_channels, H_O, W_O), H_O = floor((H - 1) / stride) + 1.

        >>> ResidualBlock(16, 32, stride=2).output_shape((16, 14, 14)), ResidualBlock(8).output_shape((8, 5, 5))
        ((32, 7, 7), (8, 5, 5))
        """
        input_shape = tuple(input_shape)
        if len(input_shape) != 3 or input_shape[0] != self.in_channels:
            raise ValueError(f"{self!r} expects input of shape (N, {self.in_channels}, H, W), "
                             f"got {_shape_text(input_shape)}")
        return self.main.output_shape(input_shape)

    def _parts(self):
        return [("main", self.main)] + ([("shortcut", self.shortcut)] if self.shortcut is not None else [])

    def forward(self, x, training=False):
        """ReLU(main(x) + shortcut(x)), the shortcut being x itself or a 1 x 1 projection.

        Inputs:   x  N x in_channels x H x W;  training  bool (for the batch norms)
        Returns:  N x out_channels x H_O x W_O.

        >>> block = ResidualBlock(2, rng=0)
        >>> x = np.ones((1, 2, 3, 3), np.float32)
        >>> bool(np.array_equal(block.forward(x), np.maximum(block.main.forward(x) + x, 0)))
        True
        """
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(self.main[0].params["weight"].dtype)
        self.output_shape(x.shape[1:])
        residual = self.main.forward(x, training)
        shortcut = x if self.shortcut is None else self.shortcut.forward(x, training)
        return self.relu.forward(residual + shortcut)

    def backward(self, grad_out):
        """dL/dx = main.backward(g) + g (or + shortcut.backward(g)), g the gradient through the
        final ReLU: the sum hands g to both paths unchanged.

        Inputs:   grad_out  N x out_channels x H_O x W_O
        Returns:  dL/dx, N x in_channels x H x W; the convolutions' and batch norms' grads set.

        >>> block = ResidualBlock(16, 32, stride=2, rng=0)
        >>> out = block.forward(np.ones((2, 16, 8, 8), np.float32), training=True)
        >>> block.backward(np.ones_like(out)).shape
        (2, 16, 8, 8)
        """
        grad_sum = self.relu.backward(grad_out)          # d(out)/d(sum) is ReLU's; the sum copies it to both
        grad_main = self.main.backward(grad_sum)
        grad_short = grad_sum if self.shortcut is None else self.shortcut.backward(grad_sum)
        return grad_main + grad_short

    def named_parameters(self):
        """The parameters of both paths, named "main.<index>.<name>" and "shortcut.<index>.<name>".

        Inputs:   none
        Returns:  a list of (str, array) pairs.

        >>> [name for name, _ in ResidualBlock(8).named_parameters()][:3]
        ['main.0.weight', 'main.1.weight', 'main.1.bias']
        """
        return [(f"{part}.{name}", p) for part, seq in self._parts() for name, p in seq.named_parameters()]

    def named_gradients(self):
        """The gradients of both paths, named as :meth:`named_parameters`.

        Inputs:   none
        Returns:  a list of (str, array) pairs.

        >>> len(ResidualBlock(8, 16).named_gradients())      # 3 convolutions + 3 batch norms x 2
        9
        """
        return [(f"{part}.{name}", g) for part, seq in self._parts() for name, g in seq.named_gradients()]

    def named_buffers(self):
        """The batch norms' running statistics, named "main.1.running_mean" and so on.

        Inputs:   none
        Returns:  a list of (str, array) pairs, two per batch norm.

        >>> [name for name, _ in ResidualBlock(8).named_buffers()]
        ['main.1.running_mean', 'main.1.running_var', 'main.4.running_mean', 'main.4.running_var']
        """
        return [(f"{part}.{name}", b) for part, seq in self._parts() for name, b in seq.named_buffers()]

    def astype(self, dtype):
        """Every part converted to ``dtype`` in place (an integer dtype refused first).

        Inputs:   dtype  a floating-point type
        Returns:  the block itself.

        >>> ResidualBlock(4).astype(np.float64).main[0].params["weight"].dtype
        dtype('float64')
        """
        dtype = _float_dtype(dtype)
        for _, seq in self._parts():
            seq.astype(dtype)
        return self

    def __repr__(self):
        extra = (f", {self.out_channels}" if self.out_channels != self.in_channels else "") + \
                (f", stride={self.stride}" if self.stride != 1 else "")
        return f"ResidualBlock({self.in_channels}{extra})"
