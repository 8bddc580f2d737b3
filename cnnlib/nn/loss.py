"""SoftmaxCrossEntropy: the loss at the end of a classifier, with its gradient."""
import numpy as np

from ..losses import _check_target_rows, log_softmax

__all__ = ["SoftmaxCrossEntropy"]


class SoftmaxCrossEntropy:
    """Softmax and categorical cross-entropy fused into one numerically stable step.

        L = -(1/N) sum_i log softmax(z_i)[y_i],      dL/dz = (softmax(z) - onehot(y)) / N

    logits z: N x C; y: N integer labels 0..C-1, or an N x C one-hot/probability target whose rows
    are non-negative and sum to 1 (anything else is refused with a ValueError). log-softmax is
    computed as z - max(z) - log(sum(exp(z - max(z)))), so no exp overflows and no log of 0
    is taken. ``forward`` returns the loss (a float) and keeps the probabilities for ``backward``.

    Inputs:   none
    Returns:  a loss: ``forward(logits, y)`` gives L, then ``backward()`` gives dL/dz (N x C).

    >>> loss = SoftmaxCrossEntropy()
    >>> round(loss.forward(np.zeros((2, 10)), np.array([3, 7])), 4)     # uniform scores: log(10)
    2.3026
    """

    def forward(self, logits, y):
        """The mean cross-entropy of the softmax of ``logits`` against ``y``; keeps the
        probabilities and the target for :meth:`backward`.

        Inputs:   logits  N x C scores;  y  N integer labels in 0..C-1, or an N x C target whose rows sum to 1
        Returns:  L, a Python float.

        >>> SoftmaxCrossEntropy().forward(np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([0, 1]))   # log(2)
        0.6931471805599453
        """
        logits = np.asarray(logits)
        if logits.ndim != 2:
            raise ValueError(f"logits must be N x C, got shape {logits.shape}")
        target = self._one_hot(y, logits.shape, logits.dtype)
        log_probs = log_softmax(logits, axis=1)
        self._probs, self._target = np.exp(log_probs), target
        return float(-np.sum(target * log_probs) / logits.shape[0])

    def backward(self):
        """dL/d(logits) = (softmax(z) - onehot(y)) / N, for the last forward call.

        Inputs:   none (the probabilities and target kept by :meth:`forward`)
        Returns:  N x C, each row summing to 0.

        >>> loss = SoftmaxCrossEntropy()
        >>> _ = loss.forward(np.array([[0.0, 0.0]]), np.array([1]))
        >>> loss.backward()                     # push class 0 down, class 1 up
        array([[ 0.5, -0.5]])
        """
        probs = self._probs
        return (probs - self._target) / probs.shape[0]

    @property
    def probs(self):
        """softmax(z) from the last forward call.

        Inputs:   none (a property, read after :meth:`forward`)
        Returns:  N x C probabilities, each row summing to 1.

        >>> loss = SoftmaxCrossEntropy()
        >>> _ = loss.forward(np.array([[0.0, np.log(3.0)]]), np.array([1]))
        >>> loss.probs
        array([[0.25, 0.75]])
        """
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
