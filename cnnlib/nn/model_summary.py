"""summary: every layer's output shape and parameter count, as a table (notebooks 10 and 12)."""
import html

from .containers import Sequential

__all__ = ["summary", "ModelSummary"]


class ModelSummary:
    """The table :func:`summary` returns: ``str(s)`` is plain text, ``_repr_html_`` a notebook table.

    ``rows``: one dict per layer with keys index, layer, output_shape (per sample, C x H x W),
    param_sizes (e.g. [150, 6] for weight and bias) and params (their sum). ``total_params``.

    Inputs:   input_shape  per sample, e.g. (1, 32, 32);  rows  the list of dicts described above
    Returns:  the table; ``.rows``, ``.total_params`` (an int) and ``.input_shape`` (a tuple).

    >>> table = ModelSummary((4,), [{"index": 0, "layer": "Dense(4, 2)", "output_shape": (2,),
    ...                              "param_sizes": [8, 2], "params": 10}])
    >>> table.total_params
    10
    >>> print(table)
    #  layer        output shape  parameters  weights + biases
    ----------------------------------------------------------
       input        4
    0  Dense(4, 2)  2                     10  8 + 2
    ----------------------------------------------------------
       total                              10
    """

    def __init__(self, input_shape, rows):
        self.input_shape = tuple(input_shape)
        self.rows = rows
        self.total_params = sum(row["params"] for row in rows)

    def _cells(self):
        header = ("#", "layer", "output shape", "parameters", "weights + biases")
        body = [("", "input", " x ".join(map(str, self.input_shape)), "", "")]
        for row in self.rows:
            sizes = " + ".join(f"{s:,}" for s in row["param_sizes"])
            body.append((str(row["index"]), row["layer"], " x ".join(map(str, row["output_shape"])),
                         f"{row['params']:,}" if row["params"] else "0", sizes))
        footer = ("", "total", "", f"{self.total_params:,}", "")
        return header, body, footer

    def __str__(self):
        header, body, footer = self._cells()
        widths = [max(len(r[i]) for r in (header, *body, footer)) for i in range(len(header))]
        right = {0, 3}

        def line(cells):
            padded = (c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
            return "  ".join(padded).rstrip()

        rule = "-" * len(line(header))
        return "\n".join([line(header), rule, *map(line, body), rule, line(footer)])

    __repr__ = __str__

    def _repr_html_(self):
        header, body, footer = self._cells()

        def row(cells, tag="td"):
            align = ["right" if i in (0, 3) else "left" for i in range(len(cells))]
            return "<tr>" + "".join(f'<{tag} style="text-align:{a}">{html.escape(c)}</{tag}>'
                                    for c, a in zip(cells, align)) + "</tr>"

        return ("<table><thead>" + row(header, "th") + "</thead><tbody>" + "".join(map(row, body))
                + "</tbody><tfoot>" + row(footer, "th") + "</tfoot></table>")


def summary(model, input_shape=None):
    """Every layer's output shape (per sample, C x H x W) and parameter count, as a table.

    ``input_shape`` is per sample, e.g. (1, 32, 32); a model built with an ``input_shape``
    (like :func:`lenet5`) needs none. For LeNet-5 the counts are 150 + 6, 2400 + 16,
    48,000 + 120, 10,080 + 84 and 840 + 10: 61,706 in all (SEED_NOTES.md).

    Inputs:   model        a cnnlib.nn layer or :class:`Sequential`
              input_shape  per sample, e.g. (1, 32, 32); None to use the model's own
    Returns:  a :class:`ModelSummary`: ``print`` it for the table; ``.rows`` (one dict per layer)
              and ``.total_params`` (an int).

    >>> from cnnlib.nn import lenet5
    >>> print(summary(lenet5()))
     #  layer                         output shape  parameters  weights + biases
    ----------------------------------------------------------------------------
        input                         1 x 32 x 32
     0  Conv2D(1, 6, kernel_size=5)   6 x 28 x 28          156  150 + 6
     1  ReLU()                        6 x 28 x 28            0
     2  MaxPool2D(2)                  6 x 14 x 14            0
     3  Conv2D(6, 16, kernel_size=5)  16 x 10 x 10       2,416  2,400 + 16
     4  ReLU()                        16 x 10 x 10           0
     5  MaxPool2D(2)                  16 x 5 x 5             0
     6  Flatten()                     400                    0
     7  Dense(400, 120)               120               48,120  48,000 + 120
     8  ReLU()                        120                    0
     9  Dense(120, 84)                84                10,164  10,080 + 84
    10  ReLU()                        84                     0
    11  Dense(84, 10)                 10                   850  840 + 10
    ----------------------------------------------------------------------------
        total                                           61,706
    """
    layers = model.layers if isinstance(model, Sequential) else [model]
    if input_shape is None:
        input_shape = getattr(model, "input_shape", None)
        if input_shape is None:
            raise ValueError("input_shape is required (per sample, e.g. (1, 32, 32)) for a model built without one")
    shape, rows = tuple(input_shape), []
    for i, layer in enumerate(layers):
        try:
            shape = layer.output_shape(shape)
        except ValueError as err:
            raise ValueError(f"layer {i}, {err}") from err
        sizes = [p.size for _, p in layer.named_parameters()]
        rows.append({"index": i, "layer": repr(layer), "output_shape": shape,
                     "param_sizes": sizes, "params": sum(sizes)})
    return ModelSummary(input_shape, rows)
