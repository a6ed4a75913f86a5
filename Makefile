# dualroot: `make demo` runs the main job, `make test` the whole suite (each installs what it needs).
PYTHON ?= .venv/bin/python
DESTDIR ?=
PREFIX ?= /usr

.PHONY: demo test lint unit install

# the standard drill: a hard kill of each node and a network partition; `dualroot drill` alone runs all
DRILLS ?= node_kill:node1 node_kill:node2 partition

demo:
	scripts/bootstrap lab
	$(PYTHON) -m dualroot lab up
	$(PYTHON) -m dualroot drill $(DRILLS) --report report

# Fast tiers first, so a broken change fails in minutes; the lab tier (about 25 min) last.
test:
	scripts/bootstrap test
	$(MAKE) lint
	$(PYTHON) -m pytest -v tests/unit tests/integration tests/lab

lint:
	$(PYTHON) -m ruff check dualroot tests agents bench
	$(PYTHON) -m mypy

unit:
	$(PYTHON) -m pytest -q -m unit tests

# install: the package for Debian's /usr/bin/python3 (the agents' interpreter), every file in agents/
# (mode 755) as ocf:dualroot:<name>, except the DRBD handler, which goes to $(HANDLER_DIR); man pages.
# The agents' sys.path line is rewritten to $(PYTHONDIR), so PREFIX=/usr/local works too.
AGENT_PYTHON ?= /usr/bin/python3
PYTHONDIR ?= $(PREFIX)/lib/python3/dist-packages
OCF_AGENT_DIR ?= $(PREFIX)/lib/ocf/resource.d/dualroot
HANDLER_DIR ?= $(PREFIX)/lib/dualroot
HANDLERS = dualroot-fence-peer dualroot-dlm-fence
MANDIR ?= $(PREFIX)/share/man

install:
	rm -rf "$(DESTDIR)$(PYTHONDIR)/dualroot"
	find dualroot -name '*.py' | while read -r f; do \
		install -D -m 644 "$$f" "$(DESTDIR)$(PYTHONDIR)/$$f" || exit 1; done
	$(AGENT_PYTHON) -m compileall -q -d "$(PYTHONDIR)/dualroot" "$(DESTDIR)$(PYTHONDIR)/dualroot"
	install -d -m 755 "$(DESTDIR)$(OCF_AGENT_DIR)" "$(DESTDIR)$(HANDLER_DIR)"
	for a in agents/*; do \
		name=$${a##*/}; dir="$(DESTDIR)$(OCF_AGENT_DIR)"; \
		case " $(HANDLERS) " in *" $$name "*) dir="$(DESTDIR)$(HANDLER_DIR)";; esac; \
		sed 's|"/usr/lib/python3/dist-packages"|"$(PYTHONDIR)"|' "$$a" > "$$dir/.$$name.tmp" && \
		chmod 755 "$$dir/.$$name.tmp" && mv -f "$$dir/.$$name.tmp" "$$dir/$$name" || exit 1; done
	install -d -m 755 "$(DESTDIR)$(MANDIR)/man7"
	for m in man/*.7; do [ -e "$$m" ] || continue; install -m 644 "$$m" "$(DESTDIR)$(MANDIR)/man7/" || exit 1; done
	install -d -m 755 "$(DESTDIR)$(MANDIR)/man1"
	for m in man/*.1; do [ -e "$$m" ] || continue; install -m 644 "$$m" "$(DESTDIR)$(MANDIR)/man1/" || exit 1; done
