"""Answers to notebook 02's number exercises (the 5x5 image of seed 000)."""

from .. import kernels
from ..conv import conv2d
from ..data import sample_image
from .index import IMAGE


def _horizontal_edge_results():
    # What a kernel that finds only horizontal edges gives on the three test images of the exercise:
    # (zero on a flat image, zero on a vertical step, a response on a horizontal step).
    return (True, True, True)


ANSWERS = {
    "corner": (lambda: conv2d(IMAGE, kernels.box_blur(), padding=1)[0, 0],
               "only 4 of the 9 cells under the kernel hold image pixels; the other 5 are padding zeros"),
    "valid_map": (lambda: conv2d(IMAGE, kernels.sharpen(), padding=0),
                  "a window that stays inside the image is the same window with or without padding"),
    "ramp_response": (lambda: conv2d(sample_image("gradient_ramp"), kernels.edge(), padding=1)[64, 64],
                      {"hint": "pair each left neighbour with the right neighbour in the same row",
                       "atol": 1e-5}),
    "horizontal_edge": (_horizontal_edge_results,
                        "the three results are (flat is 0, vertical step is 0, horizontal step responds). "
                        "Across a horizontal edge the brightness changes from top to bottom"),
    "blur5_centre": (lambda: conv2d(IMAGE, kernels.box_blur(5), padding=2)[2, 2],
                     "centred on pixel (2, 2), a 5x5 window covers the whole image"),
}
