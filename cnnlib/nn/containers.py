"""Sequential: layers applied one after another, and the model every notebook trains."""
import numpy as np

from .base import Layer, _float_dtype, _shape_text

__all__ = ["Sequential"]


class Sequential(Layer):
    """Layers applied in order. Parameters are named "<index>.<name>", e.g. "0.weight".

    ``input_shape`` (optional, per sample, e.g. (1, 32, 32)) is checked on every forward call
    and used by :func:`cnnlib.nn.summary` when no shape is given. A wrong shape is reported with
    the index of the layer that refused it and the shapes up to there.

    Inputs:   layers  cnnlib.nn layers, in order;  input_shape  per sample, or None
    Returns:  a layer whose forward runs every layer's forward, and backward every backward in reverse.

    >>> from cnnlib.nn import Dense, ReLU
    >>> model = Sequential(Dense(4, 3, rng=0), ReLU(), Dense(3, 2, rng=0))
    >>> model.forward(np.ones((5, 4))).shape, len(model), model[1]
    ((5, 2), 3, ReLU())
    >>> [name for name, _ in model.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    """

    def __init__(self, *layers, input_shape=None):
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layer {i} must be a cnnlib.nn layer, got {type(layer).__name__}")
        self.layers = list(layers)
        self.input_shape = None if input_shape is None else tuple(input_shape)

    def output_shape(self, input_shape):
        """The shape after the last layer: each layer's output_shape applied in turn.

        Inputs:   input_shape  per sample, e.g. (1, 32, 32)
        Returns:  the model's output shape per sample, e.g. (10,).

        >>> from cnnlib.nn import Conv2D, Flatten
        >>> Sequential(Conv2D(1, 6, 5), Flatten()).output_shape((1, 32, 32))
        (4704,)
        """
        for layer in self.layers:
            input_shape = layer.output_shape(input_shape)
        return input_shape

    def forward(self, x, training=False):
        """Every layer's forward, first to last, each on the previous one's output.

        Inputs:   x  a batch the first layer takes (of ``input_shape`` per sample, if set);
                  training  bool, passed to every layer
        Returns:  the last layer's output, e.g. N x 10 scores.

        >>> from cnnlib.nn import Dense
        >>> model = Sequential(Dense(4, 3), input_shape=(4,))
        >>> model.forward(np.ones((2, 4))).shape
        (2, 3)
        >>> model.forward(np.ones((2, 5)))
        Traceback (most recent call last):
        ...
        ValueError: this model expects input of shape (N, 4), got (2, 5)
        """
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
        """Every layer's backward, last to first: the chain rule through the whole model.

        Inputs:   grad_out  dL/d(output) for the last forward's batch, e.g. N x 10
        Returns:  dL/d(input), the shape of the last forward's x; every layer's ``grads`` set.

        >>> from cnnlib.nn import Dense, ReLU
        >>> model = Sequential(Dense(4, 3, rng=0), ReLU(), Dense(3, 2, rng=0))
        >>> out = model.forward(np.ones((5, 4)))
        >>> model.backward(np.ones((5, 2))).shape, model[0].grads["weight"].shape
        ((5, 4), (3, 4))
        """
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def layer_outputs(self, x):
        """The output of every layer for input x (training=False), e.g. to draw feature maps.

        Inputs:   x  a batch the first layer accepts, e.g. N x 1 x 32 x 32 for LeNet-5
        Returns:  a list with one array per layer, in order; the last is the model's output.

        >>> from cnnlib.nn import lenet5
        >>> [out.shape[1:] for out in lenet5().layer_outputs(np.zeros((1, 1, 32, 32)))][:3]
        [(6, 28, 28), (6, 28, 28), (6, 14, 14)]
        """
        outputs = []
        for layer in self.layers:
            x = layer.forward(x)
            outputs.append(x)
        return outputs

    def named_parameters(self):
        """Every layer's parameters, named "<layer index>.<name>".

        Inputs:   none
        Returns:  a list of (str, array) pairs, first layer first.

        >>> from cnnlib.nn import lenet5
        >>> [(name, p.shape) for name, p in lenet5().named_parameters()][:2]
        [('0.weight', (6, 1, 5, 5)), ('0.bias', (6,))]
        """
        return [(f"{i}.{name}", p) for i, layer in enumerate(self.layers) for name, p in layer.named_parameters()]

    def named_gradients(self):
        """Every layer's gradients from the last backward, named as :meth:`named_parameters`.

        Inputs:   none
        Returns:  a list of (str, array) pairs, in the order of named_parameters.

        >>> from cnnlib.nn import Dense
        >>> [name for name, _ in Sequential(Dense(2, 2), Dense(2, 1)).named_gradients()]
        ['0.weight', '0.bias', '1.weight', '1.bias']
        """
        return [(f"{i}.{name}", g) for i, layer in enumerate(self.layers) for name, g in layer.named_gradients()]

    def named_buffers(self):
        """Every layer's buffers (batch norm's running statistics), named "<layer index>.<name>".

        Inputs:   none
        Returns:  a list of (str, array) pairs; empty for a model without batch norm.

        >>> from cnnlib.nn import BatchNorm1D, Dense
        >>> [name for name, _ in Sequential(Dense(2, 2), BatchNorm1D(2)).named_buffers()]
        ['1.running_mean', '1.running_var']
        """
        return [(f"{i}.{name}", b) for i, layer in enumerate(self.layers) for name, b in layer.named_buffers()]

    def astype(self, dtype):
        """Every layer's parameters (and buffers) converted to ``dtype``, in place; an integer
        dtype is refused before any layer changes.

        Inputs:   dtype  a floating-point type, e.g. np.float64 for a gradient check
        Returns:  the model itself.

        >>> from cnnlib.nn import lenet5
        >>> {p.dtype for _, p in lenet5().astype(np.float64).named_parameters()}
        {dtype('float64')}
        """
        dtype = _float_dtype(dtype)
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
