"""The activation layers, ReLU, Tanh and Sigmoid: the functions of :mod:`cnnlib.activations` as layers."""
from .. import activations
from .base import Layer

__all__ = ["ReLU", "Tanh", "Sigmoid"]


class _Activation(Layer):
    """out = f(z) element-wise; backward multiplies by f'(z) (functions from cnnlib.activations)."""
    function = derivative = None

    def forward(self, x, training=False):
        """f(x) element-wise; keeps x for :meth:`backward`.

        Inputs:   x  any batch, N x ...;  training  unused
        Returns:  an array of x's shape.

        >>> Tanh().forward(np.array([[0.0, 100.0]]))
        array([[0., 1.]])
        """
        self._z = self._input(x)
        return type(self).function(self._z)

    def backward(self, grad_out):
        """grad_out times f'(x), element-wise (the chain rule for a function of one number).

        Inputs:   grad_out  the shape of the last forward's output
        Returns:  dL/dx, the same shape.

        >>> sigmoid = Sigmoid()
        >>> out = sigmoid.forward(np.array([[0.0]]))
        >>> sigmoid.backward(np.array([[1.0]]))             # sigma'(0) = 0.5 * 0.5
        array([[0.25]])
        """
        return grad_out * type(self).derivative(self._cached("_z"))


class ReLU(_Activation):
    """ReLU(z) = max(0, z); the gradient passes where z > 0.

    Inputs:   none
    Returns:  a layer that keeps the input's shape; no parameters.

    >>> ReLU().forward(np.array([[-2.0, 0.0, 3.0]]))
    array([[0., 0., 3.]])
    """
    function, derivative = staticmethod(activations.relu), staticmethod(activations.relu_grad)


class Tanh(_Activation):
    """tanh(z); gradient factor 1 - tanh(z)^2.

    Inputs:   none
    Returns:  a layer that keeps the input's shape; no parameters.

    >>> Tanh().forward(np.array([[-1.0, 0.0, 1.0]])).round(3)
    array([[-0.762,  0.   ,  0.762]])
    """
    function, derivative = staticmethod(activations.tanh), staticmethod(activations.tanh_grad)


class Sigmoid(_Activation):
    """sigma(z) = 1 / (1 + e^-z); gradient factor sigma(z)(1 - sigma(z)).

    Inputs:   none
    Returns:  a layer that keeps the input's shape; no parameters.

    >>> Sigmoid().forward(np.array([[-2.0, 0.0, 2.0]])).round(3)
    array([[0.119, 0.5  , 0.881]])
    """
    function, derivative = staticmethod(activations.sigmoid), staticmethod(activations.sigmoid_grad)
