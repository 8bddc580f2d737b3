"""Shape arithmetic for convolution and pooling (taught in notebook 04).

All padding in cnnlib is *per side*: a padding of 1 adds one row on the top and one on the bottom.
"""

import numpy as np

from ._checks import as_nonnegative_int, as_pair, as_positive_int

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
    problem = kernel_fit(n, kernel, padding, dilation)
    if problem is not None:
        raise ValueError(problem)
    numerator = n + 2 * padding - effective_kernel_size(kernel, dilation)
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


def kernel_fit(input_size, kernel, padding=0, dilation=1, *, name="kernel"):
    """``None`` when a kernel has at least one position inside the padded input, else the one
    sentence cnnlib says when it has none (output_size, conv1d, conv2d and the explorers use it).

    Along each axis the kernel fits when its span d(F - 1) + 1 is at most n + 2P.

    Inputs:   input_size  n (int >= 1), or (H, W) for a 2D input
              kernel      F, or (kh, kw) for a 2D input;  dilation  d, or (rows, cols) for 2D
              padding     per side: an int, (rows, cols) for 2D, or (left, right) for 1D
              (an input size may be 0: nothing fits in it)
              name        what the sliding window is called ("kernel", "pooling window", ...)
    Returns:  None, or a str with the numbers filled in.

    >>> kernel_fit(28, 5) is None
    True
    >>> kernel_fit(5, 9, padding=1)
    'kernel 9 does not fit: it is larger than the padded input 5 + 2*1 = 7, so there is no position for it and no output'
    >>> print(kernel_fit((3, 3), (5, 5)))
    kernel 5x5 does not fit: it is larger than the padded input 3x3 (3x3 plus 0 per side), so there is no position
    for it and no output
    """
    if isinstance(input_size, (tuple, list)):
        if len(input_size) != 2:
            raise ValueError(f"input_size must be n or (H, W), got {input_size!r}")
        sizes = tuple(as_nonnegative_int(n, "input_size") for n in input_size)
        kernels = as_pair(kernel, "kernel", as_positive_int)
        pads = as_pair(padding, "padding", as_nonnegative_int)
        dilations = as_pair(dilation, "dilation", as_positive_int)
        padded = tuple(n + 2 * p for n, p in zip(sizes, pads))
        where = (f"{padded[0]}x{padded[1]} ({sizes[0]}x{sizes[1]} plus "
                 + (f"{pads[0]} per side)" if pads[0] == pads[1] else
                    f"{pads[0]} per side along the rows, {pads[1]} along the columns)"))
    else:
        sizes = (as_nonnegative_int(input_size, "input_size"),)
        kernels = (as_positive_int(kernel, "kernel"),)
        before, after = as_pair(padding, "padding", as_nonnegative_int)     # an int pads both ends alike
        dilations = (as_positive_int(dilation, "dilation"),)
        padded = (sizes[0] + before + after,)
        added = f"2*{before}" if before == after else f"{before} + {after}"
        where = f"{sizes[0]} + {added} = {padded[0]}"
    spans = tuple(effective_kernel_size(k, d) for k, d in zip(kernels, dilations))
    if all(span <= room for span, room in zip(spans, padded)):
        return None
    size = "x".join(map(str, kernels))
    if any(d > 1 for d in dilations):
        size += f" at dilation {'x'.join(map(str, dilations))} (span {'x'.join(map(str, spans))})"
    return (f"{name} {size} does not fit: it is larger than the padded input {where}, "
            "so there is no position for it and no output")


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
        layout["error"] = kernel_fit(n, kernel, padding, dilation)
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
    >>> print(stride_fit(7, 3, stride=3))
    the last 1 column of the padded input is never covered: (7 + 2*0 - 3) = 4 is not a multiple of stride 3, so the
    output has floor(4/3) + 1 = 2 columns
    """
    layout = grid_layout(n, kernel, padding, stride, dilation)
    span, padded = layout["span"], layout["padded"]
    dilated = f" (kernel {kernel} at dilation {dilation} spans {span})" if dilation > 1 else ""
    if layout["output"] is None:
        return layout["error"]
    if layout["exact"]:
        return None
    skipped, travel = layout["skipped"], padded - span
    lost = f"1 {axis} of the padded input is" if skipped == 1 else f"{skipped} {axis}s of the padded input are"
    return (f"the last {lost} never covered: ({n} + 2*{padding} - {span}) = {travel} is not a "
            f"multiple of stride {stride}{dilated}, so the output has floor({travel}/{stride}) + 1 = "
            f"{layout['output']} {axis}s")


def formula_text(n, kernel, padding=0, stride=1, dilation=1):
    """The output-size formula filled in with these numbers, as plain text (no LaTeX needed);
    notebook 04's figure and the output-size explorer print it.

    Inputs:   n, kernel, padding, stride, dilation  as for :func:`output_size`
    Returns:  a str of one line, or two when the kernel is dilated (F' first); when the kernel
              does not fit, :func:`kernel_fit`'s sentence instead of the formula.

    >>> formula_text(7, 3, stride=2)
    'W_O = ⌊(W - F + 2P)/S⌋ + 1 = ⌊(7 - 3 + 2·0)/2⌋ + 1 = 2 + 1 = 3'
    """
    layout = grid_layout(n, kernel, padding, stride, dilation)
    span = layout["span"]
    lines = []
    name = "F"
    if dilation > 1:
        lines.append(f"F' = F + (F - 1)(d - 1) = {kernel} + {kernel - 1}·{dilation - 1} = {span}")
        name = "F'"
    if layout["output"] is None:
        lines.append(layout["error"])
        return "\n".join(lines)
    numerator = layout["padded"] - span
    quotient = numerator // stride
    value = f"{quotient}" if layout["exact"] else f"⌊{numerator / stride:g}⌋ + 1 = {quotient}"
    lines.append(f"W_O = ⌊(W - {name} + 2P)/S⌋ + 1 = ⌊({n} - {span} + 2·{padding})/{stride}⌋ + 1 = "
                 f"{value} + 1 = {layout['output']}")
    return "\n".join(lines)


def _window_geometry(input_shape, size, stride, padding, dilation):
    """The arguments of :func:`window_cells` checked, as pairs, and the output's (H_O, W_O)."""
    if len(input_shape) != 2:
        raise ValueError(f"input_shape must be (H, W), got {input_shape!r}")
    shape = tuple(as_positive_int(n, "input_shape") for n in input_shape)
    size, stride = as_pair(size, "size", as_positive_int), as_pair(stride, "stride", as_positive_int)
    padding, dilation = as_pair(padding, "padding", as_nonnegative_int), as_pair(dilation, "dilation", as_positive_int)
    out = tuple(output_size(*args) for args in zip(shape, size, padding, stride, dilation))
    return shape, size, stride, padding, dilation, out


def window_cells(out_row, out_col, input_shape, size, stride=1, padding=0, dilation=1):
    """The taps of the window behind output (out_row, out_col) of a convolution or pooling.

    Output (i, j) reads input (r, c) = (i*s + a*d - p, j*s + b*d - p) through kernel entry (a, b),
    for every a < kh, b < kw. Rows and columns are in the *unpadded* input, so a tap with r or c
    outside [0, H) x [0, W) lands on the padding (it reads a zero and passes no gradient back).
    Notebook 08's figures and the gradient-flow explorer outline these cells.

    Inputs:   out_row, out_col  the output cell (ints)
              input_shape       (H, W)
              size, stride, padding (per side), dilation  an int or a (rows, cols) pair each
    Returns:  a list of (r, c, a, b) int tuples, row by row over the kernel; ValueError if the
              output cell does not exist for these settings.

    >>> window_cells(0, 1, (4, 4), 2, stride=2)          # output (0, 1) of a 2 x 2 pooling
    [(0, 2, 0, 0), (0, 3, 0, 1), (1, 2, 1, 0), (1, 3, 1, 1)]
    """
    _, (kh, kw), (sh, sw), (ph, pw), (dh, dw), (out_h, out_w) = _window_geometry(
        input_shape, size, stride, padding, dilation)
    if not (0 <= out_row < out_h and 0 <= out_col < out_w):
        raise ValueError(f"output cell ({out_row}, {out_col}) does not exist: the output is {out_h} x {out_w}")
    return [(out_row * sh + a * dh - ph, out_col * sw + b * dw - pw, a, b) for a in range(kh) for b in range(kw)]


def outputs_reading(in_row, in_col, input_shape, size, stride=1, padding=0, dilation=1):
    """The outputs whose window covers input (in_row, in_col), the other direction of :func:`window_cells`.

    This is the input's share of the backward pass: its gradient is the sum over this list of
    grad_out[i, j] * w[a, b]. Empty when no window reaches the cell (a stride larger than the
    kernel, or rows dropped by the floor in the output size).

    Inputs:   in_row, in_col  the input cell (ints)
              input_shape, size, stride, padding, dilation  as for :func:`window_cells`
    Returns:  a sorted list of (i, j, a, b) int tuples: output (i, j) reads this cell through
              kernel entry (a, b); ValueError if the input cell does not exist.

    >>> outputs_reading(1, 1, (3, 3), 2)                 # the centre of a 3 x 3 input, 2 x 2 kernel
    [(0, 0, 1, 1), (0, 1, 1, 0), (1, 0, 0, 1), (1, 1, 0, 0)]
    """
    (height, width), (kh, kw), (sh, sw), (ph, pw), (dh, dw), (out_h, out_w) = _window_geometry(
        input_shape, size, stride, padding, dilation)
    if not (0 <= in_row < height and 0 <= in_col < width):
        raise ValueError(f"input cell ({in_row}, {in_col}) does not exist: the input is {height} x {width}")
    found = []
    for a in range(kh):
        top = in_row + ph - a * dh             # = i * sh for the output that uses tap a
        if top < 0 or top % sh or top // sh >= out_h:
            continue
        for b in range(kw):
            left = in_col + pw - b * dw
            if left < 0 or left % sw or left // sw >= out_w:
                continue
            found.append((top // sh, left // sw, a, b))
    return sorted(found)


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

__all__ = ["output_size", "effective_kernel_size", "kernel_fit", "grid_layout", "formula_text", "window_cells",
           "outputs_reading", "stride_fit", "same_padding", "conv_output_shape", "conv_parameter_count",
           "dense_parameter_count", "receptive_field"]
