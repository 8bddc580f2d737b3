"""The contract every layer keeps (:class:`Layer`), and the helpers the layers share."""
import numpy as np

__all__ = ["Layer"]


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
    """(6, 28, 28) -> '(N, 6, 28, 28)': a per-sample shape written with its batch axis, for messages."""
    return "(N, " + ", ".join(str(d) for d in per_sample_shape) + ")"


class Layer:
    """The base class of every layer: a forward pass, a backward pass, and named parameters.

    A subclass sets ``params`` (and zeros of the same shapes in ``grads``) in ``__init__`` and
    implements ``forward`` and ``backward``. ``forward`` keeps what ``backward`` needs (the
    input, an argmax, a dropout mask), so the two are called in that order; ``backward``
    overwrites ``grads`` with dL/d(param) for the last forward batch and returns dL/d(input).
    ``output_shape(input_shape)`` maps a per-sample input shape (no batch axis) to the output's,
    raising a ValueError that names the layer and the shape it expects; ``forward`` uses it to
    check its input and :func:`cnnlib.nn.summary` to build its table.

    Inputs:   none; a subclass takes its own settings (sizes, ``rng``, ``dtype``)
    Returns:  a layer: ``layer.forward(x)`` (or ``layer(x)``) gives its output for a batch x.

    >>> class Double(Layer):                       # a layer of your own: out = 2x, so dL/dx = 2 dL/dout
    ...     def forward(self, x, training=False):
    ...         return 2 * self._input(x)
    ...     def backward(self, grad_out):
    ...         return 2 * grad_out
    >>> double = Double()
    >>> double(np.array([[1.0, -3.0]])), double.backward(np.ones((1, 2)))
    (array([[ 2., -6.]]), array([[2., 2.]]))
    """

    def __init__(self):
        self.params = {}
        self.grads = {}

    def forward(self, x, training=False):
        """The layer's output for the batch ``x``; keeps what :meth:`backward` needs.

        ``training=True`` in training (dropout drops, batch norm uses the batch's statistics),
        False for predictions. The base class has no forward pass: every layer defines its own.

        Inputs:   x  a batch, N x ... (N x C x H x W for image layers, N x F for dense ones)
                  training  bool
        Returns:  the output batch, N x output_shape(x.shape[1:]).

        >>> from cnnlib.nn import ReLU
        >>> ReLU().forward(np.array([[-1.0, 2.0]]))
        array([[0., 2.]])
        """
        raise NotImplementedError(f"{type(self).__name__} must define forward(x, training=False)")

    def backward(self, grad_out):
        """dL/d(input) from dL/d(output), for the batch of the last :meth:`forward` call (the chain
        rule, one layer at a time); fills ``grads`` with dL/d(param). The base class has none.

        Inputs:   grad_out  dL/d(output), the shape forward returned
        Returns:  dL/d(input), the shape of forward's x.

        >>> from cnnlib.nn import ReLU
        >>> relu = ReLU()
        >>> _ = relu.forward(np.array([[-1.0, 2.0]]))
        >>> relu.backward(np.array([[5.0, 5.0]]))   # passes where the input was positive
        array([[0., 5.]])
        """
        raise NotImplementedError(f"{type(self).__name__} must define backward(grad_out)")

    def __call__(self, x, training=False):
        return self.forward(x, training)

    def output_shape(self, input_shape):
        """The per-sample shape of the output for a per-sample input shape (no batch axis).

        The base class keeps the shape (true of element-wise layers); others override it and
        raise a ValueError, naming the layer, for an input they cannot take.

        Inputs:   input_shape  a tuple without the batch axis, e.g. (1, 32, 32)
        Returns:  a tuple, the output's shape without the batch axis.

        >>> from cnnlib.nn import ReLU
        >>> ReLU().output_shape((6, 28, 28))
        (6, 28, 28)
        """
        return tuple(input_shape)

    def named_parameters(self):
        """The parameters as (name, array) pairs; an optimiser updates these arrays in place.

        Inputs:   none
        Returns:  a list of (str, array) pairs, e.g. [("weight", K x C x kh x kw), ("bias", (K,))].

        >>> from cnnlib.nn import Dense
        >>> [(name, p.shape) for name, p in Dense(3, 2).named_parameters()]
        [('weight', (2, 3)), ('bias', (2,))]
        """
        return list(self.params.items())

    def named_gradients(self):
        """dL/d(param) from the last :meth:`backward`, as (name, array) pairs with the names and
        shapes of :meth:`named_parameters`.

        Inputs:   none
        Returns:  a list of (str, array) pairs, in the order of named_parameters.

        >>> from cnnlib.nn import Dense
        >>> dense = Dense(3, 2, rng=0)
        >>> out = dense.forward(np.ones((4, 3)))
        >>> grad_x = dense.backward(np.ones((4, 2)))
        >>> [(name, g.shape) for name, g in dense.named_gradients()]
        [('weight', (2, 3)), ('bias', (2,))]
        >>> dense.grads["bias"]                    # each bias adds to all 4 samples' outputs
        array([4., 4.], dtype=float32)
        """
        return [(name, self.grads[name]) for name in self.params]

    def named_buffers(self):
        """State that is learned but not by gradients (batch norm's running statistics), as
        (name, array) pairs; saved and loaded with the parameters, never touched by an optimiser.

        Inputs:   none
        Returns:  a list of (str, array) pairs; empty for most layers.

        >>> from cnnlib.nn import BatchNorm1D, Dense
        >>> Dense(3, 2).named_buffers(), [name for name, _ in BatchNorm1D(2).named_buffers()]
        ([], ['running_mean', 'running_var'])
        """
        return []

    def astype(self, dtype):
        """Convert the parameters (and gradients) to ``dtype`` in place, e.g. float64 for a
        gradient check; integer dtypes are refused (a TypeError: they would round every update to 0).

        Inputs:   dtype  a floating-point type, e.g. np.float64
        Returns:  the layer itself, so ``model = lenet5().astype(np.float64)`` reads in one line.

        >>> from cnnlib.nn import Dense
        >>> Dense(3, 2).astype(np.float64).params["weight"].dtype
        dtype('float64')
        """
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
