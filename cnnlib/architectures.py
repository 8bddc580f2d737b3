"""The networks that followed LeNet-5, as shape tables computed with cnnlib's arithmetic (notebook 12).

Each function returns an :class:`ArchitectureTable`: one row per layer (or residual block) with
its output shape (C x H x W, from :func:`cnnlib.shapes.output_size`), its parameters, its
multiply-adds per image and the receptive field of one of its output units (from
:func:`cnnlib.shapes.receptive_field`), and the totals. ``print(table)`` shows it.

    alexnet()             torchvision's AlexNet: 224 x 224 input, 64/192/384/256/256 filters,
                          no grouped convolutions: 61,100,840 parameters
    alexnet("paper")      Krizhevsky et al. (2012): 227 x 227 input, 96/256/384/384/256 filters,
                          conv2, conv4 and conv5 split in two groups (one per GPU): 60,965,224
    vgg16()               Simonyan & Zisserman (2015), configuration D: 138,357,544
    resnet18()            He et al. (2016), as in torchvision: 11,689,512 (batch-norm scale and
                          shift included; running means and variances are not parameters)
    lenet5_table()        LeNet-5 as in cnnlib.nn.lenet5: 61,706

Counting rules. A convolution with K filters of k x k over C input channels in g groups has
K * (C/g) * k * k weights (+ K biases) and does K * (C/g) * k * k multiply-adds per output
position; a fully connected layer n -> m has n * m weights (+ m biases) and n * m multiply-adds;
a batch norm has 2 parameters per channel. Pooling, ReLU, batch norm and the residual additions
count no multiply-adds (batch norm folds into the convolution before it at inference). The depth
is the number of layers with weights on the longest path (ResNet's 1 x 1 projections are beside it).
"""
from .shapes import output_size, receptive_field

__all__ = ["ArchitectureTable", "alexnet", "vgg16", "resnet18", "lenet5_table", "multiply_adds", "ARCHITECTURES"]


class ArchitectureTable:
    """A network's layers as rows; ``str()`` is a plain-text table of integers.

    ``rows``: dicts with keys layer, output_shape (C, H, W) or (F,), params, macs (multiply-adds
    per image), receptive_field (in input pixels), depth (layers with weights on the main path).
    ``total_params``, ``total_macs``, ``depth``, ``input_shape``, ``name``.
    """

    def __init__(self, name, input_shape, rows):
        self.name, self.input_shape, self.rows = name, tuple(input_shape), rows
        self.total_params = sum(row["params"] for row in rows)
        self.total_macs = sum(row["macs"] for row in rows)
        self.depth = sum(row["depth"] for row in rows)

    def row(self, layer):
        """The row whose layer name is ``layer``."""
        for row in self.rows:
            if row["layer"] == layer:
                return row
        raise KeyError(f"{self.name} has no layer {layer!r}; it has {[r['layer'] for r in self.rows]}")

    def _cells(self):
        header = ("layer", "output", "parameters", "multiply-adds", "receptive field")
        body = [("input", " x ".join(map(str, self.input_shape)), "", "", "")]
        for row in self.rows:
            body.append((row["layer"], " x ".join(map(str, row["output_shape"])), f"{row['params']:,}",
                         f"{row['macs']:,}", str(row["receptive_field"])))
        footer = (f"total ({self.depth} layers with weights)", "", f"{self.total_params:,}",
                  f"{self.total_macs:,}", "")
        return header, body, footer

    def __str__(self):
        header, body, footer = self._cells()
        widths = [max(len(r[i]) for r in (header, *body, footer)) for i in range(len(header))]

        def line(cells):
            return "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

        rule = "-" * len(line(header))
        return "\n".join([self.name, line(header), rule, *map(line, body), rule, line(footer)])

    __repr__ = __str__


class _Builder:
    """Walks a network layer by layer, keeping the shape and the (kernel, stride) path for the
    receptive field, and writes one row per layer."""

    def __init__(self, name, input_shape):
        self.name, self.input_shape = name, tuple(input_shape)
        self.shape = tuple(input_shape)
        self.path = []                           # (kernel, stride) of every layer so far
        self.rows = []

    def _add(self, layer, params, macs, depth):
        self.rows.append({"layer": layer, "output_shape": self.shape, "params": params, "macs": macs,
                          "receptive_field": receptive_field(self.path) if self.path else 1, "depth": depth})

    def _conv_shape(self, channels, kernel, stride, padding):
        _, h, w = self.shape
        out = (channels, output_size(h, kernel, padding, stride), output_size(w, kernel, padding, stride))
        self.path.append((kernel, stride))
        return out

    def conv(self, layer, channels, kernel, stride=1, padding=0, *, groups=1, bias=True, bn=False):
        c = self.shape[0]
        if c % groups or channels % groups:
            raise ValueError(f"{layer}: {c} input and {channels} output channels do not split into {groups} groups")
        weights = channels * (c // groups) * kernel * kernel
        self.shape = self._conv_shape(channels, kernel, stride, padding)
        params = weights + (channels if bias else 0) + (2 * channels if bn else 0)
        self._add(layer, params, weights * self.shape[1] * self.shape[2], 1)

    def pool(self, layer, kernel, stride, padding=0):
        self.shape = self._conv_shape(self.shape[0], kernel, stride, padding)
        self._add(layer, 0, 0, 0)

    def adaptive_avg_pool(self, layer, size):
        """PyTorch's AdaptiveAvgPool2d: the identity when the map already has that size; for size 1
        a global average (a window the size of the map)."""
        c, h, w = self.shape
        if (h, w) == (size, size):
            pass
        elif size == 1 and h == w:
            self.shape = self._conv_shape(c, h, 1, 0)
        else:
            raise ValueError(f"{layer}: only the identity or a global average is modelled, "
                             f"not {h}x{w} -> {size}x{size}")
        self._add(layer, 0, 0, 0)

    def dense(self, layer, features):
        n_in = 1
        for d in self.shape:
            n_in *= d
        if len(self.shape) == 3:                 # flatten: each unit now sees the whole map
            self.path.append((self.shape[1], 1))
        self.shape = (features,)
        self._add(layer, n_in * features + features, n_in * features, 1)

    def basic_block(self, layer, channels, stride=1):
        """A ResNet basic block: conv3x3(stride)-BN-ReLU-conv3x3-BN, plus the shortcut (identity,
        or a 1 x 1 convolution with stride and BN when the shape changes), then ReLU."""
        c, h, w = self.shape
        first = self._conv_shape(channels, 3, stride, 1)
        second = (channels, first[1], first[2])
        self.path.append((3, 1))
        positions = first[1] * first[2]
        params = channels * c * 9 + 2 * channels + channels * channels * 9 + 2 * channels
        macs = (channels * c * 9 + channels * channels * 9) * positions
        if stride != 1 or c != channels:
            params += channels * c + 2 * channels
            macs += channels * c * positions
        self.shape = second
        self._add(layer, params, macs, 2)

    def table(self):
        return ArchitectureTable(self.name, self.input_shape, self.rows)


def alexnet(variant="torchvision"):
    """AlexNet's layer table; ``variant`` "torchvision" (default) or "paper".

    The paper's Figure 2 says 224 x 224, but conv1 (11 x 11, stride 4, no padding) only gives its
    55 x 55 on 227 x 227: (227 - 11)/4 + 1 = 55, while 224 gives floor(213/4) + 1 = 54. torchvision
    keeps 224 and pads conv1 by 2: floor((224 + 4 - 11)/4) + 1 = 55. The paper split the network
    over two GPUs, so conv2, conv4 and conv5 see only the half of the channels on their own GPU
    (groups=2); torchvision's single-GPU version has no groups and 64/192/384/256/256 filters.

    Inputs:   variant  "torchvision" (input 3 x 224 x 224) or "paper" (3 x 227 x 227)
    Returns:  an :class:`ArchitectureTable` (``print`` it; ``.row(name)``, ``.total_params``, ...).

    >>> alexnet().row("conv1 11x11/4")["output_shape"]          # floor((224 + 4 - 11)/4) + 1 = 55
    (64, 55, 55)
    >>> alexnet("paper").row("conv1 11x11/4")["output_shape"]   # (227 - 11)/4 + 1 = 55
    (96, 55, 55)
    >>> alexnet().total_params, alexnet("paper").total_params
    (61100840, 60965224)
    """
    if variant == "torchvision":
        b = _Builder("AlexNet (torchvision)", (3, 224, 224))
        filters, groups, pad1 = (64, 192, 384, 256, 256), (1, 1, 1, 1, 1), 2
    elif variant == "paper":
        b = _Builder("AlexNet (Krizhevsky et al., 2012)", (3, 227, 227))
        filters, groups, pad1 = (96, 256, 384, 384, 256), (1, 2, 1, 2, 2), 0
    else:
        raise ValueError(f"variant must be 'torchvision' or 'paper', got {variant!r}")
    b.conv("conv1 11x11/4", filters[0], 11, 4, pad1, groups=groups[0])
    b.pool("maxpool 3x3/2", 3, 2)
    b.conv("conv2 5x5", filters[1], 5, 1, 2, groups=groups[1])
    b.pool("maxpool 3x3/2", 3, 2)
    b.conv("conv3 3x3", filters[2], 3, 1, 1, groups=groups[2])
    b.conv("conv4 3x3", filters[3], 3, 1, 1, groups=groups[3])
    b.conv("conv5 3x3", filters[4], 3, 1, 1, groups=groups[4])
    b.pool("maxpool 3x3/2", 3, 2)
    if variant == "torchvision":
        b.adaptive_avg_pool("avgpool to 6x6", 6)
    b.dense("fc6", 4096)
    b.dense("fc7", 4096)
    b.dense("fc8", 1000)
    return b.table()


def vgg16():
    """VGG-16 (configuration D): thirteen 3 x 3 convolutions with padding 1 in five stages of 64,
    128, 256, 512, 512 filters, each stage ending in a 2 x 2 max pool, then fc 4096, 4096, 1000
    on 512 x 7 x 7. Input 3 x 224 x 224. torchvision's adaptive average pool to 7 x 7 is the
    identity at 224 and is left out.

    Inputs:   none (the input is 3 x 224 x 224).
    Returns:  an :class:`ArchitectureTable` with one row per layer.

    >>> table = vgg16()
    >>> table.total_params, table.depth, table.row("fc6")["params"]     # fc6: 512*7*7*4096 + 4096
    (138357544, 16, 102764544)
    >>> round(table.total_params / alexnet().total_params, 1), round(table.total_macs / alexnet().total_macs)
    (2.3, 22)
    """
    b = _Builder("VGG-16", (3, 224, 224))
    for stage, (channels, convs) in enumerate(((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)), start=1):
        for i in range(1, convs + 1):
            b.conv(f"conv{stage}_{i} 3x3", channels, 3, 1, 1)
        b.pool("maxpool 2x2/2", 2, 2)
    b.dense("fc6", 4096)
    b.dense("fc7", 4096)
    b.dense("fc8", 1000)
    return b.table()


def resnet18():
    """ResNet-18 as in torchvision: conv 7 x 7/2 (64, no bias) + BN, max pool 3 x 3/2, four stages
    of two basic blocks (64, 128, 256, 512 filters; the first block of stages 2-4 halves the size
    with stride 2 and a 1 x 1 projection), global average pool, fc 512 -> 1000. One row per block.

    Inputs:   none (the input is 3 x 224 x 224).
    Returns:  an :class:`ArchitectureTable`, one row per layer or residual block.

    >>> table = resnet18()
    >>> table.total_params, table.depth          # 1 conv + 8 blocks of 2 + 1 fc = 18 layers
    (11689512, 18)
    >>> table.row("layer4.1 block")["output_shape"]
    (512, 7, 7)
    """
    b = _Builder("ResNet-18", (3, 224, 224))
    b.conv("conv1 7x7/2 + BN", 64, 7, 2, 3, bias=False, bn=True)
    b.pool("maxpool 3x3/2", 3, 2, 1)
    for stage, channels in enumerate((64, 128, 256, 512), start=1):
        for block in range(2):
            stride = 2 if stage > 1 and block == 0 else 1
            b.basic_block(f"layer{stage}.{block} block" + (" /2" if stride == 2 else ""), channels, stride)
    b.adaptive_avg_pool("global avgpool", 1)
    b.dense("fc", 1000)
    return b.table()


def lenet5_table():
    """LeNet-5 as built by :func:`cnnlib.nn.lenet5`, for comparison with its successors.

    Inputs:   none (the input is 1 x 32 x 32).
    Returns:  an :class:`ArchitectureTable` with one row per layer.

    >>> print(lenet5_table())
    LeNet-5
    layer                          output        parameters  multiply-adds  receptive field
    ---------------------------------------------------------------------------------------
    input                          1 x 32 x 32
    conv1 5x5                      6 x 28 x 28          156        117,600                5
    maxpool 2x2/2                  6 x 14 x 14            0              0                6
    conv2 5x5                      16 x 10 x 10       2,416        240,000               14
    maxpool 2x2/2                  16 x 5 x 5             0              0               16
    fc1                            120               48,120         48,000               32
    fc2                            84                10,164         10,080               32
    fc3                            10                   850            840               32
    ---------------------------------------------------------------------------------------
    total (5 layers with weights)                    61,706        416,520
    """
    b = _Builder("LeNet-5", (1, 32, 32))
    b.conv("conv1 5x5", 6, 5)
    b.pool("maxpool 2x2/2", 2, 2)
    b.conv("conv2 5x5", 16, 5)
    b.pool("maxpool 2x2/2", 2, 2)
    b.dense("fc1", 120)
    b.dense("fc2", 84)
    b.dense("fc3", 10)
    return b.table()


def multiply_adds(model, input_shape=None):
    """Multiply-adds per image of a ``cnnlib.nn`` model (convolutions and dense layers), by the
    counting rules above. ``input_shape`` per sample, e.g. (1, 28, 28); a model built with one needs none.

    Inputs:   model        a cnnlib.nn layer or model (Sequential, ResidualBlock, Conv2D, Dense, ...)
              input_shape  per sample, e.g. (1, 32, 32); None to use the model's own
    Returns:  an int: multiply-adds per image.

    >>> from cnnlib.nn import lenet5
    >>> multiply_adds(lenet5())                  # 117,600 + 240,000 + 48,000 + 10,080 + 840
    416520
    >>> from cnnlib.nn import lenet5
    >>> multiply_adds(lenet5()) == lenet5_table().total_macs
    True
    """
    from . import nn
    shape = tuple(input_shape if input_shape is not None else model.input_shape)
    if isinstance(model, nn.Sequential):
        total = 0
        for layer in model.layers:
            total += multiply_adds(layer, shape)
            shape = layer.output_shape(shape)
        return total
    if isinstance(model, nn.ResidualBlock):
        return sum(multiply_adds(part, shape) for _, part in model._parts())
    out = model.output_shape(shape)
    if isinstance(model, nn.Conv2D):
        return int(model.params["weight"].size) * out[1] * out[2]
    if isinstance(model, nn.Dense):
        return int(model.params["weight"].size)
    return 0


ARCHITECTURES = {"LeNet-5": lenet5_table, "AlexNet": alexnet, "VGG-16": vgg16, "ResNet-18": resnet18}
"""The four networks in order of publication (1998, 2012, 2014, 2015), name -> table function."""
