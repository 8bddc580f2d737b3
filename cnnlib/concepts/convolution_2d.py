"""Concept questions for notebook 02 (2D convolution: the notes' 5x5 example, blur, sharpen, edges)."""
from . import Option, Question

QUESTIONS = [
    Question(
        "The notes' 5x5 image is zero-padded with P = 1 before the 3x3 sharpen kernel slides over it. "
        "How big is the padded grid?",
        (Option("7x7", True, "P counts the zeros on each side: 5 + 2 x 1 = 7 rows and 7 columns."),
         Option("6x6", False, "That adds P only once; the ring of zeros goes on both sides, so 2P is added."),
         Option("5x5", False, "5x5 is the size of the output with P = 1; the padded input is larger."))),
    Question(
        "Same image, same padding and kernel, but stride 2. What is the size of the output?",
        (Option("3x3", True, "(5 - 3 + 2)/2 + 1 = 3: the window starts at padded rows and columns 0, 2 and 4."),
         Option("2x2", False, "That forgets the padding: (5 - 3)/2 + 1 = 2 holds only for P = 0."),
         Option("5x5 with every other entry left empty", False,
                "A stride does not leave holes in the output: it computes fewer outputs, packed into a smaller map."),
         Option("2.5x2.5, rounded to 3x3", False,
                "(5 - 3 + 2)/2 = 2 exactly; the + 1 counts the first position, so there is nothing to round."))),
    Question(
        "What does the box blur (all nine weights 1/9) do to a pixel?",
        (Option("Replaces it with the mean of its 3x3 neighbourhood", True,
                "Nine values times 1/9 each, added: their mean (88.67 at pixel (2, 2) of the notes' image)."),
         Option("Divides it by 9", False,
                "That is the notes' misreading: the other eight weights add the neighbours, and the nine weights "
                "sum to 1, so a flat region keeps its brightness."),
         Option("Keeps the largest of the nine values", False,
                "That is max pooling's rule (notebook 06); a kernel multiplies and adds, it never takes a maximum."))),
    Question(
        "A large flat region has every pixel equal to 0.6. What do the sharpen and the edge kernels give inside it?",
        (Option("Sharpen 0.6, edge 0", True,
                "Sharpen's weights sum to 1, so a flat region stays 0.6; the edge kernel's sum to 0, so it gives 0."),
         Option("Sharpen 3.0 (5 x 0.6), edge -4.8 (-8 x 0.6)", False,
                "Those use only the centre weight; the neighbours' weights (-1 for sharpen, +1 for edge) cancel it "
                "down to the sum of the weights times 0.6."),
         Option("Both 0: there is nothing to sharpen or detect", False,
                "Sharpen adds the detail back to the pixel itself, whose value stays; only kernels whose weights "
                "sum to 0 erase flat regions."))),
    Question(
        "For which kernel does conv2d(image, k, flip=True) differ from conv2d(image, k)?",
        (Option("Sobel x", True,
                "Turned by 180 degrees Sobel x becomes its own negative, so true convolution flips the sign of "
                "every response (35 becomes -35)."),
         Option("The sharpen kernel", False,
                "Sharpen looks the same after a 180-degree turn, so the flip changes nothing."),
         Option("The box blur", False,
                "All nine weights are equal: turning the kernel changes nothing."))),
]
