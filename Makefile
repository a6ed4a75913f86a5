# dualroot: `make demo` runs the main job, `make test` the whole suite (each installs what it needs).
PYTHON ?= python3
DESTDIR ?=
PREFIX ?= /usr

.PHONY: demo test lint unit install

demo:
	scripts/bootstrap lab
	$(PYTHON) -m dualroot lab up
	$(PYTHON) -m dualroot lab status

test:
	scripts/bootstrap test
	$(MAKE) lint
	$(PYTHON) -m pytest -v tests

lint:
	$(PYTHON) -m ruff check dualroot tests agents bench
	$(PYTHON) -m mypy

unit:
	$(PYTHON) -m pytest -q -m unit tests
