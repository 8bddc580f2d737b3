"""Layers with forward and backward passes, LeNet-5, and a summary table (taught in notebook 10).

Every layer has ``forward(x, training=False) -> out`` and ``backward(grad_out) -> grad_in``.
``forward`` keeps what ``backward`` needs (the input, an argmax, a dropout mask), so the pair must
be called in that order. Parameters and their gradients live in two dicts with the same names,
``layer.params`` and ``layer.grads``; ``backward`` overwrites (never accumulates) the gradients.

    dL/d(input) = backward(dL/d(output))        the chain rule, one layer at a time

Tensors are N x C x H x W. Layers compute in the dtype of their parameters (float32 by default,
for speed; integer dtypes are refused, as gradient steps would round to 0); a float64 input gives
float64 results, and ``model.astype(np.float64)`` turns the parameters to float64 for gradient
checks.
"""
import numpy as np

from . import activations
from ._checks import as_nonnegative_int, as_pair, as_positive_int, as_rng
from .conv import conv2d_backward, im2col
from .losses import _check_target_rows, log_softmax
from .pooling import avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward
from .shapes import output_size

__all__ = ["Layer", "Conv2D", "MaxPool2D", "AvgPool2D", "ReLU", "Tanh", "Sigmoid", "Flatten", "Dense",
           "Dropout", "Sequential", "SoftmaxCrossEntropy", "lenet5", "summary", "ModelSummary",
           "save_weights", "load_weights"]


def _float_dtype(dtype):
    """``dtype`` as a numpy floating-point dtype, or a TypeError.

    Integer weights are refused, not cast: gradient descent moves a weight by small amounts
    (lr x gradient, e.g. 0.001), which an integer rounds to 0, so an integer layer starts at 0
    (He weights ~0.1 truncate to 0) and never learns, with no error to say why. Casting quietly
    would hide that the dtype asked for is not the one used; saying so is one clear line."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or resolved.kind != "f":
        found = resolved if resolved is not None else repr(dtype)
        why = (": integer weights cannot take the small steps gradient descent makes (an update of 0.001 "
               "rounds to 0), so the layer would never learn" if resolved is not None and resolved.kind in "biu"
               else "")
        raise TypeError(f"dtype must be a floating-point type such as np.float32 or np.float64, got {found}{why}")
    return resolved


def _init_weights(shape, fan_in, fan_out, init, rng, dtype):
    """Zero-mean normal weights: He std sqrt(2 / fan_in) keeps the signal's scale through ReLUs;
    Glorot std sqrt(2 / (fan_in + fan_out)) balances forward and backward for tanh/sigmoid;
    a number is the std itself (e.g. 0.01 for small initial class scores)."""
    if init == "he":
        std = np.sqrt(2.0 / fan_in)
    elif init == "glorot":
        std = np.sqrt(2.0 / (fan_in + fan_out))
    elif isinstance(init, (int, float)) and not isinstance(init, bool) and init >= 0:
        std = float(init)
    else:
        raise ValueError(f"init must be 'he', 'glorot' or a non-negative std, got {init!r}")
    return (std * rng.standard_normal(shape)).astype(dtype)


def _shape_text(per_sample_shape):
    return "(N, " + ", ".join(str(d) for d in per_sample_shape) + ")"


class Layer:
    """Base class. Subclasses set ``params`` (and zero ``grads``) in ``__init__`` and implement
    forward/backward; ``backward`` overwrites ``grads`` with dL/d(param) for the last forward batch.

    ``output_shape(input_shape)`` maps a per-sample input shape (no batch axis) to the output's,
    raising a ValueError that names the layer and the shape it expects; forward uses it to check
    its input and :func:`summary` uses it to build the table.
    """

    def __init__(self):
        self.params = {}
        self.grads = {}

    def forward(self, x, training=False):
        raise NotImplementedError

    def backward(self, grad_out):
        raise NotImplementedError

    def __call__(self, x, training=False):
        return self.forward(x, training)

    def output_shape(self, input_shape):
        return tuple(input_shape)

    def named_parameters(self):
        """(name, array) pairs; the optimiser updates these arrays in place."""
        return list(self.params.items())

    def named_gradients(self):
        """(name, array) pairs with the same names as :meth:`named_parameters`."""
        return [(name, self.grads[name]) for name in self.params]

    def named_buffers(self):
        """(name, array) pairs of state that is learned but not by gradients (batch norm's running
        statistics); saved and loaded with the parameters, never touched by an optimiser."""
        return []

    def astype(self, dtype):
        """Convert the parameters (and gradients) to ``dtype`` (floating point) in place; returns the layer."""
        dtype = _float_dtype(dtype)
        for name in self.params:
            self.params[name] = self.params[name].astype(dtype)
            if name in self.grads:
                self.grads[name] = self.grads[name].astype(dtype)
        return self

    def _input(self, x):
        """x as a floating array (integers become the parameters' dtype), shape-checked."""
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(self._dtype())
        if x.ndim == 0:
            raise ValueError(f"{self!r} expects a batch of inputs, got a scalar")
        self.output_shape(x.shape[1:])
        return x

    def _dtype(self):
        return next(iter(self.params.values())).dtype if self.params else np.float32

    def _cached(self, name):
        value = getattr(self, name, None)
        if value is None:
            raise RuntimeError(f"{self!r}: call forward(x) before backward")
        return value

    def __repr__(self):
        return f"{type(self).__name__}()"


class Conv2D(Layer):
    """A convolutional layer (cross-correlation, as in every framework), as one matrix product.

        out[n, k, i, j] = b[k] + sum_{c, a, b} x_pad[n, c, i*s + a, j*s + b] * W[k, c, a, b]

    Input N x C x H x W, weight K x C x kh x kw, bias K, output N x K x H_O x W_O with
    H_O = floor((H + 2p - kh) / s) + 1. Forward: im2col lays every receptive field out as a
    column of F (C*kh*kw x N*H_O*W_O), and the layer is one matrix product, W.reshape(K, -1) @ F.
    Backward is :func:`cnnlib.conv.conv2d_backward`: with G = grad_out as a K x N*H_O*W_O matrix,
    dW = G @ F.T, db = row sums of G, dF = W.T @ G, and col2im adds each column's gradient back
    onto the pixels it came from (overlapping fields accumulate). ``init`` 'he' (before a ReLU)
    or 'glorot'; ``rng`` a seed or Generator for the initial weights; ``dtype`` of the parameters,
    a floating-point type (integer weights would round every small update to 0: refused).
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
        x = self._input(x)
        ph, pw = self.padding
        x_padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
        cols = im2col(x_padded, self.kernel_size, self.stride)       # N, H_O, W_O, C*kh*kw
        n, out_h, out_w, fan_in = cols.shape
        # The same numbers as columns, one per output position: C*kh*kw x N*H_O*W_O. With
        # im2col's memory layout this transpose-and-reshape copies nothing.
        fields = cols.transpose(3, 0, 1, 2).reshape(fan_in, -1)
        weight = self.params["weight"].reshape(self.out_channels, fan_in)
        out = weight @ fields + self.params["bias"][:, None]          # K x N*H_O*W_O
        self._x, self._cols = x, cols
        return out.reshape(self.out_channels, n, out_h, out_w).transpose(1, 0, 2, 3)

    def backward(self, grad_out):
        x, weight = self._cached("_x"), self.params["weight"]
        grad_x, grad_w, grad_b = conv2d_backward(grad_out, x, weight, stride=self.stride, padding=self.padding,
                                                 cols=self._cols)
        self.grads["weight"] = grad_w.astype(weight.dtype, copy=False)
        self.grads["bias"] = grad_b.astype(weight.dtype, copy=False)
        return grad_x

    def __repr__(self):
        kh, kw = self.kernel_size
        extra = "".join(f", {name}={v[0] if v[0] == v[1] else v}" for name, v, default in
                        (("stride", self.stride, 1), ("padding", self.padding, 0)) if v != (default, default))
        return f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size={kh if kh == kw else (kh, kw)}{extra})"


class _Pool2D(Layer):
    """Shared shape logic of the pooling layers: a size x size window moved by ``stride``."""

    def __init__(self, size=2, stride=None):
        super().__init__()
        self.size = as_pair(size, "size", as_positive_int)
        self.stride = self.size if stride is None else as_pair(stride, "stride", as_positive_int)

    def output_shape(self, input_shape):
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
    """

    def forward(self, x, training=False):
        x = self._input(x)
        self._x = x
        return max_pool2d(x, self.size, self.stride)

    def backward(self, grad_out):
        return max_pool2d_backward(grad_out, self._cached("_x"), self.size, self.stride)


class AvgPool2D(_Pool2D):
    """Average pooling: out = mean of each window; each input gets grad / (kh*kw) from every
    window that contains it. Forward is :func:`cnnlib.pooling.avg_pool2d`, backward
    :func:`cnnlib.pooling.avg_pool2d_backward`."""

    def forward(self, x, training=False):
        x = self._input(x)
        self._input_shape = x.shape
        return avg_pool2d(x, self.size, self.stride)

    def backward(self, grad_out):
        # Only x's shape matters to the gradient of a mean; a zero array of that shape costs nothing.
        input_shape = self._cached("_input_shape")
        return avg_pool2d_backward(grad_out, np.broadcast_to(np.zeros((), grad_out.dtype), input_shape),
                                   self.size, self.stride)


class _Activation(Layer):
    """out = f(z) element-wise; backward multiplies by f'(z) (functions from cnnlib.activations)."""
    function = derivative = None

    def forward(self, x, training=False):
        self._z = self._input(x)
        return type(self).function(self._z)

    def backward(self, grad_out):
        return grad_out * type(self).derivative(self._cached("_z"))


class ReLU(_Activation):
    """ReLU(z) = max(0, z); the gradient passes where z > 0."""
    function, derivative = staticmethod(activations.relu), staticmethod(activations.relu_grad)


class Tanh(_Activation):
    """tanh(z); gradient factor 1 - tanh(z)^2."""
    function, derivative = staticmethod(activations.tanh), staticmethod(activations.tanh_grad)


class Sigmoid(_Activation):
    """sigma(z) = 1 / (1 + e^-z); gradient factor sigma(z)(1 - sigma(z))."""
    function, derivative = staticmethod(activations.sigmoid), staticmethod(activations.sigmoid_grad)


class Flatten(Layer):
    """N x C x H x W -> N x (C*H*W), the bridge from feature maps to dense layers."""

    def output_shape(self, input_shape):
        return (int(np.prod(input_shape, dtype=np.int64)),)

    def forward(self, x, training=False):
        x = self._input(x)
        self._input_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_out):
        return grad_out.reshape(self._cached("_input_shape"))


class Dense(Layer):
    """A fully connected layer: out = x @ W.T + b.

    x: N x in_features, W: out_features x in_features, b: out_features, out: N x out_features.
    Backward: dW = grad_out.T @ x, db = column sums of grad_out, dx = grad_out @ W.
    ``init``, ``rng`` and ``dtype`` as for :class:`Conv2D`.
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
        if tuple(input_shape) != (self.in_features,):
            hint = " (put a Flatten layer before it)" if len(input_shape) > 1 else ""
            raise ValueError(f"{self!r} expects input of shape (N, {self.in_features}), "
                             f"got {_shape_text(input_shape)}{hint}")
        return (self.out_features,)

    def forward(self, x, training=False):
        self._x = self._input(x)
        return self._x @ self.params["weight"].T + self.params["bias"]

    def backward(self, grad_out):
        x, weight = self._cached("_x"), self.params["weight"]
        self.grads["weight"] = (grad_out.T @ x).astype(weight.dtype, copy=False)
        self.grads["bias"] = grad_out.sum(axis=0).astype(weight.dtype, copy=False)
        return grad_out @ weight

    def __repr__(self):
        return f"Dense({self.in_features}, {self.out_features})"


class Dropout(Layer):
    """Inverted dropout: in training, zero each unit with probability p and scale the survivors
    by 1 / (1 - p), so at test time (training=False) the layer is the identity. Seeded by ``rng``."""

    def __init__(self, p=0.5, *, rng=None):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
            raise ValueError(f"p must be a probability in [0, 1), got {p!r}")
        self.p = float(p)
        self.rng = as_rng(rng)

    def forward(self, x, training=False):
        x = self._input(x)
        if not training or self.p == 0:
            self._mask = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
        self._mask = keep.astype(x.dtype) / x.dtype.type(1 - self.p)
        return x * self._mask

    def backward(self, grad_out):
        mask = getattr(self, "_mask", None)
        return grad_out if mask is None else grad_out * mask

    def __repr__(self):
        return f"Dropout(p={self.p:g})"


class Sequential(Layer):
    """Layers applied in order. Parameters are named "<index>.<name>", e.g. "0.weight".

    ``input_shape`` (optional, per sample, e.g. (1, 32, 32)) is checked on every forward call
    and used by :func:`summary` when no shape is given.
    """

    def __init__(self, *layers, input_shape=None):
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layer {i} must be a cnnlib.nn layer, got {type(layer).__name__}")
        self.layers = list(layers)
        self.input_shape = None if input_shape is None else tuple(input_shape)

    def output_shape(self, input_shape):
        for layer in self.layers:
            input_shape = layer.output_shape(input_shape)
        return input_shape

    def forward(self, x, training=False):
        x = np.asarray(x)
        if self.input_shape is not None and x.shape[1:] != self.input_shape:
            raise ValueError(f"this model expects input of shape {_shape_text(self.input_shape)}, "
                             f"got {x.shape}" + self._resize_hint(x.shape[1:]))
        input_shape = x.shape[1:]
        for i, layer in enumerate(self.layers):
            try:
                x = layer.forward(x, training)
            except ValueError as err:
                # Chained, not replaced: the traceback still reaches the line that failed, which may
                # be a bug in a student's own layer rather than a wrong shape.
                raise ValueError(f"layer {i}, {err}; {self._shape_trace(input_shape, i)}") from err
        return x

    def backward(self, grad_out):
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def layer_outputs(self, x):
        """The output of every layer for input x (training=False), e.g. to draw feature maps.

        Inputs:   x  a batch the first layer accepts, e.g. N x 1 x 32 x 32 for LeNet-5
        Returns:  a list with one array per layer, in order; the last is the model's output.
        """
        outputs = []
        for layer in self.layers:
            x = layer.forward(x)
            outputs.append(x)
        return outputs

    def named_parameters(self):
        return [(f"{i}.{name}", p) for i, layer in enumerate(self.layers) for name, p in layer.named_parameters()]

    def named_gradients(self):
        return [(f"{i}.{name}", g) for i, layer in enumerate(self.layers) for name, g in layer.named_gradients()]

    def named_buffers(self):
        return [(f"{i}.{name}", b) for i, layer in enumerate(self.layers) for name, b in layer.named_buffers()]

    def astype(self, dtype):
        dtype = _float_dtype(dtype)                      # refused before any layer changes
        for layer in self.layers:
            layer.astype(dtype)
        return self

    def __getitem__(self, index):
        return self.layers[index]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self):
        lines = [f"  ({i}) {layer!r}" for i, layer in enumerate(self.layers)]
        return "Sequential(\n" + "\n".join(lines) + "\n)"

    def _shape_trace(self, input_shape, failing):
        """How an input's shape flows through layers 0..failing-1, e.g. to see where it went wrong."""
        shapes = [tuple(input_shape)]
        for layer in self.layers[:failing]:
            shapes.append(layer.output_shape(shapes[-1]))
        return "shapes so far: " + " -> ".join("x".join(map(str, s)) for s in shapes)

    def _resize_hint(self, shape):
        expected = self.input_shape
        if len(shape) == len(expected) == 3 and shape[0] == expected[0] and \
                all(have <= want for have, want in zip(shape[1:], expected[1:])):
            return (f"; pad the images with zeros to {expected[1]}x{expected[2]}, e.g. "
                    f"cnnlib.data.load_mnist(pad_to={expected[1]})")
        return ""


class SoftmaxCrossEntropy:
    """Softmax and categorical cross-entropy fused into one numerically stable step.

        L = -(1/N) sum_i log softmax(z_i)[y_i],      dL/dz = (softmax(z) - onehot(y)) / N

    logits z: N x C; y: N integer labels 0..C-1, or an N x C one-hot/probability target whose rows
    are non-negative and sum to 1 (anything else is refused with a ValueError). log-softmax is
    computed as z - max(z) - log(sum(exp(z - max(z)))), so no exp overflows and no log of 0
    is taken. ``forward`` returns the loss (a float) and keeps the probabilities for ``backward``.
    """

    def forward(self, logits, y):
        logits = np.asarray(logits)
        if logits.ndim != 2:
            raise ValueError(f"logits must be N x C, got shape {logits.shape}")
        target = self._one_hot(y, logits.shape, logits.dtype)
        log_probs = log_softmax(logits, axis=1)
        self._probs, self._target = np.exp(log_probs), target
        return float(-np.sum(target * log_probs) / logits.shape[0])

    def backward(self):
        probs = self._probs
        return (probs - self._target) / probs.shape[0]

    @property
    def probs(self):
        """softmax(z) from the last forward call."""
        return self._probs

    @staticmethod
    def _one_hot(y, shape, dtype):
        n, c = shape
        y = np.asarray(y)
        if y.shape == shape:
            return _check_target_rows(y.astype(dtype, copy=False))
        if y.shape != (n,):
            raise ValueError(f"y must hold {n} labels or be an {n} x {c} target, got shape {y.shape}")
        if not np.issubdtype(y.dtype, np.integer):
            raise TypeError(f"y given as labels must be integers, got dtype {y.dtype}")
        if n and (y.min() < 0 or y.max() >= c):
            raise ValueError(f"y labels must be in 0..{c - 1}, got values from {y.min()} to {y.max()}")
        target = np.zeros(shape, dtype=dtype)
        target[np.arange(n), y] = 1
        return target

    def __repr__(self):
        return "SoftmaxCrossEntropy()"


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


class ModelSummary:
    """The table :func:`summary` returns: ``str(s)`` is plain text, ``_repr_html_`` a notebook table.

    ``rows``: one dict per layer with keys index, layer, output_shape (per sample, C x H x W),
    param_sizes (e.g. [150, 6] for weight and bias) and params (their sum). ``total_params``.
    """

    def __init__(self, input_shape, rows):
        self.input_shape = tuple(input_shape)
        self.rows = rows
        self.total_params = sum(row["params"] for row in rows)

    def _cells(self):
        header = ("#", "layer", "output shape", "parameters", "weights + biases")
        body = [("", "input", " x ".join(map(str, self.input_shape)), "", "")]
        for row in self.rows:
            sizes = " + ".join(f"{s:,}" for s in row["param_sizes"])
            body.append((str(row["index"]), row["layer"], " x ".join(map(str, row["output_shape"])),
                         f"{row['params']:,}" if row["params"] else "0", sizes))
        footer = ("", "total", "", f"{self.total_params:,}", "")
        return header, body, footer

    def __str__(self):
        header, body, footer = self._cells()
        widths = [max(len(r[i]) for r in (header, *body, footer)) for i in range(len(header))]
        right = {0, 3}

        def line(cells):
            padded = (c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
            return "  ".join(padded).rstrip()

        rule = "-" * len(line(header))
        return "\n".join([line(header), rule, *map(line, body), rule, line(footer)])

    __repr__ = __str__

    def _repr_html_(self):
        import html
        header, body, footer = self._cells()

        def row(cells, tag="td"):
            align = ["right" if i in (0, 3) else "left" for i in range(len(cells))]
            return "<tr>" + "".join(f'<{tag} style="text-align:{a}">{html.escape(c)}</{tag}>'
                                    for c, a in zip(cells, align)) + "</tr>"

        return ("<table><thead>" + row(header, "th") + "</thead><tbody>" + "".join(map(row, body))
                + "</tbody><tfoot>" + row(footer, "th") + "</tfoot></table>")


def summary(model, input_shape=None):
    """Every layer's output shape (per sample, C x H x W) and parameter count, as a table.

    ``input_shape`` is per sample, e.g. (1, 32, 32); a model built with an ``input_shape``
    (like :func:`lenet5`) needs none. For LeNet-5 the counts are 150 + 6, 2400 + 16,
    48,000 + 120, 10,080 + 84 and 840 + 10: 61,706 in all (SEED_NOTES.md).

    Inputs:   model        a cnnlib.nn layer or :class:`Sequential`
              input_shape  per sample, e.g. (1, 32, 32); None to use the model's own
    Returns:  a :class:`ModelSummary`: ``print`` it for the table; ``.rows`` (one dict per layer)
              and ``.total_params`` (an int).

    >>> print(summary(lenet5()))
     #  layer                         output shape  parameters  weights + biases
    ----------------------------------------------------------------------------
        input                         1 x 32 x 32
     0  Conv2D(1, 6, kernel_size=5)   6 x 28 x 28          156  150 + 6
     1  ReLU()                        6 x 28 x 28            0
     2  MaxPool2D(2)                  6 x 14 x 14            0
     3  Conv2D(6, 16, kernel_size=5)  16 x 10 x 10       2,416  2,400 + 16
     4  ReLU()                        16 x 10 x 10           0
     5  MaxPool2D(2)                  16 x 5 x 5             0
     6  Flatten()                     400                    0
     7  Dense(400, 120)               120               48,120  48,000 + 120
     8  ReLU()                        120                    0
     9  Dense(120, 84)                84                10,164  10,080 + 84
    10  ReLU()                        84                     0
    11  Dense(84, 10)                 10                   850  840 + 10
    ----------------------------------------------------------------------------
        total                                           61,706
    """
    layers = model.layers if isinstance(model, Sequential) else [model]
    if input_shape is None:
        input_shape = getattr(model, "input_shape", None)
        if input_shape is None:
            raise ValueError("input_shape is required (per sample, e.g. (1, 32, 32)) for a model built without one")
    shape, rows = tuple(input_shape), []
    for i, layer in enumerate(layers):
        try:
            shape = layer.output_shape(shape)
        except ValueError as err:
            raise ValueError(f"layer {i}, {err}") from err
        sizes = [p.size for _, p in layer.named_parameters()]
        rows.append({"index": i, "layer": repr(layer), "output_shape": shape,
                     "param_sizes": sizes, "params": sum(sizes)})
    return ModelSummary(input_shape, rows)


def _weights_path(path):
    """``path`` as a file name ending in .npz: np.savez adds the suffix to a name without it,
    so save_weights and load_weights both do, and the same name works for both. A name with
    nothing before the suffix ("", "weights/", ".npz") would make a hidden file called ".npz"."""
    import os
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name (str or pathlib.Path), got {type(path).__name__}")
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    name = os.path.basename(path)
    if name.endswith(".npz"):
        name = name[:-len(".npz")]
    if name in ("", ".", ".."):
        raise ValueError(f"path must name a file, e.g. 'lenet5' or 'weights/lenet5.npz', got {path!r}")
    return path if path.endswith(".npz") else path + ".npz"


def _check_model(model, function):
    """Refuse, with a hint, what is not a model: None, a class or function not yet called, or the
    arguments the wrong way round (``save_weights("w", model)``)."""
    if isinstance(model, type):
        raise TypeError(f"model must be a cnnlib.nn layer or model, got the class {model.__name__}: create a "
                        f"model first, e.g. {model.__name__}(...)")
    if callable(model) and not isinstance(model, Layer) and hasattr(model, "__name__"):
        raise TypeError(f"model must be a cnnlib.nn layer or model, got the function {model.__name__}: call it, "
                        f"e.g. {model.__name__}()")
    if not isinstance(model, Layer) and not (callable(getattr(model, "named_parameters", None))
                                             and callable(getattr(model, "named_buffers", None))):
        hint = f"; the order is {function}(model, path)" if isinstance(model, (str, bytes)) else ""
        raise TypeError(f"model must be a cnnlib.nn layer or model (e.g. lenet5()), got {type(model).__name__}{hint}")


def _non_finite(name, array, dtype=None):
    """A sentence saying that ``array`` holds NaN or inf (as ``dtype``), or None when it does not."""
    with np.errstate(over="ignore", invalid="ignore"):
        bad = ~np.isfinite(array if dtype is None else array.astype(dtype))
    if not bad.any():
        return None
    where = np.unravel_index(int(np.argmax(bad)), array.shape) if array.ndim else ()
    as_type = f" as {np.dtype(dtype)}" if dtype is not None and np.dtype(dtype) != array.dtype else ""
    return (f"{name} holds NaN or infinite values ({int(bad.sum())} of {array.size}){as_type}, the first at "
            f"index {tuple(int(i) for i in where)}")


def save_weights(model, path):
    """Save every parameter under its name ("0.weight", ...) with ``np.savez`` (no pickle), and
    batch norm's running statistics ("1.running_mean", ...), which inference needs.

    ``.npz`` is added to ``path`` unless it already ends so; returns the name written, which
    :func:`load_weights` accepts with or without the suffix. The file is written under a
    temporary name and renamed into place when complete, so an interrupted save leaves the
    previous file whole. A model with NaN or infinite weights (a diverged run) is refused, as
    load_weights would refuse the file.

    Inputs:   model  a cnnlib.nn layer or model
              path   a file name (str or pathlib.Path), with or without ``.npz``
    Returns:  the file name written (a str ending in ``.npz``), one array per parameter.

    >>> import os, tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = save_weights(lenet5(), os.path.join(folder.name, "lenet5"))
    >>> os.path.basename(path)
    'lenet5.npz'
    >>> with np.load(path) as saved:                      # 5 layers with weights: 10 arrays
    ...     print(len(saved.files), saved["0.weight"].shape, saved["11.bias"].shape)
    10 (6, 1, 5, 5) (10,)
    >>> save_weights(lenet5(), "")
    Traceback (most recent call last):
    ...
    ValueError: path must name a file, e.g. 'lenet5' or 'weights/lenet5.npz', got ''
    >>> folder.cleanup()
    """
    import os
    _check_model(model, "save_weights")
    path = _weights_path(path)
    arrays = _saved_arrays(model)
    broken = [problem for name, array in arrays.items() if (problem := _non_finite(name, array))]
    if broken:
        raise ValueError(f"the model's {broken[0]}{' (and more)' if len(broken) > 1 else ''}: it comes from a "
                         "diverged run, and load_weights refuses such files; train again (with a smaller "
                         "learning rate) and save then")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save {path}: the folder {folder} does not exist (create it with "
                                "os.makedirs first)")
    # A fresh name of this save's own (O_EXCL), with mode 0o666 so the umask gives the file the usual
    # permissions; renamed over ``path`` only when np.savez has finished.
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}-{os.urandom(6).hex()}.part")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


def _saved_arrays(model):
    """Everything save_weights stores: the parameters and the buffers (batch norm's running
    statistics, without which a trained batch-norm network predicts wrongly after loading)."""
    return {**dict(model.named_parameters()), **dict(model.named_buffers())}


def _not_an_npz(path, start):
    """Why the file that begins with the bytes ``start`` is not a weights file."""
    if not start:
        found = "it is empty"
    elif start.startswith(b"\x89PNG"):
        found = "it is a PNG image"
    elif start.startswith(b"\x93NUMPY"):
        found = "it is a single .npy array (np.save writes those); save the model with save_weights"
    elif start[0] == 0x80:
        found = "it is a Python pickle (pickle.dump or torch.save), which cnnlib never loads: unpickling can run code"
    elif start.startswith(b"\x1f\x8b"):
        found = "it is gzip-compressed"
    elif all(32 <= byte < 127 or byte in b"\t\r\n" for byte in start):
        found = f"it is a text file beginning {start[:24].decode('ascii')!r}"
    else:
        found = f"it begins with the bytes {start[:8].hex(' ')}"
    return ValueError(f"{path} is not a weights file: load_weights expects the .npz archive save_weights "
                      f"writes (a zip of .npy arrays, beginning 'PK'), but {found}")


def load_weights(model, path):
    """Load weights saved by :func:`save_weights` into ``model`` (in place; returns the model).

    ``path`` as given to save_weights (``.npz`` is added unless it ends so). The file must hold
    exactly the model's parameter names, each with the model's shape, and nothing else;
    otherwise a ValueError lists what is missing, unexpected or of the wrong shape. Names and
    shapes are read from the archive's directory and the arrays' headers before any array is
    loaded, so a hostile file cannot make it unpack more than the model's own size. A file
    that is not an .npz archive gets a ValueError saying what it is instead, and so does a path
    that is not a regular file (a folder, a named pipe, a device), before it is opened.

    All or nothing: every array is read and checked (finite in the model's dtype) into a
    temporary copy first, and the model is changed only when all of them are good, so a damaged
    file, or one with NaN or inf (saved from a diverged run), leaves the model as it was.

    Inputs:   model  a cnnlib.nn layer or model with the saved parameters' names and shapes
              path   the name given to (or returned by) save_weights, str or pathlib.Path
    Returns:  ``model`` itself, its parameter arrays overwritten in place.

    >>> import os, tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = save_weights(lenet5(rng=0), os.path.join(folder.name, "lenet5"))
    >>> model = load_weights(lenet5(rng=1), path)         # other initial weights, then seed 0's
    >>> all(np.array_equal(p, q) for (_, p), (_, q) in zip(model.named_parameters(),
    ...                                                    lenet5(rng=0).named_parameters()))
    True
    >>> load_weights(lenet5(num_classes=2), path)
    Traceback (most recent call last):
    ...
    ValueError: ...lenet5.npz does not fit this model: wrong shape 11.weight: file (10, 84), model (2, 84); 11.bias: file (10,), model (2,)
    >>> folder.cleanup()
    """
    import zipfile
    import zlib
    from .data._files import open_regular_file
    _check_model(model, "load_weights")
    path = _weights_path(path)
    params = _saved_arrays(model)
    # What a damaged archive can raise while it is read: zipfile's and numpy's own errors, zlib's
    # for corrupt deflate data, NotImplementedError for an unknown compression, RuntimeError for
    # an encrypted member, EOFError for a member cut short.
    damaged = (zipfile.BadZipFile, ValueError, EOFError, zlib.error, NotImplementedError, RuntimeError)
    with open_regular_file(path, "a weights file") as file:
        start = file.read(64)
        if not start.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            raise _not_an_npz(path, start)
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                stored = _check_archive(path, archive, params)
                loaded = {}
                for name, param in params.items():
                    with archive.open(stored[name]) as member:
                        array = np.lib.format.read_array(member, allow_pickle=False)
                    if array.shape != param.shape:
                        raise ValueError(f"{name} holds {array.shape}, its header said {param.shape}")
                    loaded[name] = array
        except _DoesNotFit as err:
            raise ValueError(str(err)) from None
        except damaged as err:
            raise ValueError(f"{path} is a damaged .npz archive ({err}); save the weights again") from None
    for name, param in params.items():
        problem = _non_finite(name, loaded[name], param.dtype)
        if problem:
            raise ValueError(f"{path}: {problem}. It was saved from a diverged run (or edited); the model was left "
                             "as it was. Train again with a smaller learning rate and save then")
        loaded[name] = loaded[name].astype(param.dtype)
    from .train import _interrupts_deferred          # a Ctrl-C must not stop the copy half way
    with _interrupts_deferred():
        for name, param in params.items():
            param[...] = loaded[name]
    return model


def _check_archive(path, archive, params):
    """The archive's member for each of ``params``, after checking from its directory and the
    arrays' headers alone (nothing is unpacked) that it holds exactly the model's names and shapes."""
    members = archive.namelist()
    stored = {member[:-len(".npy")]: member for member in members if member.endswith(".npy")}
    missing = sorted(set(params) - set(stored))
    unexpected = sorted(set(stored) - set(params)) + sorted(m for m in members if not m.endswith(".npy"))
    wrong, not_numbers = [], []
    for name, param in params.items():
        if name not in stored:
            continue
        with archive.open(stored[name]) as member:
            read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                           (2, 0): np.lib.format.read_array_header_2_0}.get(np.lib.format.read_magic(member))
            if read_header is None:
                raise ValueError(f"{stored[name]} has an .npy format version save_weights does not write")
            shape, _, dtype = read_header(member)
        if shape != param.shape:
            wrong.append(f"{name}: file {shape}, model {param.shape}")
        elif dtype.kind not in "biuf":
            not_numbers.append(f"{name} ({dtype})")
    if missing or unexpected or wrong or not_numbers:
        problems = ([f"missing {', '.join(missing)}"] if missing else []) + \
                   ([f"unexpected {', '.join(unexpected)}"] if unexpected else []) + \
                   ([f"wrong shape {'; '.join(wrong)}"] if wrong else []) + \
                   ([f"not numbers {', '.join(not_numbers)}"] if not_numbers else [])
        raise _DoesNotFit(f"{path} does not fit this model: " + " | ".join(problems))
    return stored


class _DoesNotFit(Exception):
    """Raised inside load_weights' reading block, where ValueError means a damaged archive."""


# Batch normalisation and residual blocks (notebook 12). The maths is in cnnlib.normalization.
from .normalization import batch_norm, batch_norm_backward  # noqa: E402  (appended section)


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
        x, gamma = self._cached("_x"), self.params["weight"]
        mean, var = self._fixed if self._fixed is not None else (None, None)
        grad_x, grad_gamma, grad_beta = batch_norm_backward(grad_out, x, gamma, eps=self.eps, mean=mean, var=var)
        self.grads["weight"] = grad_gamma.astype(gamma.dtype, copy=False)
        self.grads["bias"] = grad_beta.astype(gamma.dtype, copy=False)
        return grad_x

    def named_buffers(self):
        return [("running_mean", self.running_mean), ("running_var", self.running_var)]

    def astype(self, dtype):
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
    """

    def output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 3 or input_shape[0] != self.size:
            raise ValueError(f"{self!r} expects input of shape (N, {self.size}, H, W), got {_shape_text(input_shape)}")
        return input_shape


class BatchNorm1D(_BatchNorm):
    """Batch normalisation per feature of N x F inputs (e.g. after a Dense layer); the statistics
    are over the N samples. Everything else as :class:`BatchNorm2D`."""

    def output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if input_shape != (self.size,):
            raise ValueError(f"{self!r} expects input of shape (N, {self.size}), got {_shape_text(input_shape)}")
        return input_shape


class BiasFreeConv2D(Conv2D):
    """A :class:`Conv2D` without a learnable bias, for a convolution followed by batch norm.

    Batch norm subtracts each channel's mean, so a bias before it cancels out: its gradient is
    exactly 0 and it would never learn. As in ResNet, such convolutions have weights only; the
    bias stays a fixed zero and is not a parameter (the optimiser and summary do not see it).
    """

    def named_parameters(self):
        return [("weight", self.params["weight"])]

    def named_gradients(self):
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
    ``rng`` a seed or Generator for the He-initialised weights.
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
        input_shape = tuple(input_shape)
        if len(input_shape) != 3 or input_shape[0] != self.in_channels:
            raise ValueError(f"{self!r} expects input of shape (N, {self.in_channels}, H, W), "
                             f"got {_shape_text(input_shape)}")
        return self.main.output_shape(input_shape)

    def _parts(self):
        return [("main", self.main)] + ([("shortcut", self.shortcut)] if self.shortcut is not None else [])

    def forward(self, x, training=False):
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(self.main[0].params["weight"].dtype)
        self.output_shape(x.shape[1:])
        residual = self.main.forward(x, training)
        shortcut = x if self.shortcut is None else self.shortcut.forward(x, training)
        return self.relu.forward(residual + shortcut)

    def backward(self, grad_out):
        grad_sum = self.relu.backward(grad_out)          # d(out)/d(sum) is ReLU's; the sum copies it to both
        grad_main = self.main.backward(grad_sum)
        grad_short = grad_sum if self.shortcut is None else self.shortcut.backward(grad_sum)
        return grad_main + grad_short

    def named_parameters(self):
        return [(f"{part}.{name}", p) for part, seq in self._parts() for name, p in seq.named_parameters()]

    def named_gradients(self):
        return [(f"{part}.{name}", g) for part, seq in self._parts() for name, g in seq.named_gradients()]

    def named_buffers(self):
        return [(f"{part}.{name}", b) for part, seq in self._parts() for name, b in seq.named_buffers()]

    def astype(self, dtype):
        dtype = _float_dtype(dtype)
        for _, seq in self._parts():
            seq.astype(dtype)
        return self

    def __repr__(self):
        extra = (f", {self.out_channels}" if self.out_channels != self.in_channels else "") + \
                (f", stride={self.stride}" if self.stride != 1 else "")
        return f"ResidualBlock({self.in_channels}{extra})"


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


__all__ += ["BatchNorm1D", "BatchNorm2D", "BiasFreeConv2D", "ResidualBlock", "small_resnet"]
