"""How long each notebook takes to "Run All", its slowest cell, and its kernel's peak memory.

What a teacher needs to plan a room and size a JupyterHub. Each notebook runs top to bottom in a
fresh kernel (nbclient, cwd = notebooks/, the notebook file is never written), with one BLAS
thread as `make test` runs it. Per notebook:

- Run All: from the first cell starting to the last cell's reply (a student pressing Run All
  with the kernel already started), against the 90-minute class it has to fit into;
- the longest cell: its index in the notebook (0-based, markdown cells counted), first line and
  seconds, from nbclient's per-cell timing (`shell.execute_reply` - `iopub.execute_input`);
- peak kernel memory: the kernel process's VmHWM (peak resident set) from /proc/<pid>/status,
  read before the kernel shuts down, against a typical per-user JupyterHub limit of 2 GiB.

The JSON file also keeps the three slowest cells, the cells after which the peak grew (by 10 MiB
or more since the last one listed), the memory of an idle kernel and of the kernel once the
notebook has finished, and the load average before each notebook.

    python benchmarks/bench_notebooks.py [NOTEBOOK ...] [--json FILE] [--markdown]
    python benchmarks/bench_notebooks.py --load benchmarks/results/notebooks.json --markdown

NOTEBOOK is a file name, its number or its slug (`10`, `lenet_training`, `10_lenet_training.ipynb`);
every notebook of the manifest, cnnlib/series.py, by default.
Linux only (/proc). Other work on the machine slows the figures down: the load average before
and after the run is recorded with them.
"""
import argparse
import datetime
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CLASS_MINUTES = 90            # one class session
HUB_LIMIT_MIB = 2048          # a common per-user memory limit on a JupyterHub
CELL_TIMEOUT_S = 1800
GROWTH_KIB = 10 * 1024        # record the cells after which the peak had grown this much since the last record


def parse_timestamp(text):
    """nbclient's ISO-8601 timestamp ("2026-12-01T10:00:00.123456Z") as an aware datetime."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def cell_seconds(cell):
    """A code cell's run time from its metadata.execution: shell.execute_reply - iopub.execute_input."""
    timing = cell.get("metadata", {}).get("execution", {})
    if "iopub.execute_input" not in timing or "shell.execute_reply" not in timing:
        return None
    started, replied = timing["iopub.execute_input"], timing["shell.execute_reply"]
    return (parse_timestamp(replied) - parse_timestamp(started)).total_seconds()


def first_line(source, width=60):
    """The first non-blank line of a cell's source, cut to ``width`` characters."""
    text = "".join(source) if isinstance(source, list) else source
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= width else line[:width - 3] + "..."


def section_of(cells, index):
    """The last markdown heading before cell ``index`` ("5. Training on the MNIST subset"), or ""."""
    for cell in reversed(cells[:index]):
        if cell["cell_type"] == "markdown":
            headings = [line for line in "".join(cell["source"]).splitlines() if line.startswith("#")]
            if headings:
                return headings[-1].lstrip("#").strip()
    return ""


def stated_minutes(cells):
    """The "About N minutes" a notebook announces near its top, or None."""
    for cell in cells[:3]:
        match = re.search(r"About (\d+) minutes", "".join(cell["source"]))
        if match:
            return int(match.group(1))
    return None


def vm_kib(status_text, field):
    """A memory field of /proc/<pid>/status ("VmHWM:    123456 kB") in KiB."""
    match = re.search(rf"^{field}:\s+(\d+) kB", status_text, re.MULTILINE)
    if not match:
        raise ValueError(f"no {field} line in the status text")
    return int(match.group(1))


def summarise(cells):
    """Run All seconds and the longest cell of an executed notebook's cells."""
    timed = [(index, cell) for index, cell in enumerate(cells)
             if cell["cell_type"] == "code" and cell_seconds(cell) is not None]
    if not timed:
        return {"run_all_seconds": None, "longest_cell": None}
    start = parse_timestamp(timed[0][1]["metadata"]["execution"]["iopub.execute_input"])
    end = parse_timestamp(timed[-1][1]["metadata"]["execution"]["shell.execute_reply"])
    slowest = sorted(timed, key=lambda pair: -cell_seconds(pair[1]))[:3]
    described = [{"index": index, "first_line": first_line(cell["source"]), "section": section_of(cells, index),
                  "seconds": round(cell_seconds(cell), 2)} for index, cell in slowest]
    return {
        "run_all_seconds": round((end - start).total_seconds(), 2),
        "cells_seconds": round(sum(cell_seconds(cell) for _, cell in timed), 2),
        "code_cells": len(timed),
        "longest_cell": described[0],
        "slowest_cells": described,
    }


def resolve(names):
    """Notebook paths for names such as "10", "lenet_training" or "10_lenet_training.ipynb"; every
    notebook of the manifest (cnnlib/series.py) for none."""
    from cnnlib.series import SERIES
    if not names:
        return [NOTEBOOKS / entry.file for entry in SERIES]
    paths = []
    for name in names:
        found = [entry for entry in SERIES if Path(name).name in (entry.number, entry.slug, entry.stem, entry.file)]
        if len(found) != 1:
            raise SystemExit(f"no notebook of cnnlib/series.py is {name!r}")
        paths.append(NOTEBOOKS / found[0].file)
    return paths


def run_notebook(path, timeout=CELL_TIMEOUT_S):
    """Execute one notebook in a fresh kernel; return its timings and the kernel's memory."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    memory = {}

    def kernel_status():
        return Path(f"/proc/{client.km.provisioner.pid}/status").read_text()

    def on_start(**_):
        status = kernel_status()
        memory["pid"] = client.km.provisioner.pid
        memory["idle_kib"] = vm_kib(status, "VmRSS")
        memory["peak_kib"], memory["peak_cell"] = vm_kib(status, "VmHWM"), None
        memory["growth"], memory["recorded_kib"], memory["rss_kib"] = [], memory["peak_kib"], memory["idle_kib"]

    def on_cell(cell_index, **_):
        # VmHWM only grows: the cell after which it last grew is the one that reached the peak.
        status = kernel_status()
        peak = vm_kib(status, "VmHWM")
        if peak >= memory["recorded_kib"] + GROWTH_KIB:
            memory["growth"].append([cell_index, round(peak / 1024)])
            memory["recorded_kib"] = peak
        if peak > memory["peak_kib"]:
            memory["peak_kib"], memory["peak_cell"] = peak, cell_index
        memory["rss_kib"] = vm_kib(status, "VmRSS")

    client = NotebookClient(nb, timeout=timeout, record_timing=True, allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}},
                            on_notebook_start=on_start, on_cell_executed=on_cell)
    error = None
    load_before = load_average()
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:
        error = str(exc).strip().splitlines()[-1][:200]
    wall = time.perf_counter() - start
    result = {"notebook": path.name, "stated_minutes": stated_minutes(nb.cells),
              "wall_seconds": round(wall, 2), **summarise(nb.cells),
              "peak_kernel_mib": round(memory["peak_kib"] / 1024, 1) if memory else None,
              "peak_reached_in_cell": memory.get("peak_cell"),
              "peak_growth": memory.get("growth"),
              "idle_kernel_mib": round(memory["idle_kib"] / 1024, 1) if memory else None,
              "kernel_mib_at_end": round(memory["rss_kib"] / 1024, 1) if memory else None,
              "load_average_before": load_before, "error": error}
    return result


def load_average():
    """The 1, 5 and 15 minute load averages from /proc/loadavg."""
    return [float(value) for value in Path("/proc/loadavg").read_text().split()[:3]]


def machine_facts():
    """CPU model, cores, memory, versions and BLAS threads: what the figures depend on."""
    import ipykernel
    import nbclient
    import numpy

    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    return {
        "cpu_model": model.group(1).strip() if model else platform.processor(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "memory_total_mib": round(vm_kib(Path("/proc/meminfo").read_text(), "MemTotal") / 1024),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "nbclient": nbclient.__version__,
        "ipykernel": ipykernel.__version__,
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
    }


def minutes(seconds):
    """Seconds as a teacher reads them: "2.5 min", "30 s", "1.2 s"."""
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"


def text_table(results):
    """The printed table: each figure next to the reference it is compared with."""
    class_s = CLASS_MINUTES * 60
    lines = [f"{'notebook':41} {'Run All':>8} {'of ' + str(CLASS_MINUTES) + ' min':>9}  "
             f"{'longest cell (index: first line)':58} {'s':>6}  {'peak MiB':>8} {'of 2 GiB':>8}"]
    for r in results:
        if r["run_all_seconds"] is None:
            lines.append(f"{r['notebook']:41} failed: {r['error']}")
            continue
        cell = r["longest_cell"]
        label = f"[{cell['index']}] {cell['first_line']}"
        lines.append(f"{r['notebook']:41} {r['run_all_seconds']:7.1f}s {r['run_all_seconds'] / class_s:8.1%}  "
                     f"{label[:58]:58} {cell['seconds']:6.1f}  {r['peak_kernel_mib']:8.0f} "
                     f"{r['peak_kernel_mib'] / HUB_LIMIT_MIB:8.1%}" + (f"  FAILED: {r['error']}" if r["error"] else ""))
    return "\n".join(lines)


def markdown_table(results):
    """The table TEACHING.md shows."""
    lines = ["| notebook | Run All | longest cell: index, section, time | peak kernel memory (cell) |",
             "|---|---|---|---|"]
    for r in results:
        if r["run_all_seconds"] is None:
            lines.append(f"| {r['notebook'][:2]} | failed | {r['error']} | |")
            continue
        cell = r["longest_cell"]
        section = cell["section"]
        if re.match(r"\d\d · ", section):          # the notebook's title: before its first section
            section = "before section 1"
        section = section if len(section) <= 45 else section[:42] + "..."
        where = f"cell {cell['index']}" + (f", {section}" if section else "")
        lines.append(f"| {r['notebook'][:2]} | {minutes(r['run_all_seconds'])} | {where}: {minutes(cell['seconds'])} "
                     f"| {r['peak_kernel_mib']:.0f} MiB ({r.get('peak_reached_in_cell')}) |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="notebook names or numbers (default: all)")
    parser.add_argument("--json", type=Path, help="write the results and the machine's facts to this file")
    parser.add_argument("--markdown", action="store_true", help="also print the table for TEACHING.md")
    parser.add_argument("--load", type=Path, help="print the tables of a results file instead of running")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT_S, help="seconds allowed per cell")
    args = parser.parse_args()

    if args.load:
        record = json.loads(args.load.read_text())
    else:
        for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(variable, "1")     # as `make test` runs them; the kernel inherits it
        record = {"machine": machine_facts(), "load_average_before": load_average(),
                  "references": {"class_minutes": CLASS_MINUTES, "hub_limit_mib": HUB_LIMIT_MIB}, "notebooks": []}
        print(f"{record['machine']['cpu_model']}, {record['machine']['cores']} cores, "
              f"load average {record['load_average_before']}", flush=True)
        for path in resolve(args.notebooks):
            print(f"running {path.name} ...", flush=True)
            record["notebooks"].append(run_notebook(path, args.timeout))
        record["load_average_after"] = load_average()

    results = record["notebooks"]
    print()
    print(text_table(results))
    done = [r for r in results if r["run_all_seconds"] is not None]
    if done:
        total = sum(r["run_all_seconds"] for r in done)
        peak = max(done, key=lambda r: r["peak_kernel_mib"])
        print(f"\nall {len(done)} notebooks: {minutes(total)} of Run All; largest peak "
              f"{peak['peak_kernel_mib']:.0f} MiB ({peak['notebook'][:2]}) against a {HUB_LIMIT_MIB} MiB "
              "per-user limit")
    print(f"load average before {record['load_average_before']}, after {record.get('load_average_after')}")
    if args.markdown:
        print()
        print(markdown_table(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(record, indent=2) + "\n")
        print(f"\nwritten to {args.json}")
    return 1 if any(r["error"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
