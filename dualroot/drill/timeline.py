"""The timeline picture of one scenario: writers' acknowledgements and gaps, and the events of the drill.

Built on matplotlib's object API with the Agg canvas (no pyplot): no global figure state and no display,
so drills render the same in CI as on a desk.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dualroot.drill.report import ScenarioResult

# (label, Timings attribute, colour, line style): the events drawn as vertical lines.
EVENT_LINES = (
    ("fault", "fault", "black", "-"),
    ("detection", "detection", "tab:orange", "--"),
    ("fencing", "fencing", "tab:red", "-."),
    ("survivor writes again", "survivor_first_write", "tab:green", "--"),
    ("recovery action", "recovery_action", "tab:purple", ":"),
    ("node returned", "returned", "tab:blue", "-"),
)
GAP_COLOUR = "tab:red"


def build_timeline(result: ScenarioResult) -> Figure:
    """The figure (not yet saved). x is seconds after the fault, or after the start if no fault."""
    t = result.timings
    origin = t.fault if t.fault is not None else t.started
    figure = Figure(figsize=(11, 1.6 + 0.8 * max(1, len(result.writers))), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    for row, writer in enumerate(result.writers):
        xs = [x - origin for x in writer.ack_times]
        axes.scatter(xs, [row] * len(xs), marker="|", s=60, color="tab:gray",
                     label="acknowledged record" if row == 0 else None)
        spans = [(g.start - origin, g.seconds) for g in writer.gaps()]
        if spans:
            axes.broken_barh(spans, (row - 0.3, 0.6), facecolors=GAP_COLOUR, alpha=0.35,
                             label="writer gap" if row == 0 else None)
            longest = max(writer.gaps(), key=lambda g: g.seconds)
            axes.annotate(f"{longest.seconds:.1f} s",
                          (longest.start - origin + longest.seconds / 2, row + 0.35),
                          fontsize=8, color=GAP_COLOUR, ha="center")
    for label, attribute, colour, style in EVENT_LINES:
        value = getattr(t, attribute)
        if value is not None:
            axes.axvline(value - origin, color=colour, linestyle=style, linewidth=1.5,
                         label=f"{label} ({value - origin:+.1f} s)")
    axes.set_yticks(range(len(result.writers)))
    axes.set_yticklabels([f"writer {w.node}" for w in result.writers])
    axes.set_ylim(-0.8, max(1, len(result.writers)) - 0.2)
    axes.set_xlabel("seconds after the fault" if t.fault is not None else "seconds after start")
    axes.set_title(f"{result.name} ({result.agents} agents): {result.verdict.value.upper()}"
                   + (f" - {result.fault_description}" if result.fault_description else ""),
                   fontsize=10)
    axes.grid(axis="x", alpha=0.3)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    figure.tight_layout()
    return figure


def render_timeline_png(result: ScenarioResult, path: Path) -> Path:
    build_timeline(result).savefig(str(path), format="png")
    return path


def timeline_file_name(result: ScenarioResult) -> str:
    return f"timeline-{result.name.replace(':', '-')}.png"
