"""Concept questions for notebook 06 (non-linearities, vanishing signals, pooling, dropout)."""
from . import Option, Question

QUESTIONS = [
    Question(
        "Why does a CNN put an activation function between two convolutions?",
        (Option("Without it the two convolutions add up to a single convolution", True,
                "Convolutions are linear, and linear after linear is linear: a then b equals one kernel c."),
         Option("Without it the gradients could not be computed", False,
                "A stack of linear layers is perfectly differentiable; the problem is that it is no more "
                "powerful than one layer."),
         Option("To keep the values between 0 and 1", False,
                "ReLU does not bound its output at all, and it is the most used activation; the point is "
                "the bend, not the range."))),
    Question(
        "What does 2x2 max pooling throw away?",
        (Option("Where inside each window the largest value was", True,
                "It keeps the strongest response and forgets its exact position, which is why small shifts "
                "inside a window do not change it."),
         Option("How strong the strongest response was", False,
                "The maximum itself is exactly what max pooling keeps."),
         Option("The channels: a C-channel volume becomes one map", False,
                "Pooling works on each channel separately, so the depth stays C."))),
    Question(
        "The input image moves 3 pixels to the right (nothing leaves the frame). What happens to the feature "
        "map of a convolution (stride 1, 'same' padding)?",
        (Option("It moves 3 pixels to the right and is otherwise unchanged", True,
                "The same kernel is applied at every position, so the response follows the pattern: the "
                "convolution is translation equivariant."),
         Option("It stays exactly the same", False,
                "That would be invariance. A convolution keeps track of where things are; only pooling "
                "makes the output (approximately) ignore small shifts."),
         Option("It changes unpredictably", False,
                "Weight sharing makes the response to a pattern the same wherever the pattern is."))),
    Question(
        "Why does He initialisation use a weight variance twice Glorot's for ReLU layers?",
        (Option("A ReLU zeroes about half of its inputs, halving the signal's variance at every layer", True,
                "Doubling the weights' variance makes up for the half that is zeroed, so the spread of the "
                "activations stays level through many layers."),
         Option("Because ReLU's slope is 2 for positive inputs", False,
                "ReLU's slope is exactly 1 where it is active and 0 elsewhere."),
         Option("So that no ReLU unit can ever die", False,
                "A unit whose input is negative for every example is dead whatever the initial variance; "
                "He's rule is about the average spread, not individual units."))),
    Question(
        "A network trained with inverted dropout (p = 0.5) is used to classify new images. What does the "
        "dropout layer do now?",
        (Option("Nothing: every unit is kept and nothing is scaled", True,
                "Inverted dropout already divided the survivors by 1 - p during training, so the expected "
                "values match and test time needs no change."),
         Option("It multiplies every value by 0.5", False,
                "That is the test-time rule of the original, non-inverted dropout; the inverted kind did its "
                "scaling while training."),
         Option("It still drops half of the units at random", False,
                "Then the same image could get different answers on every run; dropout is for training only."))),
]
