"""Concept questions for notebook 03 (volumes, filters that span the full depth, 1x1 convolutions)."""
from . import Option, Question

QUESTIONS = [
    Question(
        "A layer's input is a 14x14x6 volume and its filters are 3x3 in space. What shape is each filter?",
        (Option("3x3x6", True, "A filter always spans the full depth of its input: 6 slices of 3x3."),
         Option("3x3x1", False,
                "A 3x3x1 filter would see only one of the six channels; filters never slide along the depth, "
                "they cover all of it."),
         Option("3x3x3, because images have three colours", False,
                "Three is the depth of a colour image; this input has 6 channels (the maps of the layer before), "
                "and the filter matches the depth of whatever it reads."))),
    Question(
        "Six filters of 5x5x3 slide over a 32x32x3 image (stride 1, no padding). What is the output?",
        (Option("28x28x6", True, "Each filter gives one 28x28 map (32 - 5 + 1 = 28); six filters, six maps."),
         Option("28x28x18", False,
                "That keeps one map per filter and channel; each filter adds its three channels' contributions "
                "into a single map."),
         Option("28x28x3", False,
                "The output depth is the number of filters, not the input's depth: the three channels are used "
                "up inside each filter."),
         Option("32x32x6", False,
                "Without padding a 5-wide filter fits in only 32 - 5 + 1 = 28 positions along each side."))),
    Question(
        "How many parameters does a layer of 16 filters of size 3x3 have when its input has 6 channels?",
        (Option("16 x 3 x 3 x 6 + 16 = 880", True, "Each filter is 3x3x6 = 54 weights plus one bias."),
         Option("16 x 3 x 3 + 16 = 160", False,
                "That forgets the depth: each filter spans all 6 input channels, so it has 54 weights, not 9."),
         Option("It depends on the height and width of the input", False,
                "The same weights are used at every position (weight sharing), so the image size does not enter "
                "the count."))),
    Question(
        "64 filters of size 1x1 are applied to a 14x14x256 volume (stride 1). What comes out, and how many "
        "parameters does the layer have?",
        (Option("14x14x64, with 256 x 64 + 64 = 16,448 parameters", True,
                "A 1x1 window fits at every pixel, so the size stays 14x14; each filter has 256 weights and a bias."),
         Option("1x1x64, with 64 + 64 = 128 parameters", False,
                "A 1x1 filter is small in space, not in depth: it spans all 256 channels, and it slides over all "
                "14x14 positions, so the map keeps its size."),
         Option("14x14x256, with 256 parameters", False,
                "The output depth is the number of filters, 64; scaling each channel by one number would keep "
                "256 channels, but a 1x1 filter mixes all channels into one number."))),
    Question(
        "Which layer computes the same thing as a 1x1 convolution with C_in input and C_out output channels?",
        (Option("A Dense layer with C_in inputs and C_out outputs, applied to every pixel with the same weights",
                True, "At each pixel the column of C_in channel values is multiplied by a C_out x C_in matrix, "
                      "plus the biases."),
         Option("A Dense layer on the whole flattened image", False,
                "That would connect every pixel to every output and need H x W times more weights; a 1x1 "
                "convolution never mixes different pixels."),
         Option("Average pooling across the channels", False,
                "Pooling has no weights; a 1x1 convolution learns C_out different weighted sums of the channels."))),
]
