"""Figures of notebooks 01 and 04: the numbers they are built from, and that they draw."""
import io

import numpy as np
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from PIL import Image

from cnnlib.plots import figure_to_png, new_figure
from cnnlib.plots import conv1d as plots1d
from cnnlib.plots import shapes as plots_shapes
from cnnlib.shapes import formula_text

@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


X = np.array([1.00, 1.10, 1.20, 1.40, 1.70, 1.80, 1.90, 2.10, 2.20, 2.40, 2.50, 2.70])
W = np.array([0.01, 0.01, 0.02, 0.02, 0.04, 0.4, 0.5])


def test_flight_table_shows_s6():
    fig = plots1d.flight_table_figure(X, W, 6)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "1.811" in texts and "0.950" in texts and "nan" not in texts
    with pytest.raises(ValueError, match="t must be"):
        plots1d.flight_table_figure(X, W, 3)


def decode(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


def test_sliding_window_fast_updates_match_a_full_redraw():
    fast = plots1d.SlidingWindowView(new_figure(11, 7.5), X, W, "full")
    fast.show(6)
    fast.enable_fast_updates()
    assert np.isclose(fast.show(9), np.dot(X[3:10], W))
    slow_fig = new_figure(11, 7.5)
    plots1d.draw_sliding_window(slow_fig, X, W, 9, "full")
    fast_pixels, slow_pixels = decode(fast.png()), decode(figure_to_png(slow_fig))
    assert fast_pixels.shape == slow_pixels.shape
    # Same picture up to the drawing order of overlapping translucent artists.
    assert np.mean(np.abs(fast_pixels - slow_pixels).max(axis=2) > 40) < 0.01
    with pytest.raises(ValueError, match="t must be between 0 and 17"):
        fast.show(18)


def test_impulse_response_mirrors_without_flip_and_copies_with_flip():
    fig = plots1d.impulse_response_figure([1.0, 2.0, 3.0])
    no_flip, flip = fig.axes[2], fig.axes[3]
    heights = [np.array([p.get_height() for p in ax.patches]) for ax in (no_flip, flip)]
    np.testing.assert_array_equal(heights[0][heights[0] > 0], [3.0, 2.0, 1.0])
    np.testing.assert_array_equal(heights[1][heights[1] > 0], [1.0, 2.0, 3.0])


def test_other_conv1d_figures_draw():
    assert isinstance(plots1d.padding_modes_figure(X, W), Figure)
    assert isinstance(plots1d.sliding_window_figure(X, W, 11), Figure)
    noisy = X + 0.1
    assert len(plots1d.smoothing_figure(noisy, {"box": X}, truth=X).axes[0].lines) == 3
    shaded = plots1d.smoothing_figure(noisy, {"box": X}, warmup=6).axes[0].patches
    assert len(shaded) == 1 and np.isclose(shaded[0].get_x() + shaded[0].get_width(), 5.5)


def test_formula_text_fills_in_the_numbers():
    assert "does not fit" in formula_text(5, 9, 1)
    assert formula_text(227, 11, 0, 4).endswith("⌊(227 - 11 + 2·0)/4⌋ + 1 = 54 + 1 = 55")


def test_draw_output_grid_marks_skipped_cells_and_draws_one_dot_per_output():
    fig = new_figure(6, 5)
    ax = fig.subplots()
    layout = plots_shapes.draw_output_grid(ax, 8, 3, 0, 2)
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert layout["skipped"] == 1 and len(hatched) == 2
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert [len(line.get_xdata()) for line in dots] == [3 * 3, 3 * 3]  # window centres, then output cells
    np.testing.assert_allclose(sorted(set(dots[0].get_xdata())), [1.5, 3.5, 5.5])  # starts 0, 2, 4 plus half of F


def test_grid_figures_draw():
    fig = plots_shapes.output_grid_figure([(7, 3), (5, 9, 1), {"n": 8, "kernel": 3, "stride": 2}])
    assert len(fig.axes) == 4
    assert isinstance(plots_shapes.grid_legend_figure(), Figure)
    flow = plots_shapes.shape_flow_figure([(32, 32, 1), (28, 28, 6), 10], ["conv", "FC"])
    assert {"32×32×1", "28×28×6", "10"} <= {t.get_text() for t in flow.axes[0].texts}
    with pytest.raises(ValueError, match="operations"):
        plots_shapes.shape_flow_figure([(32, 32, 1), 10], [])
