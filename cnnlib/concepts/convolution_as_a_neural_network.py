"""Concept questions for notebook 05 (convolution as a neural network)."""
from . import Option, Question

QUESTIONS = [
    Question(
        "A 3x3 kernel runs over a 6x6 input (stride 1, no padding). Written as a matrix M with "
        "M @ x.ravel() = the output, how many non-zero entries does each row of M have?",
        (Option("9", True, "Each row is one output neuron, and it sees only the 9 inputs under its window."),
         Option("36", False,
                "That would be a fully connected neuron seeing every input; a convolution's neuron is "
                "sparsely connected to its window only."),
         Option("16", False,
                "16 is the number of rows (a 4x4 output), not the number of inputs each row uses."))),
    Question(
        "What does weight sharing mean in a convolutional layer?",
        (Option("Every output neuron of a map uses the same kernel weights", True,
                "One kernel slides over the whole input, so all neurons of its map share its few weights."),
         Option("Every output neuron sees the same inputs", False,
                "Each neuron sees its own window; what they share is the weights applied to the window."),
         Option("Consecutive layers reuse each other's weights", False,
                "Each layer has its own kernels; sharing happens across positions within one map."))),
    Question(
        "Together, sparse connectivity and weight sharing cut LeNet's first layer from 4,816,896 weights "
        "(fully connected) to 150. Which idea accounts for the larger factor?",
        (Option("Weight sharing: it divides by 784, the number of window positions", True,
                "Sparse but unshared needs 4704 x 25 = 117,600 weights (a factor 41); sharing then divides "
                "by the 784 positions every filter visits."),
         Option("Sparse connectivity: it divides by about 32,000", False,
                "32,000 is the combined factor. Sparsity alone keeps 25 weights for each of the 4,704 "
                "neurons, 117,600 in all: a factor of only 41."),
         Option("Both contribute equally", False,
                "The factors are 41 for sparsity and 784 for sharing; they multiply to about 32,000."))),
    Question(
        "The fast convolution copies every window into a row of a matrix (im2col) and does one matrix "
        "product. Compared with the loops, what does it trade?",
        (Option("Memory for speed: each pixel is copied into up to F x F rows", True,
                "The multiply-adds are the same; the window matrix costs memory, and in exchange compiled "
                "code does all of them at once."),
         Option("Accuracy for speed: it approximates the convolution", False,
                "It computes exactly the same sums; the notebook checks it against the loops."),
         Option("Nothing: it does fewer multiply-adds than the loops", False,
                "The number of multiply-adds is identical (K x H_O x W_O x C x F x F); only who performs "
                "them changes: compiled code instead of the Python interpreter."))),
    Question(
        "Three 3x3 convolutions are stacked, each with stride 1. How large is the receptive field of a neuron "
        "in the third layer?",
        (Option("7x7", True, "Each layer adds F - 1 = 2: 3, then 5, then 7."),
         Option("9x9", False, "Adding the three kernel sizes double-counts: neighbouring windows overlap, "
                              "so each layer adds F - 1, not F."),
         Option("27x27", False, "Receptive fields grow by adding, not multiplying, when the stride is 1."))),
]
