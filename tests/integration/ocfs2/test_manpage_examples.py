"""The pcs and crmsh examples printed in ocf_dualroot_o2cb(7) and ocf_dualroot_ocfs2(7) work as printed:
run on a CIB file (pcs -f; crmsh through CIB_file) and accepted by crm_verify."""

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from dualroot.ocfs2.agent import METADATA as FS
from dualroot.stack.agent import METADATA as STACK
from tests.integration.ocfs2.agent_process import installed

pytestmark = pytest.mark.integration

FENCING = ["stonith-enabled=true", "no-quorum-policy=freeze"]


def run(argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120, env=env)
    assert result.returncode == 0, f"{argv}: {result.stdout}{result.stderr}"
    return result


def base_cib(path: Path) -> None:
    path.write_text(run(["cibadmin", "--empty"]).stdout)
    run(["pcs", "-f", str(path), "property", "set", *FENCING])
    run(["pcs", "-f", str(path), "stonith", "create", "fence_all", "fence_dummy",
         "pcmk_host_list=node1 node2"])


def test_pcs_examples_as_printed(tmp_path: Path) -> None:
    cib = tmp_path / "cib.xml"
    with installed("o2cb", "ocfs2"):
        base_cib(cib)
        for example in (*STACK.examples, *FS.examples):
            for line in example.pcs.splitlines():
                argv = shlex.split(line)
                assert argv[0] == "pcs"
                run(["pcs", "-f", str(cib), *argv[1:]])
    run(["crm_verify", "--xml-file", str(cib), "-V"])


def test_crmsh_examples_as_printed(tmp_path: Path) -> None:
    cib = tmp_path / "cib.xml"
    base_cib(cib)
    config = tmp_path / "config.crm"
    config.write_text("\n".join(e.crmsh for e in (*STACK.examples, *FS.examples)) + "\n")
    env = dict(os.environ, CIB_file=str(cib))
    with installed("o2cb", "ocfs2"):
        run(["crm", "configure", "load", "update", str(config)], env=env)
    text = cib.read_text()
    assert 'id="o2cb-clone"' in text and 'id="fs_ocfs2-clone"' in text
    run(["crm_verify", "--xml-file", str(cib), "-V"])
