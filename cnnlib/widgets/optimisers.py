"""Optimiser explorer (notebook 09): gradient descent, momentum and Adam on a 2D loss surface.

Pick a surface (a saddle between two minima, or a long narrow valley), an optimiser, a learning
rate, a start point and a number of steps; the path and the loss along it update together. Every
step is taken by ``cnnlib.optim.run_optimiser``, i.e. by ``cnnlib.optim``'s update functions.
"""

import ipywidgets as widgets
import matplotlib
import numpy as np

from ..optim import OPTIMISERS, SURFACES, run_optimiser
from ..plots import PROJECTOR_RC
from ..plots.optimisers import LOSS_FLOOR, OPTIMISER_NAMES, OPTIMISER_STYLE, draw_surface
from ..render import BlittedFigure
from ._base import Explorer, plain_text
from ._board import PictureView, TextView
from ._html import ERROR_RED
from ._html import warning as _warning_html

DEFAULT_STARTS = {"saddle": (1.5, 0.001), "valley": (-8.0, 1.5)}
SURFACE_LABELS = {"saddle": "a saddle between two minima", "valley": "a long narrow valley"}
MAX_STEPS = 300
LOSS_AXIS_LENGTHS = (25, 50, 100, 200, MAX_STEPS)
LOSS_LIMITS = (1e-5, 30.0)
STALL_DISTANCE = 0.2      # a path that ends this close to the saddle is reported as stalled there


def _loss_axis_length(steps):
    """The loss panel's x range: a few fixed lengths, so only a few backgrounds ever need drawing."""
    return next(length for length in LOSS_AXIS_LENGTHS if steps <= length)


def _point(p):
    return f"({p[0] + 0.0:.3f}, {p[1] + 0.0:.3f})"      # + 0.0 shows -0.000 as 0.000


class _SurfacePanel:
    """One surface's contour axes, built once, with the moving artists drawn on top of it."""

    def __init__(self, blit, rect, surface):
        self.surface = surface
        self.ax = blit.figure.add_axes(rect)
        draw_surface(self.ax, surface)
        self.paths = {}
        for optimiser in OPTIMISERS:
            style = OPTIMISER_STYLE[optimiser]
            self.paths[optimiser] = blit.animate(self.ax.plot(
                [], [], color=style["color"], linestyle=style["linestyle"], marker=style["marker"], markersize=4,
                linewidth=style["linewidth"], markeredgecolor="black", markeredgewidth=0.5)[0])
        self.start = blit.animate(self.ax.plot([], [], "s", markersize=11, color="white", markeredgecolor="black")[0])
        self.end = blit.animate(self.ax.plot([], [], "o", markersize=12, markeredgecolor="black")[0])

    def show(self, visible):
        self.ax.set_visible(visible)
        for artist in (*self.paths.values(), self.start, self.end):
            artist.set_visible(visible)


def optimiser_explorer(surface="saddle", optimiser="gd", lr=0.05, start=None, steps=50, momentum=0.9,
                       compare=False):
    """Watch an optimiser walk across a 2D loss surface.

    Controls: "surface" ("saddle" or "valley", see ``cnnlib.optim.SURFACES``), "optimiser"
    ("gd", "momentum", "adam"), "lr" (log slider 0.001 to 1), "momentum" (used by "momentum"),
    "x0", "y0" (the start; reset to the surface's default when the surface changes), "steps",
    "compare" (also draw the other two optimisers, faintly, with the same settings).
    ``.shown``: surface, optimiser, lr, momentum, start, steps, steps_run, end, loss, gradient_norm,
    diverged_after, distance_to_saddle (None on the valley), stalled, others (optimiser -> final
    loss, when comparing), text, warning. A learning rate that makes the path run away is reported
    ("diverged after k steps") and the path is drawn up to there; nothing is raised.
    """
    if surface not in SURFACES:
        raise ValueError(f"surface must be one of {sorted(SURFACES)}, got {surface!r}")
    if optimiser not in OPTIMISERS:
        raise ValueError(f"optimiser must be one of {OPTIMISERS}, got {optimiser!r}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 1e-3 <= lr <= 1:
        raise ValueError(f"lr must be a number between 0.001 and 1, got {lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be an integer from 1 to {MAX_STEPS}, got {steps!r}")
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not 0 <= momentum <= 0.99:
        raise ValueError(f"momentum must be a number between 0 and 0.99, got {momentum!r}")
    start = DEFAULT_STARTS[surface] if start is None else tuple(float(v) for v in start)
    xlim, ylim = SURFACES[surface].xlim, SURFACES[surface].ylim
    if len(start) != 2 or not (xlim[0] <= start[0] <= xlim[1] and ylim[0] <= start[1] <= ylim[1]):
        raise ValueError(f"start must be a point (x, y) inside the plotted window x in {xlim}, y in {ylim}, "
                         f"got {start}")

    return OptimiserExplorer(surface, optimiser, float(lr), start, int(steps), float(momentum), bool(compare))


# (surface, loss-axis length) -> the static parts of the figure, shared by every OptimiserExplorer
# of the process: the layout is fixed, so they are the same for all.
_BACKGROUNDS = {}


class OptimiserExplorer(Explorer):
    """What :func:`optimiser_explorer` returns (see there). Views: "plot" (Image), "readout", "warning"."""

    def __init__(self, surface, optimiser, lr, start, steps, momentum, compare):
        xlim, ylim = SURFACES[surface].xlim, SURFACES[surface].ylim
        wide = widgets.Layout(width="480px")
        label = {"description_width": "110px"}
        controls = {
            "surface": widgets.Dropdown(options=[(text, name) for name, text in SURFACE_LABELS.items()], value=surface,
                                        description="surface", style=label, layout=wide),
            "optimiser": widgets.ToggleButtons(options=[(OPTIMISER_NAMES[o], o) for o in OPTIMISERS], value=optimiser,
                                               description="optimiser", style=label),
            "lr": widgets.FloatLogSlider(value=float(lr), base=10, min=-3, max=0, step=0.01, description="learning rate",
                                         readout_format=".3g", style=label, layout=wide),
            "momentum": widgets.FloatSlider(value=float(momentum), min=0.0, max=0.99, step=0.01, description="momentum β",
                                            readout_format=".2f", style=label, layout=wide),
            "x0": widgets.FloatSlider(value=start[0], min=xlim[0], max=xlim[1], step=0.001, description="start x",
                                      readout_format=".3f", style=label, layout=wide),
            "y0": widgets.FloatSlider(value=start[1], min=ylim[0], max=ylim[1], step=0.001, description="start y",
                                      readout_format=".3f", style=label, layout=wide),
            "steps": widgets.IntSlider(value=int(steps), min=1, max=MAX_STEPS, description="steps", style=label,
                                       layout=wide),
            "compare": widgets.Checkbox(value=bool(compare), description="also show the other two optimisers (faint)",
                                        indent=False),
        }
        image = PictureView()
        readout = TextView()
        warning = TextView()
        column = widgets.VBox([controls[name] for name in ("surface", "optimiser", "lr", "momentum", "x0", "y0", "steps",
                                                           "compare")])
        super().__init__([column, image, readout, warning], controls,
                         views={"plot": image, "readout": readout, "warning": warning})

        blit = BlittedFigure.create(13, 4.8)
        with matplotlib.rc_context(PROJECTOR_RC):
            panels = {name: _SurfacePanel(blit, [0.06, 0.12, 0.5, 0.8], s) for name, s in SURFACES.items()}
            ax_loss = blit.figure.add_axes([0.64, 0.12, 0.34, 0.8])
            ax_loss.set(yscale="log", ylim=LOSS_LIMITS, xlabel="step", ylabel="loss (log scale)", title="loss along the way")
            ax_loss.grid(alpha=0.3, which="both")
            height = float(SURFACES["saddle"].loss(0.0, 0.0))
            saddle_marks = (ax_loss.axhline(height, color="0.4", linestyle=":", linewidth=2),
                            ax_loss.annotate(f"height of the saddle ({height:g})", (0.5, height), xytext=(0, 5),
                                             xycoords=("axes fraction", "data"), textcoords="offset points",
                                             ha="center", color="0.3", fontsize=11))
            diverged_note = blit.animate(ax_loss.text(0.5, 0.6, "", transform=ax_loss.transAxes, ha="center",
                                                      color=ERROR_RED, fontsize=15, fontweight="bold"))
            loss_lines = {}
            for o in OPTIMISERS:
                style = OPTIMISER_STYLE[o]
                color = "black" if style["color"] == "white" else style["color"]
                loss_lines[o] = blit.animate(ax_loss.plot([], [], color=color, linestyle=style["linestyle"], linewidth=2.5,
                                                          label=OPTIMISER_NAMES[o])[0])
            ax_loss.legend(loc="lower left", fontsize=11)
        self.blit, self.panels, self.ax_loss, self.loss_lines = blit, panels, ax_loss, loss_lines
        self.saddle_marks, self.diverged_note = saddle_marks, diverged_note
        self.surface_shown = None
        self.last_good = {}
        # The loss panel has a few fixed lengths: draw every surface's backgrounds now, so that no
        # move of the steps slider and no change of surface waits for a full redraw (the first
        # switch to the valley took 191 ms in the browser before). They depend on nothing the
        # controls set, so a second explorer in the same kernel takes the first one's.
        for name in sorted(SURFACES, key=lambda name: name == surface):    # the chosen one last
            self._show_panel(name)
            for length in LOSS_AXIS_LENGTHS:
                key = (name, length)
                if key in _BACKGROUNDS:
                    blit.adopt_background(key, _BACKGROUNDS[key])
                    continue
                ax_loss.set_xlim(0, length)
                blit.redraw_background(key=key)
                _BACKGROUNDS[key] = blit.saved_background(key)
        self._show_surface(surface)
        self.observe_controls()
        self.first_update()


    def _show_panel(self, name):
        for other, panel in self.panels.items():
            panel.show(other == name)
        for mark in self.saddle_marks:
            mark.set_visible("saddle" in SURFACES[name].points)

    def _show_surface(self, name):
        controls = self.controls
        self._show_panel(name)
        if self.surface_shown is not None:          # a new surface: start from its default point
            s = SURFACES[name]
            for key, (low, high), value in (("x0", s.xlim, DEFAULT_STARTS[name][0]),
                                            ("y0", s.ylim, DEFAULT_STARTS[name][1])):
                control = controls[key]
                control.min, control.max = min(low, control.min), max(high, control.max)
                control.value = value
                control.min, control.max = low, high
        self.surface_shown = name

    def update(self, change=None):
        controls, blit, ax_loss, loss_lines = self.controls, self.blit, self.ax_loss, self.loss_lines
        image, readout, warning = self.views["plot"], self.views["readout"], self.views["warning"]
        last_good = self.last_good
        name = controls["surface"].value
        if name != self.surface_shown:
            self._show_surface(name)
        surface = SURFACES[name]
        chosen = controls["optimiser"].value
        lr, beta = float(controls["lr"].value), float(controls["momentum"].value)
        start = (float(controls["x0"].value), float(controls["y0"].value))
        steps = int(controls["steps"].value)
        compare = bool(controls["compare"].value)
        controls["momentum"].disabled = chosen != "momentum" and not compare
        try:
            runs = {o: run_optimiser(surface, o, start, steps, lr=lr, momentum=beta)
                    for o in OPTIMISERS if o == chosen or compare}
        except (ValueError, TypeError, FloatingPointError) as error:     # never out of an event handler
            message = f"Cannot run this setting: {error}"
            warning.value = _warning_html(message)
            self.shown.update(last_good, warning=message)
            return
        panel = self.panels[name]
        for o in OPTIMISERS:
            path_line, loss_line = panel.paths[o], loss_lines[o]
            if o in runs:
                trajectory = runs[o]
                path_line.set_data(trajectory.path[:, 0], trajectory.path[:, 1])
                loss_line.set_data(np.arange(len(trajectory.losses)), np.maximum(trajectory.losses, LOSS_FLOOR))
                alpha = 1.0 if o == chosen else 0.4
                path_line.set_alpha(alpha)
                loss_line.set_alpha(alpha)
                path_line.set_zorder(4 if o == chosen else 3)
            else:
                path_line.set_data([], [])
                loss_line.set_data([], [])
        trajectory = runs[chosen]
        end = trajectory.path[-1]
        panel.start.set_data([start[0]], [start[1]])
        panel.end.set_data([end[0]], [end[1]])
        panel.end.set_color(OPTIMISER_STYLE[chosen]["color"])
        panel.end.set_markeredgecolor("black")
        self.diverged_note.set_text("" if trajectory.diverged_after is None
                               else f"diverged after {trajectory.diverged_after} steps")
        length = _loss_axis_length(steps)
        ax_loss.set_xlim(0, length)
        blit.redraw_background(key=(name, length))
        image.value = blit.png()

        loss = float(trajectory.losses[-1])
        gradient_norm = float(np.linalg.norm(surface.gradient(end)))
        saddle = surface.points.get("saddle")
        distance = None if saddle is None else float(np.hypot(end[0] - saddle[0], end[1] - saddle[1]))
        stalled = distance is not None and distance < STALL_DISTANCE
        text = (f"<b>{OPTIMISER_NAMES[chosen]}</b>, learning rate {lr:.3g}"
                + (f", momentum {beta:.2f}" if chosen == "momentum" else "")
                + f": {trajectory.path.shape[0] - 1} steps from {_point(start)} end at {_point(end)}, "
                f"loss {loss:.4f}, gradient size {gradient_norm:.2g}.")
        message = ""
        if trajectory.diverged_after is not None:
            message = (f"Diverged after {trajectory.diverged_after} steps: the learning rate is too large for this "
                       f"surface and the path ran off (drawn up to step {trajectory.diverged_after - 1}). "
                       "Try a smaller learning rate.")
        elif stalled:
            text += (f"<br>Stalled at the saddle (distance {distance:.3f}): the gradient there is almost zero, "
                     "although lower ground is close by. Nudge the start off the line y = 0, or try momentum or Adam.")
        others = {}
        if compare:
            others = {o: float(runs[o].losses[-1]) for o in OPTIMISERS if o != chosen}
            text += "<br>Same settings, the others (faint): " + ", ".join(
                f"{OPTIMISER_NAMES[o]} loss {value:.4f}" + (" (diverged)" if runs[o].diverged_after else "")
                for o, value in others.items()) + "."
        readout.value = f"<div style='font-size:16px'>{text}</div>"
        warning.value = _warning_html(message)
        last_good.update(surface=name, optimiser=chosen, lr=lr, momentum=beta, start=start, steps=steps,
                         steps_run=trajectory.path.shape[0] - 1, end=end.copy(), loss=loss,
                         gradient_norm=gradient_norm, diverged_after=trajectory.diverged_after,
                         distance_to_saddle=distance, stalled=stalled, others=others, text=readout.value)
        self.shown.update(last_good, warning=message)

    def describe(self):
        shown = self.shown
        if "text" not in shown:
            return shown.get("warning", "")
        return " ".join(part for part in (plain_text(shown["text"]), shown.get("warning", "")) if part)

    def alt_texts(self):
        shown = self.shown
        if "end" not in shown:
            return {"plot": "Contour map of the loss surface and the loss curve: nothing drawn, see the message."}
        name = OPTIMISER_NAMES[shown["optimiser"]]
        start, end = shown["start"], shown["end"]
        others = (" The other two optimisers' paths are drawn faintly for comparison." if shown["others"] else "")
        return {"plot": (f"Left: contour map of {SURFACE_LABELS[shown['surface']]} with the path of {name} from "
                         f"({start[0]:.2f}, {start[1]:.2f}), a square, to ({end[0]:.2f}, {end[1]:.2f}), a circle, "
                         f"in {shown['steps_run']} steps. Right: its loss at every step on a log scale, ending at "
                         f"{shown['loss']:.4g}." + (f" It diverged after {shown['diverged_after']} steps."
                                                     if shown["diverged_after"] else "") + others)}
