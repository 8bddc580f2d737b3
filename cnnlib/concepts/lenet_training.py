"""Concept questions for notebook 10 (training LeNet-5 on MNIST): the sanity ladder, the gradient
check's kink, the update ratio, what the test set is for, and the hand-written loop's gradient.
"""
from . import Option, Question

QUESTIONS = [
    Question(
        "Before any training, a new 10-class network scores a loss of 6.9 on its first batch, not 2.3. "
        "What is the likeliest cause?",
        (Option("The initial weights are too large, so the scores are big and confidently wrong", True,
                "With scores near 0 every class gets 1/10 and the loss is ln 10 = 2.3; a loss of 6.9 means the "
                "true class gets only e^-6.9, about 0.001, so the scores are far from equal."),
         Option("The learning rate is too high", False,
                "No step has been taken yet: the learning rate cannot change the loss before the first update."),
         Option("The training set is too small", False,
                "The first loss does not depend on how many images there are: an untrained network scores "
                "about ln 10 on every image."),
         Option("Nothing: a loss far above ln 10 is normal before training", False,
                "Near-zero scores give ln 10 whatever the image; far above it is the first rung of the sanity "
                "ladder failing."))),
    Question(
        "A gradient check of a ReLU network fails on real (padded) digits but passes everywhere on random noise. "
        "What does that tell you?",
        (Option("Backpropagation is probably right; on the digits some units sit exactly on ReLU's kink", True,
                "All-zero windows make conv1 output exactly its bias, 0, where ReLU bends: the finite difference "
                "averages two slopes there, backpropagation uses one."),
         Option("Backpropagation has a bug that only real data reveals", False,
                "A wrong formula is wrong on any input; noise checks every array and finds nothing."),
         Option("The finite-difference step h must be larger", False,
                "Any step straddles a kink that sits exactly at 0; a larger h only adds the finite difference's "
                "own error."),
         Option("float64 is not precise enough for digits", False,
                "The precision is the same for digits and noise, and the failing errors are above 1e-3, far beyond "
                "rounding error."))),
    Question(
        "During training, one layer's update ratio ||dW|| / ||W|| stays near 1e-6 at every step. What does it suggest?",
        (Option("The layer hardly learns: its steps are too small for its weights", True,
                "A thousand such steps change the weights by about 0.1%; the rule of thumb is near 1e-3. Look at "
                "its gradient (vanishing?) and the learning rate."),
         Option("Healthy, stable training", False,
                "Around 1e-3 is the usual healthy level; 1e-6 is a thousand times smaller and the layer is "
                "practically frozen."),
         Option("The learning rate is too high", False,
                "A learning rate that is too high makes the ratio large (far above 1e-3), not tiny."),
         Option("The layer has found its best weights", False,
                "The ratio measures the size of the steps, not how good the weights are; only the loss can "
                "tell whether the layer is done."))),
    Question(
        "Why is the test set used only once, at the very end, and never to choose the learning rate or the "
        "number of epochs?",
        (Option("Choosing by it would fit the choices to those images, so its accuracy would flatter the model", True,
                "A test set estimates accuracy on new handwriting only if nothing was tuned on it; the validation "
                "set is there for the choices."),
         Option("Evaluating the test set is too slow to do often", False,
                "Evaluation is a forward pass only, cheaper than training; the reason is statistical, not speed."),
         Option("Its images are harder than the training images", False,
                "Training and test digits are drawn the same way; what matters is that the network and our "
                "choices never saw them."),
         Option("Looking at it would change the network's weights", False,
                "Evaluation runs forward only and changes no weight; the risk is in the choices we would make."))),
    Question(
        "A hand-written loop sets grad_w = 0 once, before the loop, and then does grad_w += (this batch's "
        "gradient) and w -= lr * grad_w at every step. What goes wrong?",
        (Option("Each step also repeats the gradients of all earlier steps, so the steps grow and training "
                "turns unstable", True,
                "The sum is never reset: step k moves by the sum of k batches' gradients. Zero it at the start of "
                "every step (a framework's zero_grad)."),
         Option("Nothing: the gradient is computed afresh at every step", False,
                "It is computed afresh, but += adds it to the old sum instead of replacing it."),
         Option("Each step is batch_size times too large", False,
                "That is the other classic mistake, summing a batch instead of averaging it; this one grows with "
                "the number of steps, not with the batch size."))),
]
