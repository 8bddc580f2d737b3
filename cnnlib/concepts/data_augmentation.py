"""Concept questions for notebook 11 (data augmentation, and dropout in a real run): which distortions
keep the label, why warping runs backwards, where augmentation applies, what a lower training
accuracy means, and what dropout does at test time.
"""
from . import Option, Question

QUESTIONS = [
    Question(
        "Which of these would be a harmful augmentation for handwritten digits?",
        (Option("Turning each digit by 180°", True,
                "A 6 turned upside down reads as a 9: the label is no longer true, and the network is taught "
                "contradictions."),
         Option("Shifting each digit by up to 2 pixels", False,
                "A shifted digit is the same digit; the shift only changes where its ink lies, which the "
                "network should learn to ignore."),
         Option("Turning each digit by up to 10°", False,
                "Handwriting is tilted by that much anyway; a 7 turned by 10° is still a 7."),
         Option("An elastic bend with σ = 4 and α = 12", False,
                "That is the full-MNIST benchmark's own setting: strokes bend a little but stay strokes, and the "
                "digit keeps its label."))),
    Question(
        "Why does warp compute, for every output pixel, the source point it reads from, instead of sending every "
        "input pixel to where it lands?",
        (Option("So that every output pixel gets exactly one value: no holes and no collisions", True,
                "Sent forwards, some output pixels receive nothing and others several; asked backwards, each "
                "output pixel reads the original once, at its source point."),
         Option("Because only the backward map can turn an image counterclockwise", False,
                "Both directions can describe any rotation; the backward one simply uses the inverse matrix."),
         Option("So that no interpolation is needed", False,
                "Source points are rarely whole numbers, so the backward map needs bilinear interpolation."),
         Option("Because it visits fewer pixels", False,
                "It visits every output pixel once, as many as a forward map visits input pixels."))),
    Question(
        "fit(..., augment=...) distorts the training batches. Should the validation and test images be "
        "distorted too?",
        (Option("No: they must measure how the network does on real, undistorted digits", True,
                "Augmentation is a way to train; the question a test answers is how well the network reads the "
                "handwriting it will meet, which is not distorted."),
         Option("Yes, so that they come from the same distribution as the training batches", False,
                "The distortions are a training device, not the distribution we care about; distorted test "
                "images would measure a different, harder task."),
         Option("Yes, otherwise the test accuracy is too optimistic", False,
                "Undistorted test digits are exactly the real task; random distortions would only add noise "
                "to the estimate."))),
    Question(
        "The augmented network scores lower on its own undistorted training images than the plain network, "
        "but higher on the test images. What does that show?",
        (Option("It memorised less and learned more of what the digits share: augmentation regularises", True,
                "It never saw those exact images, only variants of them, so it could not learn them by heart; "
                "the test accuracy is what counts."),
         Option("Augmentation damaged the network", False,
                "A network that reads new digits better is not damaged; lower training accuracy is the price of "
                "not memorising."),
         Option("The distortions changed the training labels", False,
                "Small turns, shifts and bends keep every label; nothing was mislabelled."),
         Option("The augmented network needed fewer epochs", False,
                "A harder, ever-changing task usually needs more epochs, not fewer; both runs had 16."))),
    Question(
        "A network trained with inverted dropout (p = 0.5) is evaluated (training=False). What does each "
        "Dropout layer do then?",
        (Option("Nothing: every unit is kept and nothing is scaled", True,
                "Inverted dropout already divided the survivors by the keep probability 1 - p during training, "
                "so at test time the layer is the identity."),
         Option("It drops half of the units, as in training", False,
                "Then the same image would get different answers on every run; at test time nothing is dropped."),
         Option("It multiplies every unit by 0.5", False,
                "That is the test-time rule of the original, non-inverted dropout; the inverted form scales "
                "during training instead."))),
]
