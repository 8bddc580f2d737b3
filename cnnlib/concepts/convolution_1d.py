"""Concept questions for notebook 01 (1D convolution, the flight readings of seed 004).

The notation is the notebook's: weights w_-6 ... w_0, where w_-a multiplies the reading a steps
before the reference point t, s_t = sum_a w_-a x_(t-a); the array ``w`` stores them oldest first.
"""
from . import Option, Question

QUESTIONS = [
    Question(
        "In s_t = sum over a of w_-a x_(t-a), which reading does the weight w_-1 multiply when t = 6?",
        (Option("x_5, the reading one step before the reference point", True,
                "a = 1 pairs w_-1 with x_(t-1) = x_5: a weight's subscript counts back from t."),
         Option("x_1", False,
                "That is the notes' slip (x_1 -> w_-1): it pairs by absolute position, but the subscript is "
                "counted from the reference point t, not from the first reading."),
         Option("x_7", False,
                "x_7 lies after t = 6, in the future; the negative subscripts only look back."),
         Option("x_6", False,
                "x_6 is the reading at t itself, which w_0 multiplies (a = 0)."))),
    Question(
        "The notes average three distance readings, (x_0 + x_1 + x_2)/3 = 1.10. What is that number?",
        (Option("A smoothed distance: roughly where the aircraft was, with the noise of single readings averaged out",
                True, "An average of distances is a distance, in the readings' units (hundreds of km)."),
         Option("The aircraft's overall speed", False,
                "Averaging distances cannot give a speed: a speed is a change in distance per unit of time, "
                "here (x_2 - x_0)/2 = 0.10 per step."),
         Option("The aircraft's speed at t = 2", False,
                "The speed at t = 2 is the change x_2 - x_1 = 0.10 per step, a difference of readings, not "
                "their average."))),
    Question(
        "Why do the flight weights 0.01 0.01 0.02 0.02 0.04 0.4 0.5 add up to 1?",
        (Option("So that a steady series comes out unchanged: if every reading is 2.0, the estimate is 2.0", True,
                "The output of a constant series is the constant times the sum of the weights; a sum of 1 "
                "keeps it, as any weighted average must."),
         Option("Because a convolution only works with weights that sum to 1", False,
                "Any weights can be convolved: the speed kernel [-1, 1] of Exercise 5 sums to 0."),
         Option("So that the output has fewer values than the input", False,
                "The number of outputs depends on the padding (valid, same, full), not on the weights' sum."))),
    Question(
        "Twelve readings and seven weights, padding 'valid': how many estimates, and for which t?",
        (Option("6, for t = 6 ... 11", True,
                "Only windows that lie inside the readings count: 12 - 7 + 1 = 6, the first at t = 6."),
         Option("12, for t = 0 ... 11", False,
                "Twelve outputs need padding ('same' or causal): before t = 6 the window reaches x_-1 and beyond."),
         Option("5, for t = 7 ... 11", False,
                "12 - 7 forgets the + 1: the window x_0 ... x_6 already gives the first estimate, s_6."),
         Option("18, for t = 0 ... 17", False,
                "That is 'full' padding, 12 + 7 - 1, which keeps every partial overlap."))),
    Question(
        "w stores the weights oldest first and k = w[::-1] newest first. Which call gives the same series as "
        "conv1d(x, w)?",
        (Option("conv1d(x, k, flip=True)", True,
                "flip=True reverses k before sliding it, which gives back w: true convolution with the kernel "
                "stored by lag is cross-correlation with it stored in time order."),
         Option("conv1d(x, k)", False,
                "Without the flip the 0.5 meets the oldest reading of each window: the first output is 1.087, "
                "not 1.811."),
         Option("conv1d(x, w, flip=True)", False,
                "That reverses w, putting 0.5 on the oldest reading, the same wrong series as conv1d(x, k)."))),
]
