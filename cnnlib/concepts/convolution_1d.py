"""Concept questions for notebook 01 (1D convolution, the flight-speed example)."""
from . import Option, Question

QUESTIONS = [
    Question(
        "A weighted average of the last 3 speed readings uses weights w = (0.5, 0.3, 0.2), newest first. "
        "Written as a convolution y[t] = sum_a w[a] x[t-a], which reading does w[0] multiply?",
        (Option("The newest reading, x[t]", True,
                "a = 0 gives x[t - 0] = x[t]: the first weight goes with the newest reading."),
         Option("The oldest reading, x[t-2]", False,
                "That is the weight at a = 2. In convolution the index of w runs forward while the "
                "index of x runs backward (t - a): that reversal is the 'flip'."),
         Option("All three readings equally", False,
                "Each weight multiplies one reading; equal weights would be the plain mean (1/3 each)."))),
    Question(
        "Why do the convolution's weights in the flight-speed example sum to 1?",
        (Option("So that a constant speed stays the same after smoothing", True,
                "If every reading is v, the output is v times the sum of the weights; sum 1 keeps it v."),
         Option("Because convolution only works with weights that sum to 1", False,
                "Any weights can be convolved: an edge detector's weights sum to 0."),
         Option("To make the output shorter than the input", False,
                "The length depends on how the borders are handled, not on the weights' sum."))),
    Question(
        "A 'valid' convolution of 10 readings with 3 weights gives how many outputs?",
        (Option("8", True, "Only positions where all 3 weights lie on readings: 10 - 3 + 1 = 8."),
         Option("10", False, "That is 'same' output: it needs padding at the borders."),
         Option("7", False, "10 - 3 forgets the +1: the first window already gives one output."))),
]
