# Two commands do everything on a fresh machine:
#   make demo   install, then plan the coming week for the shipped demo council (writes out/)
#   make test   install, then run the test suite (what CI runs)
VENV ?= .venv
PYTHON ?= python3

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q -e '.[test]'
	touch $@

.PHONY: install demo test bench
install: $(VENV)/.installed

demo: install
	$(VENV)/bin/caseload plan --out out

test: install
	$(VENV)/bin/python -m pytest
