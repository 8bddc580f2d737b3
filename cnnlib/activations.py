"""Activation functions and their derivatives (taught in notebook 06).

Each ``*_grad`` is the derivative with respect to the input z, evaluated at z. :data:`ACTIVATIONS`
holds one :class:`Activation` record per function: its name, the function, its derivative, their
formulas and the ``cnnlib.nn`` layer that applies it.
"""
from typing import Callable, NamedTuple, Optional

import numpy as np

from ._checks import as_float_array


def sigmoid(z):
    """sigma(z) = 1 / (1 + exp(-z)).

    Written as exp(-log(1 + exp(-z))) via logaddexp so that large |z| never overflows.

    Inputs:   z  float array (or list, or number), any shape
    Returns:  float array of z's shape, values in [0, 1] (strictly inside for moderate |z|).

    >>> sigmoid([-2.0, 0.0, 2.0]).round(3)
    array([0.119, 0.5  , 0.881])
    """
    z = as_float_array(z, "z")
    return np.exp(-np.logaddexp(0.0, -z))


def sigmoid_grad(z):
    """sigma'(z) = sigma(z) (1 - sigma(z)); at most 0.25, reached at z = 0.

    Inputs:   z  float array (or list, or number), any shape
    Returns:  float array of z's shape, values in [0, 0.25].

    >>> sigmoid_grad([0.0, 5.0]).round(4)           # vanishes for large |z|
    array([0.25  , 0.0066])
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z).

    Inputs:   z  float array (or list, or number), any shape
    Returns:  float array of z's shape, values in [-1, 1].

    >>> tanh([-1.0, 0.0, 1.0]).round(3)            # odd: tanh(-z) = -tanh(z)
    array([-0.762,  0.   ,  0.762])
    """
    return np.tanh(as_float_array(z, "z"))


def tanh_grad(z):
    """tanh'(z) = 1 - tanh(z)^2; at most 1, reached at z = 0.

    Inputs:   z  float array (or list, or number), any shape
    Returns:  float array of z's shape, values in [0, 1].

    >>> tanh_grad([0.0, 2.0]).round(3)              # 1 - tanh(2)^2 = 1 - 0.964^2
    array([1.   , 0.071])
    """
    t = tanh(z)
    return 1.0 - t * t


def relu(z):
    """ReLU(z) = max(0, z).

    Inputs:   z  float array (or list, or number), any shape
    Returns:  float array of z's shape, values >= 0.

    >>> relu([-1.0, 0.0, 2.0])
    array([0., 0., 2.])
    """
    return np.maximum(0.0, as_float_array(z, "z"))


def relu_grad(z):
    """ReLU'(z) = 1 for z > 0, else 0 (we take 0 at z = 0, as the frameworks do).

    Inputs:   z  float array (or list, or number), any shape
    Returns:  float array of z's shape holding 0.0 and 1.0.

    >>> relu_grad([-1.0, 0.0, 2.0])
    array([0., 0., 1.])
    """
    z = as_float_array(z, "z")
    return (z > 0).astype(z.dtype)


def softplus(z):
    """softplus(z) = log(1 + e^z), a smooth ReLU; computed with logaddexp to avoid overflow.

    Inputs:   z  float array (or list, or number), any shape
    Returns:  float array of z's shape, values >= 0.

    >>> softplus([-100.0, 0.0, 100.0]).round(3)     # ~0, log 2, ~z: like ReLU away from 0
    array([  0.   ,   0.693, 100.   ])
    """
    return np.logaddexp(0.0, as_float_array(z, "z"))


def softplus_grad(z):
    """softplus'(z) = sigma(z).

    Inputs:   z  float array (or list, or number), any shape
    Returns:  float array of z's shape, values in [0, 1].

    >>> softplus_grad([0.0, 2.0]).round(3)          # sigmoid(0) = 0.5, sigmoid(2) = 0.881
    array([0.5  , 0.881])
    """
    return sigmoid(z)


class Activation(NamedTuple):
    """Everything cnnlib knows about one activation, in one record: the plots, the activation
    explorer, ``cnnlib.inspection`` (which names the feature maps after it) and the layers of
    ``cnnlib.nn`` read it from :data:`ACTIVATIONS`, so a new activation is added in one place."""

    name: str                # the key in ACTIVATIONS, as figures' legends write it: "relu"
    label: str               # as layer stages are named: "conv1 + ReLU"
    function: Callable       # f(z), element-wise
    derivative: Callable     # f'(z), element-wise
    formula: str             # f in LaTeX, for the explorer
    derivative_formula: str  # f' in LaTeX
    layer: Optional[str]     # the name of the cnnlib.nn layer class applying f, None if there is none


ACTIVATIONS = {a.name: a for a in (
    Activation("sigmoid", "sigmoid", sigmoid, sigmoid_grad, r"$\sigma(z) = \dfrac{1}{1 + e^{-z}}$",
               r"$\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$", "Sigmoid"),
    Activation("tanh", "tanh", tanh, tanh_grad, r"$\tanh(z) = \dfrac{e^{z} - e^{-z}}{e^{z} + e^{-z}}$",
               r"$\tanh'(z) = 1 - \tanh^2(z)$", "Tanh"),
    Activation("relu", "ReLU", relu, relu_grad, r"$\mathrm{ReLU}(z) = \max(0, z)$",
               r"$\mathrm{ReLU}'(z) = 1$ if $z > 0$, else $0$", "ReLU"),
    Activation("softplus", "softplus", softplus, softplus_grad, r"$\mathrm{softplus}(z) = \log(1 + e^{z})$",
               r"$\mathrm{softplus}'(z) = \sigma(z)$", None),
)}
"""name -> :class:`Activation`; ``ACTIVATIONS["relu"].function`` is :func:`relu`."""


__all__ = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "softplus",
           "softplus_grad", "Activation", "ACTIVATIONS"]
