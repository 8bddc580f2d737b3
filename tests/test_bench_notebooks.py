"""The pure helpers of benchmarks/bench_notebooks.py: timing metadata, memory lines and the tables.

Nothing here runs a notebook or asserts a time: those figures belong to the benchmark itself."""
from pathlib import Path

import pytest

import background

ROOT = Path(__file__).resolve().parent.parent
bench = background.load_script("benchmarks/bench_notebooks.py")


def markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(text, started=None, replied=None):
    execution = {}
    if started:
        execution = {"iopub.status.busy": started, "iopub.execute_input": started,
                     "shell.execute_reply": replied, "iopub.status.idle": replied}
    return {"cell_type": "code", "metadata": {"execution": execution}, "source": text, "outputs": []}


CELLS = [
    markdown("# 10 · Training\n\n**About 45 minutes** (plus an optional section)."),
    code("import numpy as np", "2026-12-01T10:00:00.000000Z", "2026-12-01T10:00:01.500000Z"),
    markdown("## 5. Training on the MNIST subset\n\nText."),
    code("\n# A live widget.\nhistory = fit(model)", "2026-12-01T10:00:01.600000Z", "2026-12-01T10:00:31.600000Z"),
    code("print(history)", "2026-12-01T10:00:31.700000Z", "2026-12-01T10:00:32.000000Z"),
    code("never run"),
]


def test_cell_seconds_is_the_reply_minus_the_execute_input():
    assert bench.cell_seconds(CELLS[1]) == pytest.approx(1.5)
    assert bench.cell_seconds(CELLS[3]) == pytest.approx(30.0)
    assert bench.cell_seconds(CELLS[5]) is None


def test_timestamps_with_z_or_an_offset_agree():
    assert bench.parse_timestamp("2026-12-01T10:00:00.250000Z") == bench.parse_timestamp("2026-12-01T10:00:00.25+00:00")


def test_summarise_spans_first_input_to_last_reply_and_names_the_longest_cell():
    summary = bench.summarise(CELLS)
    assert summary["run_all_seconds"] == pytest.approx(32.0)
    assert summary["cells_seconds"] == pytest.approx(31.8)
    assert summary["code_cells"] == 3
    assert summary["longest_cell"] == {"index": 3, "first_line": "# A live widget.",
                                       "section": "5. Training on the MNIST subset", "seconds": 30.0}
    assert [cell["index"] for cell in summary["slowest_cells"]] == [3, 1, 4]


def test_summarise_without_timings():
    assert bench.summarise([markdown("# Title"), code("x = 1")]) == {"run_all_seconds": None, "longest_cell": None}


def test_first_line_skips_blank_lines_and_cuts_long_ones():
    assert bench.first_line(["\n", "  x = 1\n", "y = 2"]) == "x = 1"
    assert bench.first_line("a" * 100, width=10) == "aaaaaaa..."
    assert bench.first_line("") == ""


def test_section_and_stated_minutes():
    assert bench.section_of(CELLS, 1) == "10 · Training"
    assert bench.section_of(CELLS, 4) == "5. Training on the MNIST subset"
    assert bench.section_of([code("x")], 0) == ""
    assert bench.stated_minutes(CELLS) == 45
    assert bench.stated_minutes([markdown("# Contents")]) is None


def test_vm_kib_reads_proc_status_lines():
    status = "Name:\tpython\nVmPeak:\t  900000 kB\nVmHWM:\t  524288 kB\nVmRSS:\t  262144 kB\n"
    assert bench.vm_kib(status, "VmHWM") == 524288
    assert bench.vm_kib(status, "VmRSS") == 262144
    with pytest.raises(ValueError, match="VmSwap"):
        bench.vm_kib(status, "VmSwap")


def test_resolve_by_number_slug_or_name():
    assert [path.name for path in bench.resolve(["10"])] == ["10_lenet_training.ipynb"]
    assert [path.name for path in bench.resolve(["01_convolution_1d.ipynb"])] == ["01_convolution_1d.ipynb"]
    assert [path.name for path in bench.resolve(["lenet_training"])] == ["10_lenet_training.ipynb"]
    assert len(bench.resolve([])) == len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    with pytest.raises(SystemExit):
        bench.resolve(["99"])


def test_tables_show_each_figure_with_its_reference():
    result = {"notebook": "10_lenet_training.ipynb", "run_all_seconds": 150.0, "error": None,
              "peak_kernel_mib": 512.0, "peak_reached_in_cell": 3,
              "longest_cell": bench.summarise(CELLS)["longest_cell"]}
    failed = {"notebook": "11_data_augmentation.ipynb", "run_all_seconds": None, "longest_cell": None,
              "peak_kernel_mib": 200.0, "error": "AssertionError"}
    text = bench.text_table([result, failed])
    assert "of 90 min" in text and "of 2 GiB" in text and "2.8%" in text and "25.0%" in text
    assert "[3] # A live widget." in text and "failed: AssertionError" in text
    table = bench.markdown_table([result]).splitlines()
    assert table[2] == "| 10 | 2.5 min | cell 3, 5. Training on the MNIST subset: 30 s | 512 MiB (3) |"
    result["longest_cell"] = dict(result["longest_cell"], section="10 · Training", seconds=1.5)
    assert "| cell 3, before section 1: 1.5 s |" in bench.markdown_table([result])
