"""Expected answers of notebook 12's number exercises (see :func:`cnnlib.exercises.check_answer`)."""
from ..architectures import vgg16
from ..nn import lenet5


def _values_per_mean():
    channels, height, width = lenet5().layers[0].output_shape((1, 32, 32))
    return 64 * height * width


def _vgg_fc_share():
    table = vgg16()
    return sum(row["params"] for row in table.rows if row["layer"].startswith("fc")) / table.total_params


ANSWERS = {
    "values_per_mean": (_values_per_mean,
                        "a channel's mean runs over every image of the batch and every position of its map"),
    "vgg_fc_share": (_vgg_fc_share, {"hint": "add the parameters of fc6, fc7 and fc8, then divide by the total",
                                     "rtol": 0.01}),
}
