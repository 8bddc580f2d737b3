"""The optimiser explorer (notebook 09): build it, move its controls, check what it shows."""
import numpy as np
import pytest

from cnnlib.optim import run_optimiser
from cnnlib.widgets import optimiser_explorer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def explorer():
    return optimiser_explorer()


def test_default_shows_gradient_descent_slowed_at_the_saddle(explorer):
    shown = explorer.shown
    assert shown["surface"] == "saddle" and shown["optimiser"] == "gd" and shown["steps_run"] == 50
    expected = run_optimiser("saddle", "gd", (1.5, 0.001), 50, lr=0.05)
    np.testing.assert_array_equal(shown["end"], expected.path[-1])
    assert shown["loss"] == expected.losses[-1] and shown["loss"] > 0.45
    assert shown["stalled"] and "Stalled at the saddle" in shown["text"]
    assert shown["warning"] == "" and shown["diverged_after"] is None
    assert bytes(explorer.views["plot"].value[:8]) == PNG_SIGNATURE


@pytest.mark.slow
def test_adam_escapes_and_compare_reports_the_other_two():
    w = optimiser_explorer(optimiser="adam")
    assert not w.shown["stalled"] and w.shown["loss"] < 0.05 and w.shown["others"] == {}
    w.controls["compare"].value = True
    others = w.shown["others"]
    assert set(others) == {"gd", "momentum"}
    assert others["gd"] == pytest.approx(run_optimiser("saddle", "gd", (1.5, 0.001), 50, lr=0.05).losses[-1])
    assert "gradient descent loss" in w.shown["text"]


@pytest.mark.slow
def test_starting_on_the_axis_every_optimiser_stays_on_it():
    w = optimiser_explorer(start=(1.5, 0.0), steps=100)
    assert w.shown["distance_to_saddle"] < 1e-3
    for optimiser in ("momentum", "adam"):
        w.controls["optimiser"].value = optimiser
        assert w.shown["end"][1] == 0.0


def test_moving_controls_changes_values_not_children(explorer):
    children = explorer.children
    image = explorer.views["plot"]
    before = image.value
    explorer.controls["steps"].value = 120
    assert explorer.shown["steps"] == 120 and explorer.shown["steps_run"] == 120
    explorer.controls["lr"].value = 0.2
    assert explorer.shown["lr"] == pytest.approx(0.2)
    assert explorer.children is children and explorer.views["plot"] is image and image.value != before
    explorer.controls["steps"].value = 50
    explorer.controls["lr"].value = 0.05


@pytest.mark.slow
def test_switching_surface_resets_the_start_inside_the_new_window():
    w = optimiser_explorer()
    w.controls["surface"].value = "valley"
    assert w.shown["surface"] == "valley" and w.shown["start"] == (-8.0, 1.5)
    assert (w.controls["x0"].min, w.controls["x0"].max) == (-10.0, 10.0)
    assert w.shown["distance_to_saddle"] is None and not w.shown["stalled"]
    w.controls["surface"].value = "saddle"
    assert w.shown["start"] == (1.5, 0.001) and (w.controls["x0"].min, w.controls["x0"].max) == (-2.0, 2.0)



def test_the_browsers_rounded_echo_of_a_reset_start_draws_nothing_again_but_a_real_move_does():
    # After a surface change the browser's slider sends the start back as its steps compute it
    # (-8.000000000000002 for -8.0): that must not run and draw everything a second time.
    w = optimiser_explorer()
    w.controls["surface"].value = "valley"
    updates = len(w.update_ms)
    w.controls["x0"].value = -8.0 * (1 + 2e-16)
    w.controls["y0"].value = 1.5000000000000002
    assert len(w.update_ms) == updates
    w.controls["x0"].value = -7.999                       # one step of the slider: a real move
    assert len(w.update_ms) == updates + 1 and w.shown["start"] == (-7.999, 1.5000000000000002)


@pytest.mark.parametrize("old, new", [(float("inf"), 0.0), (0.0, float("inf")), (float("nan"), 0.0),
                                      (1e300, float("inf"))])
def test_a_change_from_or_to_a_non_finite_value_is_never_taken_for_a_rounding_echo(old, new):
    from cnnlib.widgets._base import _rounding_echo
    assert not _rounding_echo({"old": old, "new": new})
    assert _rounding_echo({"old": 1.5, "new": 1.5000000000000002}) and not _rounding_echo({"old": 1.5, "new": 1.501})


@pytest.mark.slow
def test_momentum_beats_gradient_descent_along_the_valley():
    w = optimiser_explorer(surface="valley", lr=0.1, steps=100)
    gd_loss = w.shown["loss"]
    w.controls["optimiser"].value = "momentum"
    assert w.shown["loss"] < gd_loss / 100


@pytest.mark.slow
def test_a_diverging_learning_rate_shows_a_message_and_keeps_going():
    w = optimiser_explorer(surface="valley", lr=0.6, steps=100)
    assert w.shown["diverged_after"] == 20 and w.shown["steps_run"] == 19
    assert "Diverged after 20 steps" in w.shown["warning"] and "Diverged after 20 steps" in w.views["warning"].value
    w.controls["lr"].value = 0.1                       # back to a safe rate: the message goes
    assert w.shown["diverged_after"] is None and w.shown["warning"] == ""


def test_bad_arguments_are_rejected_when_building():
    with pytest.raises(ValueError, match="surface must be one of"):
        optimiser_explorer(surface="bowl")
    with pytest.raises(ValueError, match="start must be a point"):
        optimiser_explorer(start=(5.0, 0.0))
    with pytest.raises(ValueError, match="lr must be a number"):
        optimiser_explorer(lr=5.0)
