"""Known wrong versions of the exercises' functions, so a check can name the mistake it sees.

Each table maps a phrase that completes "Not yet: my_conv2d ..." to a function making exactly that
mistake. :func:`cnnlib.exercises.check_function` (``mistakes=``) runs them on a case the student's
function got wrong; when the student's result equals one of them, the message names the mistake
instead of giving a fixed hint. The wrong versions are built from cnnlib's right ones, changed in
the one place the mistake is, so each reads as a diff of the formula.
"""
import numpy as np

from .conv import conv1d, conv2d, conv2d_backward
from .normalization import batch_norm
from .pooling import max_pool2d

__all__ = ["CONV1D", "CONV2D", "OUTPUT_SIZE", "SOFTMAX", "MAX_POOL_BACKWARD", "CONV_BACKWARD", "BATCH_NORM",
           "whole_window_max_pool_backward", "unflipped_conv_backward", "global_max_softmax"]


def global_max_softmax(z):
    """softmax shifted by the largest score of the whole batch instead of each row's own largest.

    Inputs:   z  scores, C or N x C
    Returns:  an array shaped like z (NaN where a row's scores all underflow).

    >>> np.round(global_max_softmax(np.array([[1.0, 0.0], [0.0, 0.0]])), 3)
    array([[0.731, 0.269],
           [0.5  , 0.5  ]])
    """
    z = np.asarray(z, dtype=float)
    with np.errstate(invalid="ignore", under="ignore"):
        e = np.exp(z - z.max())                              # the mistake: one maximum for every row
        return e / e.sum(axis=-1, keepdims=True)


def whole_window_max_pool_backward(grad_out, x, size=2, stride=None):
    """Max pooling's backward pass that sends each window's gradient to every cell of the window.

    Inputs:   grad_out  H_O x W_O gradient;  x  the H x W map;  size, stride  as for max_pool2d
    Returns:  an H x W gradient.

    >>> whole_window_max_pool_backward(np.array([[1.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([[1., 1.],
           [1., 1.]])
    """
    stride = size if stride is None else stride
    grad = np.zeros(np.shape(x), dtype=float)
    for i in range(grad_out.shape[0]):
        for j in range(grad_out.shape[1]):
            grad[i * stride:i * stride + size, j * stride:j * stride + size] += grad_out[i, j]   # the mistake
    return grad


def unflipped_conv_backward(grad_out, x, w, stride=1):
    """A single-channel convolution's gradients with grad_x computed from the kernel as written, not
    flipped: the full correlation of grad_out with w. grad_w and grad_b are right.

    Inputs:   grad_out  H_O x W_O;  x  H x W;  w  kh x kw;  stride  an int
    Returns:  (grad_x, grad_w, grad_b) as conv2d_backward returns them.

    >>> g, _, _ = unflipped_conv_backward(np.ones((1, 1)), np.ones((2, 2)), np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> g
    array([[4., 3.],
           [2., 1.]])
    """
    w = np.asarray(w, dtype=float)
    _, grad_w, grad_b = conv2d_backward(grad_out, x, w, stride=stride)
    grad_x, _, _ = conv2d_backward(grad_out, x, w[::-1, ::-1], stride=stride)    # the mistake: no flip
    return grad_x, grad_w, grad_b


CONV1D = {
    "flips the kernel (that is true convolution; cnnlib.conv1d computes cross-correlation by default)":
        lambda x, w: conv1d(x, w, flip=True),
}

CONV2D = {
    "ignores the stride (every window position is used, not every stride-th)":
        lambda image, kernel, stride=1, padding=0: conv2d(image, kernel, padding=padding),
    "reads padding as the total of both sides; it is the number of zero rows and columns on each side":
        lambda image, kernel, stride=1, padding=0: conv2d(image, kernel, stride=stride, padding=padding // 2),
    "flips the kernel (that is true convolution; cnnlib.conv2d computes cross-correlation)":
        lambda image, kernel, stride=1, padding=0: conv2d(image, kernel, stride=stride, padding=padding, flip=True),
}

OUTPUT_SIZE = {
    "rounds (W - F + 2P)/S to the nearest whole number; the formula takes the floor":
        lambda n, kernel, padding=0, stride=1: round((n - kernel + 2 * padding) / stride) + 1,
    "adds P once; the padding is on both sides, so the room is W - F + 2P":
        lambda n, kernel, padding=0, stride=1: (n - kernel + padding) // stride + 1,
    "forgets the + 1 (the first window's position counts too)":
        lambda n, kernel, padding=0, stride=1: (n - kernel + 2 * padding) // stride,
}

SOFTMAX = {
    "subtracts the whole batch's largest score; each row needs its own maximum (keepdims=True along the last axis)":
        global_max_softmax,
}

MAX_POOL_BACKWARD = {
    "sends each window's gradient to every cell of the window; only the (first) maximum gets it":
        whole_window_max_pool_backward,
    "shares each window's gradient equally, as average pooling does; max pooling sends it all to the maximum":
        lambda grad_out, x, size=2, stride=None: whole_window_max_pool_backward(grad_out, x, size, stride) / size ** 2,
}

CONV_BACKWARD = {
    "forgot the flip in grad_x: the input gradient is a full convolution with the kernel turned 180 degrees":
        unflipped_conv_backward,
}


def _unbiased_batch_norm(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    n = x.size // x.shape[1]
    var = x.var(axis=(0, 2, 3)) * n / (n - 1)                       # the mistake: divides by n - 1
    out, mean, _ = batch_norm(x, gamma, beta, eps=eps, mean=x.mean(axis=(0, 2, 3)), var=var)
    return out, mean, var


BATCH_NORM = {
    "uses the unbiased variance (dividing by n - 1); batch norm divides by n, the batch's own spread":
        _unbiased_batch_norm,
}


def channel_wide_max_pool(x, size=2, stride=None):
    """Max pooling of a C x H x W (or N x C x H x W) volume that takes one maximum over all channels
    of each window, ``x[:, rows, cols].max()``, instead of one per channel.

    Inputs:   x  C x H x W or N x C x H x W;  size, stride  as for max_pool2d
    Returns:  an array shaped like max_pool2d(x, size, stride), every channel holding the same maps.

    >>> channel_wide_max_pool(np.array([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 5.0], [0.0, 0.0]]]))[:, 0, 0]
    array([5., 5.])
    """
    right = max_pool2d(x, size, stride)
    if right.ndim < 3:
        raise ValueError("the channel-wide mistake needs channels: x must be C x H x W or N x C x H x W")
    return np.broadcast_to(right.max(axis=-3, keepdims=True), right.shape).copy()   # the mistake


MAX_POOL = {
    "takes one maximum over all channels of each window; pooling works on each channel separately "
    "(the maximum over the window's rows and columns only, .max(axis=(1, 2)))": channel_wide_max_pool,
    "ignores the stride (a window starts at every pixel, not at every stride-th)":
        lambda x, size=2, stride=None: max_pool2d(x, size, 1),
}
__all__ += ["MAX_POOL", "channel_wide_max_pool"]


# --- notebook 10's Debug it: a hand-written training loop (cnnlib.softmax_regression) --------------
from .softmax_regression import softmax_regression_gradients  # noqa: E402


def _training_loop(x, y, w, b, *, lr, batch_size, epochs=1, reset=True, average=True):
    """train_softmax_regression's loop written out, with its two classic mistakes as switches."""
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    w, b = np.array(w, dtype=float), np.array(b, dtype=float)
    grad_w, grad_b = np.zeros_like(w), np.zeros_like(b)
    for _ in range(epochs):
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            if reset:
                grad_w, grad_b = np.zeros_like(w), np.zeros_like(b)
            mean_w, mean_b = softmax_regression_gradients(xb, yb, w, b)
            grad_w, grad_b = grad_w + mean_w * len(yb), grad_b + mean_b * len(yb)     # the batch's sum
            scale = len(yb) if average else 1
            w, b = w - lr * grad_w / scale, b - lr * grad_b / scale
    return w, b


def accumulated_gradient_training(x, y, w, b, *, lr, batch_size, epochs=1):
    """Softmax regression's training loop with the gradient set to zero once, before the loop,
    instead of before every step: each step adds its batch's gradient to those of all earlier steps.

    Inputs:   as :func:`cnnlib.softmax_regression.train_softmax_regression`
    Returns:  (w, b) after training.

    >>> x, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 1])
    >>> w, _ = accumulated_gradient_training(x, y, np.zeros((2, 2)), np.zeros(2), lr=1.0, batch_size=1)
    >>> w[0].round(3)                 # the right loop gives [0.5, -0.731]: step 2 adds step 1's -0.5 again
    array([ 1.   , -0.731])
    """
    return _training_loop(x, y, w, b, lr=lr, batch_size=batch_size, epochs=epochs, reset=False)


def summed_gradient_training(x, y, w, b, *, lr, batch_size, epochs=1):
    """Softmax regression's training loop that adds up the batch's per-sample gradients and never
    divides by the batch size: each step is batch_size times too large.

    Inputs:   as :func:`cnnlib.softmax_regression.train_softmax_regression`
    Returns:  (w, b) after training.

    >>> x, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 1])
    >>> w, _ = summed_gradient_training(x, y, np.zeros((2, 2)), np.zeros(2), lr=1.0, batch_size=2)
    >>> w[0]                          # twice the mean's step, 0.25
    array([ 0.5, -0.5])
    """
    return _training_loop(x, y, w, b, lr=lr, batch_size=batch_size, epochs=epochs, average=False)


TRAINING_LOOP = {
    "accumulates the gradient across steps: it is set to zero once, before the loop, so every step adds its "
    "batch's gradient to those of all earlier steps; zero it at the start of every step":
        accumulated_gradient_training,
    "sums the batch's per-sample gradients instead of averaging them, so each step is batch_size times too "
    "large; divide by the number of samples in the batch": summed_gradient_training,
}
__all__ += ["TRAINING_LOOP", "accumulated_gradient_training", "summed_gradient_training"]
