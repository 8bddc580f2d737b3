# Two commands for a fresh machine with Python 3.11:
#   make lab    installs everything into .venv and opens the series in JupyterLab
#   make test   installs everything into .venv and runs every test (ruff, unit, widget, notebook, browser)
#   make test-fast   the quick loop: ruff and the unit and widget tests not marked slow
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEACHER_STAMP := $(VENV)/.teacher-installed
# cnnlib's matrices are small: one BLAS thread is as fast as two and never oversubscribes a
# busy 2-core machine (threaded BLAS there ran LeNet training up to 10x slower).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
# JupyterLab refuses to start as root (containers, CI) without this flag.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test test-fast lint outputs student course install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# nbgrader (the teacher extra): for `make course` and its tests, kept out of what `make lab` installs.
$(TEACHER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[teacher]"
	touch $(TEACHER_STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ALLOW_ROOT) notebooks/00_index.ipynb

# ruff, then the unit, widget and notebook tests (nbval) in one pytest run and the browser tests in
# a second one beside it: see scripts/run_tests.py.
test: $(STAMP) $(TEACHER_STAMP)
	$(BIN)/python scripts/run_tests.py

# The quick loop while editing (35-40 s on an idle 2-core machine): ruff, then the unit and widget
# tests that are not marked slow. No notebook is executed, no browser started.
test-fast: $(STAMP)
	$(BIN)/python scripts/run_tests.py --fast

lint: $(STAMP)
	$(BIN)/python -m ruff check cnnlib tests scripts benchmarks

# The lower bounds of pyproject.toml, tested: a venv of its own (.venv-oldest, ignored by git
# through its own .gitignore) with every dependency pinned to its declared oldest version by
# scripts/oldest_constraints.py, running the unit, widget and notebook tests. Left out, each for
# a reason that has nothing to do with the versions: the browser tests (they need Chromium and
# test the browser, not the Python packages), the re-run of the series under other BLAS kernels
# (a CPU question, already answered by make test) and the run of the student edition (it tests
# the edition builder, on the same notebooks nbval runs here).
OLDEST       := .venv-oldest
OLDEST_STAMP := $(OLDEST)/.installed
.PHONY: test-oldest

$(OLDEST_STAMP): pyproject.toml scripts/oldest_constraints.py
	rm -rf $(OLDEST)
	$(PYTHON) -m venv $(OLDEST)
	echo '*' > $(OLDEST)/.gitignore
	$(OLDEST)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST)/bin/python scripts/oldest_constraints.py $(OLDEST)/constraints.txt
	$(OLDEST)/bin/python -m pip install --quiet -e ".[test]" -c $(OLDEST)/constraints.txt
	touch $(OLDEST_STAMP)

test-oldest: $(OLDEST_STAMP)
	$(OLDEST)/bin/python -m pytest -rs tests notebooks --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --ignore=tests/test_browser.py \
		--deselect tests/test_notebooks_portable.py::test_the_series_passes_nbval_under_another_blas_kernel_set \
		--deselect tests/test_student_edition.py::test_every_student_notebook_runs_and_its_exercises_say_not_yet

# Re-run notebooks top to bottom in a fresh kernel and store their outputs (after editing one),
# then rewrite the navigation links and contents. All of them, or some: make outputs NB=07_*.ipynb
NB ?= [0-9][0-9]_*.ipynb
outputs: $(STAMP)
	$(BIN)/python scripts/build_navigation.py
	cd notebooks && for nb in $(NB); do \
		echo "executing $$nb"; \
		../$(BIN)/jupyter nbconvert --log-level=WARN --to notebook --execute --inplace "$$nb" || exit 1; \
	done

# The student edition: every notebook without its worked solutions, in student/ (not committed).
student: $(STAMP)
	$(BIN)/python scripts/build_student_edition.py --out student

# The series as an nbgrader course, one graded assignment per notebook, in course/ (not committed).
# A rebuild replaces course/source/ and keeps nbgrader's gradebook and submissions.
course: $(TEACHER_STAMP)
	$(BIN)/python scripts/build_course.py --out course

clean:
	rm -rf $(VENV) $(OLDEST) artifacts student
