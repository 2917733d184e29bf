# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
APT    := $(if $(filter 0,$(shell id -u)),,sudo) apt-get

.PHONY: demo test lint install bytecode bench bench-500k fuzz ocr-deps bench-deps pdf-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,cluster]'
	touch $(STAMP)

install: $(STAMP) bytecode

# The package's bytecode, as pip writes it when it installs a package: an editable install
# writes none, and where PYTHONDONTWRITEBYTECODE is set every command would compile the
# changed sources again at start-up. Only what changed is compiled.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q foiatool

# The demo's output is the tool's own: pip's notices (version check, running as root, script
# location) and the build backend's deprecation warnings are switched off for the install it
# may need. It indexes the samples (one account line), shows a short table, and ends with the summary in view.
demo: export PIP_DISABLE_PIP_VERSION_CHECK := 1
demo: export PIP_ROOT_USER_ACTION := ignore
demo: export PIP_NO_WARN_SCRIPT_LOCATION := 1
demo: export PIP_QUIET := 1
demo: export PYTHONWARNINGS := ignore
demo:
	@$(MAKE) --no-print-directory --silent install
	@$(BIN)/foiatool messages samples/dump samples/release --db $(VENV)/samples.sqlite --from morton --columns date,from,subject --format table
	@echo
	@$(BIN)/foiatool summary --db $(VENV)/samples.sqlite --format screen --top 3

test: $(STAMP) bytecode ocr-deps lint
	$(BIN)/python -m pytest -n 2 -q

# ruff (style, import order, likely bugs, old idioms) and mypy (types), as pyproject.toml configures them.
lint: $(STAMP)
	$(BIN)/ruff check foiatool tests bench docs
	$(BIN)/mypy

# Longer fuzzing of every reader and the quoted-history splitter.
fuzz: $(STAMP)
	FOIATOOL_FUZZ_EXAMPLES=20000 $(BIN)/python -m pytest -q -k fuzz -p no:randomly

# Debian's notmuch is the established threader the benchmark compares against.
bench-deps:
	@command -v notmuch >/dev/null || ($(APT) update -qq && $(APT) install -y -qq notmuch)
	@command -v /usr/bin/time >/dev/null || ($(APT) update -qq && $(APT) install -y -qq time)

bench: $(STAMP) bytecode bench-deps
	$(BIN)/python bench/run.py --out bench/out --sizes 10000,30000,100000 --shapes --cold-repeat 2 --markdown BENCHMARKS.md

# Half a million generated messages, foiatool alone (notmuch would take an hour), cold index and
# warm commands: about 6 GB of disk and 15 minutes with the generation; figures in bench/out/big/results.json.
bench-500k: $(STAMP) bytecode bench-deps
	$(BIN)/python bench/run.py --out bench/out/big --sizes 500000 --skip-notmuch --quality-size 0 --cold-and-warm-only

# Optional system tools: OCR of scanned PDFs (tesseract), and poppler's pdftoppm to rasterise pages for it.
# make test installs them so the OCR path is tested for real.
ocr-deps:
	@command -v tesseract >/dev/null || ($(APT) update -qq && $(APT) install -y -qq tesseract-ocr)
	@command -v pdftoppm >/dev/null || ($(APT) update -qq && $(APT) install -y -qq poppler-utils)

clean:
	rm -rf $(VENV) bench/out .pytest_cache .hypothesis
