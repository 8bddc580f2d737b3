"""Start the suite's long background checks as soon as the tests that need them are collected,
and run the tests that wait for them last, so the rest of the suite runs meanwhile."""
import background

WAITS_FOR_BACKGROUND = ("test_the_series_passes_nbval_under_other_blas_kernels",
                        "test_every_student_notebook_runs_and_its_exercises_say_not_yet")


def pytest_collection_modifyitems(session, config, items):
    waiting = [item for item in items if item.name in WAITS_FOR_BACKGROUND]
    items[:] = [item for item in items if item.name not in WAITS_FOR_BACKGROUND] + waiting


def pytest_collection_finish(session):
    if not session.config.option.collectonly:
        background.start_all_needed([item.nodeid for item in session.items])
