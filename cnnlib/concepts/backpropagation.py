"""Concept questions for notebook 08 (backpropagation through dense, pooling and convolution layers).

Conventions are the notebook's: conv2d computes cross-correlation; max pooling sends a window's gradient
to its first maximum in row-major order (as PyTorch does).
"""
from . import Option, Question

QUESTIONS = [
    Question(
        "A 2x2 max-pooling window holds [[1, 3], [3, 2]] and its output receives the gradient 1. Where does "
        "that 1 go in cnnlib's backward pass?",
        (Option("All of it to the first 3, at the top right", True,
                "The maximum equals one of its inputs, so only the winner's change moves the output; with a "
                "tie the first maximum in row-major order wins."),
         Option("0.5 to each of the two 3s", False,
                "cnnlib and PyTorch do not split a tie: one winner takes the whole gradient, so the gradient "
                "still sums to what came in."),
         Option("0.25 to every cell of the window", False,
                "That is average pooling's backward pass; max pooling ignores the cells that were not the "
                "maximum."),
         Option("1 to every cell of the window", False,
                "That sends out four times the gradient that came in, as if every cell had been the maximum: "
                "the whole-window bug of the Debug it."))),
    Question(
        "A 3x3 kernel slides over 100 positions of an image. What is the gradient of its weight w[0, 0]?",
        (Option("The sum, over all 100 positions, of dL/d(out) there times the input under w[0, 0]", True,
                "The same weight is used at every position (weight sharing), and a value used in several "
                "places collects the sum of their gradients: the branch rule."),
         Option("The average of those 100 contributions", False,
                "The chain rule adds the paths; nothing divides by the number of positions (an average "
                "would come only from a loss that averages)."),
         Option("The contribution of the position with the largest output", False,
                "Only max pooling picks a winner; a kernel weight affects every output it multiplies."),
         Option("Only the contribution of the last position, which overwrote the others", False,
                "Gradients from different uses accumulate (+=); none overwrites another."))),
    Question(
        "conv2d computes a cross-correlation of x with the kernel w. What is dL/dx?",
        (Option("The full convolution of dL/d(out) with w: a cross-correlation with w turned 180 degrees", True,
                "Input x[r] is read by output i through w[r - i]: the kernel index runs backwards as i grows, "
                "which is the flip."),
         Option("The full cross-correlation of dL/d(out) with w as it is", False,
                "That forgets the flip; it is right only for a kernel that is symmetric under a 180-degree turn."),
         Option("The cross-correlation of x with dL/d(out)", False,
                "That is dL/dw, the kernel's gradient; the input's gradient is built from the kernel, not from x."),
         Option("dL/d(out) itself, padded to x's size", False,
                "The kernel's weights must appear: each output sends g times w[a, c] to the input it read."))),
    Question(
        "A convolution layer with one filter produced a 4x4 output map. What is dL/db for its bias?",
        (Option("The sum of the 16 entries of dL/d(out)", True,
                "The bias is added to every output cell, so its gradient collects all 16 incoming gradients."),
         Option("The mean of the 16 entries", False,
                "Nothing divides by 16: the bias is used 16 times, and the branch rule adds the 16 paths."),
         Option("The 4x4 array dL/d(out) itself", False,
                "A gradient has the shape of its variable: one bias, one number."),
         Option("0, because a bias does not multiply anything", False,
                "A sum copies the incoming gradient to each of its inputs, the bias included."))),
]
