"""Concept questions for notebook 09 (mini-batches, momentum, Adam, learning-rate decay)."""
from . import Option, Question

QUESTIONS = [
    Question(
        "You raise the mini-batch size from 16 to 64 examples. What happens to the noise (the spread) of "
        "the gradient estimate?",
        (Option("It roughly halves", True,
                "An average of B independent draws scatters like 1/sqrt(B): four times the examples, "
                "half the spread (the notebook measured about 3.8 for B = 16 and 1.9 for B = 64)."),
         Option("It falls to a quarter", False,
                "The variance falls to a quarter; the spread is its square root and only halves."),
         Option("It stays the same: every batch is an unbiased estimate", False,
                "Unbiased means right on average; how far a single batch lands from the full gradient still "
                "shrinks with B."),
         Option("It doubles, because more examples add more noise", False,
                "The batch gradient is an average, not a sum: more examples average the noise away."))),
    Question(
        "Momentum with beta = 0.9 meets the same gradient g at every step. How fast does it move compared "
        "with gradient descent at the same learning rate?",
        (Option("Up to 10 times faster: the velocity approaches g / (1 - beta) = 10 g", True,
                "v = g (1 + beta + beta^2 + ...) adds up the past gradients; after 20 steps it is 8.78 g."),
         Option("0.9 times as fast, because beta scales the step down", False,
                "beta multiplies the old velocity, which is then added to the new gradient; the steps grow, "
                "they do not shrink."),
         Option("1.9 times as fast", False,
                "1.9 g is the velocity after the second step only; it keeps growing towards 10 g."),
         Option("Exactly as fast: momentum only changes the direction", False,
                "On a steady slope every gradient points the same way and they accumulate."))),
    Question(
        "At Adam's first step one weight has the gradient 250 and another 0.001 (learning rate 0.01). How "
        "far does each weight move?",
        (Option("Both move 0.01", True,
                "With bias correction m_hat = g and v_hat = g^2 at step 1, so the step is lr * g / |g| = "
                "lr * sign(g), whatever the gradient's size."),
         Option("2.5 and 0.00001: each step is lr times its gradient", False,
                "That is plain gradient descent; Adam divides by the root of the running mean of g^2."),
         Option("0.0316 and 0.0316", False,
                "That is the uncorrected first step, 3.16 lr; bias correction brings it back to lr."),
         Option("The first moves 0.01, the second hardly at all", False,
                "Adam scales each weight separately: a tiny gradient is divided by its own tiny size."))),
    Question(
        "On f = x^2 + (y^2 - 1)^2 / 2 an optimiser starts exactly on the axis y = 0, at (1.5, 0). Which "
        "optimisers leave the axis and reach a minimum at (0, 1) or (0, -1)?",
        (Option("None of them: gradient descent, momentum and Adam all stay on the axis", True,
                "On y = 0 the gradient's y component is exactly 0, so the velocity, m and v in y stay 0 too: "
                "every step is along the axis, into the saddle."),
         Option("Adam only, since it rescales the tiny y gradient", False,
                "Adam divides m by sqrt(v); with a y gradient of exactly 0 both are 0, and its y step is 0."),
         Option("Momentum and Adam, which carry velocity", False,
                "Velocity is built from past gradients, and none of them has a y component on the axis."),
         Option("All three: the saddle is unstable", False,
                "It is unstable against a nudge off the axis, but exactly on it nothing pushes in y."))),
    Question(
        "Single-example SGD with a constant learning rate keeps jumping around the minimum. Why does "
        "decaying the learning rate help?",
        (Option("Each step's random kick is the learning rate times a noisy gradient, so smaller steps shrink "
                "the cloud the weights wander in", True,
                "At the minimum the full gradient is 0 but each example's is not; with decay the notebook's "
                "last epoch stays within 0.0005 of the best loss."),
         Option("It makes each gradient estimate more accurate", False,
                "The gradient is as noisy as before; only the step it causes is smaller."),
         Option("It lets the optimiser take larger steps near the end", False,
                "Decay shrinks the steps: big steps first, small steps last."),
         Option("It changes which minimum the loss has", False,
                "The loss surface is the same; decay changes only how the weights move on it."))),
]
