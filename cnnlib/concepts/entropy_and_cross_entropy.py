"""Concept questions for notebook 07 (entropy, cross-entropy, softmax and the loss a CNN minimises).

Numbers are the notebook's: cross_entropy returns bits, the training losses nats; -ln 0.7 = 0.357
nats = 0.515 bits; ln 10 = 2.303 nats; at z = -6 the squared error's gradient is 405 times weaker.
"""
from . import Option, Question

QUESTIONS = [
    Question(
        "The photo shows a dog; the classes are (cat, dog, bird). Which prediction pays the largest "
        "cross-entropy loss?",
        (Option("(0.98, 0.01, 0.01): almost sure it is a cat", True,
                "The loss is -ln Q(dog) = -ln 0.01 = 4.6 nats: nearly ruling out what actually happened is "
                "what cross-entropy punishes hardest, and without limit as Q(dog) goes to 0."),
         Option("(1/3, 1/3, 1/3): no idea at all", False,
                "Being unsure is cheap: -ln(1/3) = 1.1 nats, about a quarter of what the confident wrong "
                "prediction pays."),
         Option("(0.4, 0.5, 0.1): leaning towards dog but unsure", False,
                "Q(dog) = 0.5 costs only -ln 0.5 = 0.69 nats; the 0.4 on cat does not enter the loss at all "
                "when the truth is one-hot."),
         Option("(0.01, 0.98, 0.01): almost sure it is a dog", False,
                "That is the right answer given confidently: -ln 0.98 = 0.02 nats, nearly free."))),
    Question(
        "For the same prediction (0.7 on the true class) cross_entropy gives 0.515 and categorical_cross_entropy "
        "gives 0.357. Why do they differ?",
        (Option("Different units: bits (log base 2) and nats (natural log); 0.515 x ln 2 = 0.357", True,
                "The base of the log is the unit, and 1 bit = ln 2 = 0.693 nats; the quantity is the same."),
         Option("categorical_cross_entropy also counts the wrong classes' probabilities", False,
                "With a one-hot truth every term but the true class's is multiplied by 0, in both functions."),
         Option("One of them averages over the three classes", False,
                "Neither divides by the number of classes: 0.357 / 3 would be 0.119, seed 002's slip."),
         Option("One of them applies a softmax first", False,
                "Both take probabilities; a softmax of (0.2, 0.7, 0.1) would give a different distribution "
                "and neither 0.515 nor 0.357."))),
    Question(
        "Why does cnnlib.softmax subtract each row's largest score before exponentiating?",
        (Option("So that exp cannot overflow; adding the same constant to a row's scores does not change its "
                "softmax", True,
                "After the shift the largest exponent is e^0 = 1, and e^c cancels between numerator and "
                "denominator: softmax([1000, 0]) = [1, 0] instead of nan."),
         Option("So that the probabilities add up to 1", False,
                "Dividing by the row's sum makes them add up to 1, with or without the shift."),
         Option("So that the largest score's probability becomes exactly 1", False,
                "The shift changes nothing in the result: for [1.3, 5.1, 2.2] the largest probability is "
                "0.928 either way."),
         Option("Any one constant would do, for example the largest score of the whole batch", False,
                "A row far below the batch's maximum, like [-1000, -1001] next to [1000, 0], then underflows to "
                "0 / 0 = nan: each row needs its own maximum."))),
    Question(
        "A freshly initialised 10-class network shows a first loss of 2.30 nats. What does that tell you?",
        (Option("As expected: it gives every class about 1/10, and -ln(1/10) = ln 10 = 2.303", True,
                "A network that knows nothing should start near ln(number of classes); a much larger first "
                "loss hints at a bug or a bad initialisation."),
         Option("It has already learned something, since 2.30 is well below 10", False,
                "The loss does not start at the number of classes: guessing uniformly gives ln 10 = 2.303, "
                "so 2.30 means it knows nothing yet."),
         Option("Something is broken: an untrained network's loss should be 0", False,
                "A loss of 0 means probability 1 on every true class, a perfect network, not an untrained one."),
         Option("It is confidently wrong on most images", False,
                "Confidently wrong predictions cost far more than ln 10 each (-ln 0.01 = 4.6 nats); 2.30 is the "
                "cost of shrugging."))),
    Question(
        "Why do classifiers with a sigmoid output train with cross-entropy rather than the squared error?",
        (Option("The squared error's gradient carries a factor sigmoid'(z), which vanishes when the output is "
                "confidently wrong", True,
                "At z = -6 with label 1 its gradient is 405 times weaker than cross-entropy's (y_hat - y), "
                "just when the network most needs correcting."),
         Option("The squared error cannot be differentiated", False,
                "It is smooth everywhere; its trouble is the size of its gradient, not its existence."),
         Option("The squared error punishes wrong answers too harshly", False,
                "The opposite: (y_hat - y)^2 / 2 never exceeds 1/2, while cross-entropy grows without limit "
                "as a wrong prediction gets more confident."),
         Option("Cross-entropy is faster to compute", False,
                "Both cost a handful of operations per example; the reason is how strongly each one pushes "
                "a wrong prediction back."))),
]
