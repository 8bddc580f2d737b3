"""Concept questions for notebook 12 (batch normalisation, AlexNet/VGG/ResNet, the residual block):
what batch norm averages over, what it uses at test time, why a bias before it is useless, what
happens to gradients in deep stacks, and what the identity path does.
"""
from . import Option, Question

QUESTIONS = [
    Question(
        "A BatchNorm2D layer receives an N x C x H x W batch in training. Over which numbers is each mean taken?",
        (Option("Over the N samples and all H x W positions, separately for each channel", True,
                "One mean and one variance per channel, over N x H x W numbers: 64 x 28 x 28 = 50,176 of them "
                "after LeNet-5's conv1."),
         Option("Over the C channels of each pixel", False,
                "Averaging over channels is what layer and group normalisation do; batch norm keeps channels apart."),
         Option("Over the whole batch at once: one mean for everything", False,
                "Channels carry different features with different scales; batch norm standardises each one "
                "separately, with its own learned gamma and beta."),
         Option("Over each image's own pixels", False,
                "That is instance normalisation; batch norm pools the statistics over the samples of the batch."))),
    Question(
        "A trained network with batch norm classifies one image on its own (training=False). Which mean and "
        "variance does each batch-norm layer use?",
        (Option("The running estimates it kept during training", True,
                "They make the answer independent of which other images share the batch, and work for a batch of one."),
         Option("The mean and variance of the one test image", False,
                "One image gives a single value per position to average; its answer would also change with the "
                "company it keeps in a batch."),
         Option("Those of the last training batch", False,
                "One batch is a noisy sample; the running estimates average over many batches."))),
    Question(
        "Why are convolutions followed by batch norm built without a bias (BiasFreeConv2D)?",
        (Option("Batch norm subtracts each channel's mean, which removes any constant the bias adds", True,
                "The bias's gradient is the sum of dL/dx over the channel, which batch norm's backward pass makes "
                "zero: the bias could never learn, and beta already provides the offset."),
         Option("To save memory", False,
                "One bias per filter is a handful of numbers; the reason is that it cannot have any effect."),
         Option("Because biases make gradients explode", False,
                "A bias does not scale anything; before a batch norm it is simply cancelled."))),
    Question(
        "In the notebook, stacks of 32 plain blocks (convolution, batch norm, ReLU; no shortcuts) received a "
        "random gradient at the top. At initialisation, the gradient arriving at the input was:",
        (Option("more than a thousand times larger than at the top", True,
                "With batch norm, each block's Jacobian slightly amplifies the gradient, and 32 of them multiply: "
                "it explodes."),
         Option("vanishingly small", False,
                "That happens without batch norm or with saturating activations; here the product of Jacobians grows."),
         Option("about the same size", False,
                "Only the residual stack kept it within 100 times; the plain stack's product of Jacobians grew "
                "exponentially with depth."))),
    Question(
        "A residual block computes y = ReLU(F(x) + x). What does the identity path do in the backward pass?",
        (Option("It carries the gradient of the sum back to x unchanged, added to what flows through F", True,
                "An addition copies its gradient to both inputs; the copy on the shortcut skips every Jacobian "
                "inside F."),
         Option("It blocks the gradient from flowing through F", False,
                "Both paths carry gradient: the shortcut's copy is added to F's, not put in its place."),
         Option("It doubles the gradient at every block", False,
                "The shortcut adds dL/ds to F's contribution J_F^T dL/ds; it multiplies nothing by 2."))),
]
