"""Running the o2cb and ocfs2 agents as Pacemaker does (Debian's /usr/bin/python3, a clean environment),
and making them visible to pcs/crm_resource under /usr/lib/ocf/resource.d/dualroot."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from dualroot import paths

REPO = Path(__file__).resolve().parents[3]
AGENT_PYTHON = "/usr/bin/python3"
REASON = "ocf-exit-reason:"


@dataclass(frozen=True)
class AgentRun:
    rc: int
    stdout: str
    stderr: str

    @property
    def reasons(self) -> list[str]:
        return [line[len(REASON):] for line in self.stderr.splitlines() if line.startswith(REASON)]


def run_agent(name: str, action: str, params: dict[str, str], extra_env: dict[str, str] | None = None,
              timeout: float = 60) -> AgentRun:
    """agents/<name> from the work tree, run by /usr/bin/python3 with only OCF variables set."""
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "PYTHONPATH": str(REPO), "OCF_ROOT": str(paths.OCF_ROOT),
           "OCF_RESOURCE_INSTANCE": f"test_{name}", "OCF_RESKEY_CRM_meta_timeout": "20000"}
    env.update({f"OCF_RESKEY_{k}": v for k, v in params.items()})
    env.update(extra_env or {})
    proc = subprocess.run([AGENT_PYTHON, str(REPO / "agents" / name), action], env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    return AgentRun(proc.returncode, proc.stdout, proc.stderr)


def relaxng_errors(xml_text: str) -> list[str]:
    schema = etree.RelaxNG(etree.parse(str(paths.OCF_1_1_RNG)))
    doc = etree.fromstring(xml_text.encode())
    return [] if schema.validate(doc) else [str(e) for e in schema.error_log]


def dtd_check(xml_text: str) -> subprocess.CompletedProcess[str]:
    """What ocf-tester does: `xmllint --noout --valid -` in the directory of ra-api-1.dtd."""
    return subprocess.run(["xmllint", "--noout", "--valid", "-"], input=xml_text, text=True,
                          capture_output=True, cwd=Path(paths.OCF_RA_API_DTD).parent, check=False)


_MARK = "# dualroot test wrapper (removed after the test)"


@contextmanager
def installed(*names: str) -> Iterator[Path]:
    """Make ocf:dualroot:<name> visible to pcs: use what `make install` put there if it is current,
    otherwise a temporary wrapper that runs the work tree's agent (removed afterwards)."""
    directory = Path(paths.OCF_AGENT_DIR)
    created_dir = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True)
    created: list[Path] = []
    try:
        for name in names:
            target = directory / name
            wanted = run_agent(name, "meta-data", {}).stdout
            if target.exists() and _MARK not in target.read_text():
                current = subprocess.run([str(target), "meta-data"], capture_output=True, text=True,
                                         check=False).stdout
                if current == wanted:
                    continue  # a current `make install`
                raise AssertionError(f"{target} is stale (its meta-data differs from the work tree): "
                                     "run `make install`")
            package = "stack" if name == "o2cb" else "ocfs2"
            target.write_text(
                f"#!{AGENT_PYTHON} -S\n{_MARK}\nimport sys; sys.path.insert(0, {str(REPO)!r})\n"
                f"from dualroot.{package}.agent import main; sys.exit(main())\n"
            )
            target.chmod(0o755)
            created.append(target)
        yield directory
    finally:
        for target in created:
            target.unlink(missing_ok=True)
        if created_dir:
            try:
                os.rmdir(directory)
            except OSError:
                pass  # someone installed other agents meanwhile
