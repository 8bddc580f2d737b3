"""Ready-made networks: LeNet-5 (notebook 10) and a small residual network (notebook 12)."""

from .._checks import as_positive_int, as_rng
from ..shapes import output_size
from .activation_layers import ReLU, Sigmoid, Tanh
from .batchnorm import BatchNorm2D
from .containers import Sequential
from .layers import Conv2D, Dense, Flatten
from .pooling_layers import AvgPool2D, MaxPool2D
from .residual import BiasFreeConv2D, ResidualBlock

__all__ = ["lenet5", "small_resnet"]


def lenet5(activation="relu", pool="max", num_classes=10, rng=0):
    """LeNet-5 as in the notes (seed 004), with conv biases: 61,706 parameters.

    Input N x 1 x 32 x 32. MNIST digits are 28 x 28: pad 2 zeros on every side, as LeCun et al.
    did, so a stroke near the border still reaches the centre of a 5 x 5 field:
    ``np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))``, or ``cnnlib.data.load_mnist(pad_to=32)``.
    ``activation``: 'relu' (He init) or 'tanh'/'sigmoid' (Glorot init); ``pool``: 'max' or 'avg'
    (the 1998 paper's subsampling is closest to 'avg' with 'tanh'). The output layer gives
    ``num_classes`` scores (logits); the loss applies the softmax. Its weights start small
    (std 0.01), so every class starts near probability 1/C and the first loss near log(C).
    ``rng`` (an int seed, a numpy Generator or None) fixes the weights.

    Inputs:   activation   'relu', 'tanh' or 'sigmoid'
              pool         'max' or 'avg'
              num_classes  C, the number of scores (10 digits)
              rng          an int seed, a numpy Generator or None
              a forward pass takes N x 1 x 32 x 32.
    Returns:  a :class:`Sequential` (N x 10 logits; N x num_classes in general).

    >>> model = lenet5()
    >>> sum(p.size for _, p in model.named_parameters())
    61706
    >>> model.forward(np.zeros((2, 1, 32, 32), np.float32)).shape
    (2, 10)
    """
    kinds = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}
    pools = {"max": MaxPool2D, "avg": AvgPool2D}
    if activation not in kinds:
        raise ValueError(f"activation must be one of {', '.join(kinds)}, got {activation!r}")
    if pool not in pools:
        raise ValueError(f"pool must be 'max' or 'avg', got {pool!r}")
    num_classes = as_positive_int(num_classes, "num_classes")
    act, pool_layer = kinds[activation], pools[pool]
    init = "he" if activation == "relu" else "glorot"
    rng = as_rng(rng)
    return Sequential(
        Conv2D(1, 6, 5, init=init, rng=rng),              # 6 x 28 x 28
        act(),
        pool_layer(2),                                     # 6 x 14 x 14
        Conv2D(6, 16, 5, init=init, rng=rng),             # 16 x 10 x 10
        act(),
        pool_layer(2),                                     # 16 x 5 x 5
        Flatten(),                                         # 400
        Dense(400, 120, init=init, rng=rng),              # 120
        act(),
        Dense(120, 84, init=init, rng=rng),               # 84
        act(),
        Dense(84, num_classes, init=0.01, rng=rng),       # 10 scores, small at first: loss ~ log(10)
        input_shape=(1, 32, 32),
    )


def small_resnet(num_classes=10, *, input_size=28, rng=0):
    """A small residual network for 1 x 28 x 28 (or 1 x 32 x 32) digits: 73,082 parameters.

        conv 3x3/2, 16 filters, no bias + BN + ReLU     16 x 14 x 14   (16 x 16 x 16 on 32 x 32)
        ResidualBlock(16, 32, stride=2)                 32 x 7 x 7     (32 x 8 x 8)
        ResidualBlock(32, 64, stride=2)                 64 x 4 x 4
        global average pool, Dense(64, num_classes)     10 scores

    Both blocks change the shape, so both shortcuts are 1 x 1 projections. About 1.6 million
    multiply-adds per 28 x 28 image, four times LeNet-5's 416,520: small enough to train in numpy.
    ``rng`` (a seed or Generator) fixes the weights.

    Inputs:   num_classes  C, the number of scores (10 digits)
              input_size   the side of the square input, e.g. 28 or 32
              rng          an int seed, a numpy Generator or None
    Returns:  a :class:`Sequential` taking N x 1 x input_size x input_size, giving N x num_classes logits.

    >>> model = small_resnet()
    >>> sum(p.size for _, p in model.named_parameters())
    73082
    >>> model.forward(np.zeros((2, 1, 28, 28), np.float32)).shape
    (2, 10)
    """
    num_classes = as_positive_int(num_classes, "num_classes")
    input_size = as_positive_int(input_size, "input_size")
    rng = as_rng(rng)
    size = output_size(input_size, 3, 1, 2)
    for _ in range(2):                                     # each block halves the size again
        size = output_size(size, 3, 1, 2)
    return Sequential(
        BiasFreeConv2D(1, 16, 3, stride=2, padding=1, rng=rng),
        BatchNorm2D(16),
        ReLU(),
        ResidualBlock(16, 32, stride=2, rng=rng),
        ResidualBlock(32, 64, stride=2, rng=rng),
        AvgPool2D(size),                                   # global average: one number per channel
        Flatten(),
        Dense(64, num_classes, init=0.01, rng=rng),
        input_shape=(1, input_size, input_size),
    )
