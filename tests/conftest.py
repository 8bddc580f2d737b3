"""Start the suite's long background checks as soon as the tests that need them are collected,
and run the tests that wait for them last, so the rest of the suite runs meanwhile."""
import signal
import sys
import threading

import pytest

# jsonschema (imported by nbformat) builds a parser for IRI strings from the rfc3987-syntax package,
# which Jupyter's jupyter-events pulls in, as soon as it is imported: 2 s of CPU in every test
# process, for a string format that no notebook schema uses. The test processes go without it
# (jsonschema then skips that one format check); JupyterLab and nbgrader, in their own processes, keep it.
sys.modules.setdefault("rfc3987_syntax", None)

import background

WAITS_FOR_BACKGROUND = ("test_the_series_passes_nbval_under_another_blas_kernel_set",
                        "test_every_student_notebook_runs_and_its_exercises_say_not_yet")


def pytest_collection_modifyitems(session, config, items):
    waiting = [item for item in items if item.name in WAITS_FOR_BACKGROUND]
    items[:] = [item for item in items if item.name not in WAITS_FOR_BACKGROUND] + waiting


def pytest_collection_finish(session):
    if not session.config.option.collectonly:
        background.start_all_needed([item.nodeid for item in session.items])


@pytest.fixture(autouse=True)
def ctrl_c_raises_keyboard_interrupt():
    """Python's own Ctrl-C handler for every test. A shell that starts pytest in the background
    (``pytest ... &``) makes the process ignore SIGINT, and the tests that press Ctrl-C would then
    see nothing happen."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
