"""Shape arithmetic for convolution and pooling (taught in notebook 04).

All padding in cnnlib is *per side*: a padding of 1 adds one row on the top and one on the bottom.
"""

import numpy as np

from ._checks import as_nonnegative_int, as_positive_int

def output_size(n, kernel, padding=0, stride=1, dilation=1, *, exact=False):
    """Output length of a convolution or pooling along one axis.

        out = floor((n + 2p - d(k - 1) - 1) / s) + 1

    With dilation 1 this is the notes' W_O = (W_I - F + 2P)/S + 1. ``n`` is the input size,
    ``kernel`` the filter size F, ``padding`` P per side, ``stride`` S, ``dilation`` d.
    Every framework floors a division that is not exact; with ``exact=True`` that raises a
    ValueError showing the arithmetic instead.

    Inputs:   n         W_I, the input size along the axis (int >= 1)
              kernel    F >= 1;  padding  P >= 0 per side;  stride  S >= 1;  dilation  d >= 1
              exact     bool: raise instead of flooring a division that is not whole
    Returns:  W_O (int >= 1); ValueError if the (dilated) kernel is larger than the padded input.

    >>> output_size(227, 11, padding=0, stride=4)   # AlexNet conv1
    55
    """
    n = as_positive_int(n, "n")
    kernel = as_positive_int(kernel, "kernel")
    padding = as_nonnegative_int(padding, "padding")
    stride = as_positive_int(stride, "stride")
    dilation = as_positive_int(dilation, "dilation")
    span = dilation * (kernel - 1) + 1
    padded = n + 2 * padding
    if span > padded:
        raise ValueError(
            f"kernel {kernel}" + (f" (dilated span {span})" if dilation > 1 else "")
            + f" is larger than the padded input {padded} (n={n} + 2*padding={padding})"
        )
    numerator = padded - span
    if exact and numerator % stride:
        raise ValueError(
            f"stride {stride} does not fit: (n + 2p - d(k-1) - 1)/s = ({n} + 2*{padding} - "
            f"{dilation}*({kernel}-1) - 1)/{stride} = {numerator}/{stride} = {numerator / stride:g}, "
            f"not a whole number; the last {numerator % stride} row(s)/column(s) would be skipped"
        )
    return numerator // stride + 1

def effective_kernel_size(kernel, dilation=1):
    """The span a dilated kernel covers: F' = F + (F - 1)(d - 1); d = 1 is an ordinary kernel.

    Inputs:   kernel  F >= 1;  dilation  d >= 1
    Returns:  F' (int). Notebook 04 introduces dilation with it.

    >>> effective_kernel_size(3, dilation=2)      # 3 taps with one gap between each
    5
    """
    kernel = as_positive_int(kernel, "kernel")
    dilation = as_positive_int(dilation, "dilation")
    return kernel + (kernel - 1) * (dilation - 1)


def grid_layout(n, kernel, padding=0, stride=1, dilation=1):
    """Where the windows of a convolution or pooling fall along one axis, as numbers
    (notebook 04 draws them as a grid).

    Inputs:   n, kernel, padding, stride, dilation  as for :func:`output_size`
    Returns:  a dict: ``padded`` (n + 2P), ``span`` (effective kernel size), ``output`` (W_O, or
              None when the kernel does not fit), ``starts`` (first padded index of every window,
              an int array), ``reached`` (one past the last padded index any window covers),
              ``skipped`` (padded cells after that, left out by the floor), ``exact`` (the
              division came out whole) and ``error`` (the reason there is no output, else "").

    >>> layout = grid_layout(227, 11, stride=4)    # AlexNet conv1
    >>> layout["output"], layout["skipped"], layout["exact"]
    (55, 0, True)
    """
    n = as_positive_int(n, "n")
    kernel = as_positive_int(kernel, "kernel")
    padding = as_nonnegative_int(padding, "padding")
    stride = as_positive_int(stride, "stride")
    dilation = as_positive_int(dilation, "dilation")
    padded = n + 2 * padding
    span = effective_kernel_size(kernel, dilation)
    layout = {"padded": padded, "span": span, "output": None, "starts": np.array([], dtype=int),
              "reached": 0, "skipped": 0, "exact": False, "error": ""}
    if span > padded:
        try:
            output_size(n, kernel, padding, stride, dilation)
        except ValueError as error:  # the arguments are checked above, so only "kernel too large" is left
            layout["error"] = str(error)
        return layout
    out = output_size(n, kernel, padding, stride, dilation)
    starts = stride * np.arange(out)
    reached = int(starts[-1]) + span
    layout.update(output=out, starts=starts, reached=reached, skipped=padded - reached,
                  exact=(padded - span) % stride == 0)
    return layout


def stride_fit(n, kernel, padding=0, stride=1, dilation=1, *, axis="column"):
    """``None`` when the windows tile the padded input exactly, else one sentence saying why not.

    The windows reach the end of the padded input exactly when (n + 2p - F') is a multiple of
    the stride (F' the effective kernel size); otherwise the floor in :func:`output_size` drops
    the last few rows or columns. ``axis`` names what is dropped ("row", "column", ...).

    Inputs:   n, kernel, padding, stride, dilation  as for :func:`output_size`
    Returns:  None, or a str with the numbers filled in.

    >>> stride_fit(227, 11, stride=4) is None      # AlexNet conv1: (227 - 11)/4 = 54 exactly
    True
    >>> stride_fit(7, 3, stride=3)
    'the last 1 column of the padded input is never covered: (7 + 2*0 - 3) = 4 is not a multiple of stride 3, so the output has floor(4/3) + 1 = 2 columns'
    """
    layout = grid_layout(n, kernel, padding, stride, dilation)
    span, padded = layout["span"], layout["padded"]
    dilated = f" (kernel {kernel} at dilation {dilation} spans {span})" if dilation > 1 else ""
    if layout["output"] is None:
        size = f"kernel {kernel} at dilation {dilation} (span {span})" if dilation > 1 else f"kernel {kernel}"
        return (f"the {size} does not fit: it is larger than the padded input "
                f"{n} + 2*{padding} = {padded}, so there is no position for it and no output")
    if layout["exact"]:
        return None
    skipped, travel = layout["skipped"], padded - span
    lost = f"1 {axis} of the padded input is" if skipped == 1 else f"{skipped} {axis}s of the padded input are"
    return (f"the last {lost} never covered: ({n} + 2*{padding} - {span}) = {travel} is not a "
            f"multiple of stride {stride}{dilated}, so the output has floor({travel}/{stride}) + 1 = "
            f"{layout['output']} {axis}s")


def same_padding(kernel, dilation=1):
    """Per-side padding that keeps the size unchanged at stride 1: d(k - 1)/2.

    Only odd effective kernel sizes can be padded symmetrically; an even one raises.

    Inputs:   kernel  F >= 1;  dilation  d >= 1
    Returns:  P (int), the padding per side, so that output_size(n, F, P, dilation=d) == n.

    >>> same_padding(5)              # LeNet's 5x5 filters keep a 32x32 image 32x32 with 2 per side
    2
    """
    kernel = as_positive_int(kernel, "kernel")
    dilation = as_positive_int(dilation, "dilation")
    span = dilation * (kernel - 1)
    if span % 2:
        raise ValueError(
            f"kernel {kernel} with dilation {dilation} has an even span {span + 1}: 'same' padding "
            "would need a different amount on each side; use an odd kernel size"
        )
    return span // 2

def conv_output_shape(input_shape, kernel, *, filters, padding=0, stride=1, dilation=1):
    """Shape of a conv layer's output, channels first like the rest of cnnlib (taught in notebook 04).

        (C, H, W) -> (K, H_O, W_O),   H_O = output_size(H, ...), W_O = output_size(W, ...), K = filters

    ``input_shape`` is C x H x W (the lecture notes write the same volume W x H x D); the input
    depth C only sets each filter's depth and never shows in the output, whose depth is the number
    of filters (the notes' D_O = K). ``kernel``, ``padding``, ``stride`` and ``dilation`` as for
    :func:`output_size`.

    Inputs:   input_shape  (C, H, W) tuple of ints;  kernel  F (square filters)
              filters      K, the number of filters
              padding, stride, dilation  as for :func:`output_size`
    Returns:  (K, H_O, W_O) tuple of ints.

    >>> conv_output_shape((3, 227, 227), 11, filters=96, stride=4)   # AlexNet conv1
    (96, 55, 55)
    """
    if len(tuple(input_shape)) != 3:
        raise ValueError(f"input_shape must be (C, H, W), channels first, got {tuple(input_shape)!r}")
    c, h, w = input_shape
    as_positive_int(c, "input_shape channels")
    return (as_positive_int(filters, "filters"),
            output_size(h, kernel, padding, stride, dilation),
            output_size(w, kernel, padding, stride, dilation))

def conv_parameter_count(kernel, in_channels, out_channels, *, bias=True):
    """Parameters of a conv layer of K filters, each F x F x D: K x F x F x D weights (+ K biases).

    ``kernel`` is F (the filter's spatial size), ``in_channels`` the input depth D (every filter
    spans it), ``out_channels`` the number of filters K. Notebooks 03 and 04 use these letters.

    Inputs:   kernel  F;  in_channels  D;  out_channels  K (ints >= 1);  bias  bool
    Returns:  the number of parameters (int).

    >>> conv_parameter_count(5, 3, 6)        # six 5x5x3 filters: 6 * 75 weights + 6 biases
    456
    """
    f = as_positive_int(kernel, "kernel")
    d = as_positive_int(in_channels, "in_channels")
    k = as_positive_int(out_channels, "out_channels")
    return k * f * f * d + (k if bias else 0)

def dense_parameter_count(in_features, out_features, *, bias=True):
    """Weights of a fully connected layer: out x in (+ out biases).

    Inputs:   in_features, out_features  ints >= 1;  bias  bool
    Returns:  the number of parameters (int).

    >>> dense_parameter_count(400, 120)          # LeNet-5's fc1: 120 x 400 weights + 120 biases
    48120
    >>> convs = conv_parameter_count(5, 1, 6) + conv_parameter_count(5, 6, 16)      # 156 + 2,416
    >>> convs + dense_parameter_count(400, 120) + dense_parameter_count(120, 84) + dense_parameter_count(84, 10)
    61706
    """
    i = as_positive_int(in_features, "in_features")
    o = as_positive_int(out_features, "out_features")
    return o * i + (o if bias else 0)

def receptive_field(layers):
    """Receptive field size of one output unit after a stack of (kernel, stride) layers.

    r_L = r_{L-1} + (k_L - 1) * prod(strides before L), starting from r_0 = 1.

    Inputs:   layers  a sequence of (kernel, stride) int pairs, the first layer first
    Returns:  r_L (int), the side of the square of input pixels one output unit sees.

    >>> receptive_field([(3, 1)] * 3)     # three stacked 3x3 convs see as far as one 7x7
    7
    """
    field, jump = 1, 1
    for i, (k, s) in enumerate(layers):
        k = as_positive_int(k, f"layers[{i}] kernel")
        s = as_positive_int(s, f"layers[{i}] stride")
        field += (k - 1) * jump
        jump *= s
    return field

__all__ = ["output_size", "effective_kernel_size", "grid_layout", "stride_fit", "same_padding", "conv_output_shape", "conv_parameter_count",
           "dense_parameter_count", "receptive_field"]
