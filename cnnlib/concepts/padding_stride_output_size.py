"""Concept questions for notebook 04 (padding, stride and the size of the output)."""
from . import Option, Question

QUESTIONS = [
    Question(
        "In cnnlib (and PyTorch) a 3x3 filter runs over a 5x5 image with padding=1 and stride 1. "
        "How large is the output?",
        (Option("5x5", True,
                "padding=1 puts one ring of zeros on each side: 5 - 3 + 2*1 + 1 = 5, 'same' padding."),
         Option("4x4", False,
                "That reads padding=1 as one zero in total (5 - 3 + 1 + 1). P counts the zeros on EACH "
                "side, so the padded image is 5 + 2P = 7 wide."),
         Option("3x3", False,
                "That is the output without any padding (5 - 3 + 1); padding=1 adds two columns in all."))),
    Question(
        "Ten filters of size 3x3x3 run over a 32x32x3 colour image (stride 1, padding 1). "
        "What is the depth of the output?",
        (Option("10", True, "Each filter gives one 2D map, so the depth is K, the number of filters."),
         Option("3", False,
                "The input's 3 channels set each filter's depth; every filter sums over all of them and "
                "produces a single map."),
         Option("30", False,
                "The channels are not kept apart: a filter adds its 3 channel contributions into one map, "
                "so 10 filters give 10 maps, not 10 x 3."))),
    Question(
        "A 3x3 filter with stride 2 on an 8x8 image: (8 - 3)/2 + 1 = 3.5. What does a framework do?",
        (Option("Returns a 3x3 output; the last row and column are never visited", True,
                "The floor counts only the windows that fit: floor(2.5) + 1 = 3."),
         Option("Returns a 4x4 output, padding the missing row and column", False,
                "Convolutions never add padding you did not ask for; a fourth position would stick out "
                "of the image."),
         Option("Raises an error, because 3.5 is not a whole number", False,
                "Frameworks floor silently (cnnlib only refuses when asked with exact=True), which is why "
                "checking the arithmetic yourself matters."))),
    Question(
        "How is the stride-2 output of a convolution related to its stride-1 output (same padding)?",
        (Option("It is every other row and column of the stride-1 output", True,
                "Stride 2 visits every second position of stride 1, so it keeps entries [::2, ::2]."),
         Option("It is the stride-1 output averaged over 2x2 blocks", False,
                "Nothing is averaged: the skipped positions are simply never computed."),
         Option("It is a different computation with a kernel twice as large", False,
                "The kernel stays the same; only the step between its positions changes."))),
    Question(
        "A transposed convolution with a 4x4 kernel, stride 2 and padding 1 turns a 14x14 map into a 28x28 "
        "one. Does it undo the convolution (same kernel, stride 2, padding 1) that took 28x28 to 14x14?",
        (Option("It restores the shape, not the values", True,
                "It multiplies by the transpose of the convolution's matrix, M^T, which is not its inverse: "
                "the 784 numbers cannot be rebuilt from 196."),
         Option("Yes: it computes the inverse of the convolution", False,
                "A 196 x 784 matrix has no inverse; going back from 196 numbers to 784 must lose "
                "information, and M^T is only its transpose."),
         Option("No: it gives a 27x27 map", False,
                "(14 - 1) * 2 - 2 * 1 + 4 = 28: the size rule of the transposed convolution runs the "
                "convolution's rule backwards."))),
]
