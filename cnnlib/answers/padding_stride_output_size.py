"""Answers to notebook 04's quiz (output sizes)."""
from ..shapes import conv_output_shape, output_size, same_padding


def _strides_that_divide(n=10, kernel=3, strides=range(1, 8)):
    fits = []
    for stride in strides:
        try:
            output_size(n, kernel, stride=stride, exact=True)
        except ValueError:
            continue
        fits.append(stride)
    return fits


ANSWERS = {
    "width": (lambda: output_size(64, 7, padding=3, stride=2),
              "(W - F + 2P)/S + 1, rounded down before adding 1"),
    "padding": (lambda: same_padding(5), "2P = F - 1"),
    "shape": (lambda: conv_output_shape((16, 14, 14), 3, filters=32, padding=1),
              "channels first: (D_O, H_O, W_O), and D_O is the number of filters"),
    "dilated_width": (lambda: output_size(15, 3, dilation=3),
                      "first find the effective size F + (F - 1)(d - 1)"),
    "even_strides": (lambda: _strides_that_divide(), "S must divide W - F + 2P = 7"),
}
