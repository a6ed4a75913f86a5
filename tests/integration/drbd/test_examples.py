"""The man page's pcs and crmsh examples work as printed: pcs -f and crmsh (CIB_file) on an empty CIB,
then crm_verify, with the agent installed by `make install`."""

import os
import shlex
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from dualroot import paths
from dualroot.drbd.agent import METADATA

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module", autouse=True)
def installed():
    subprocess.run(["make", "-s", "-C", str(REPO), "install"], check=True, capture_output=True)


def empty_cib(path: Path) -> Path:
    path.write_text(
        subprocess.run(["cibadmin", "--empty"], capture_output=True, text=True, check=True).stdout
    )
    return path


def clone_metas(cib: Path) -> dict[str, str]:
    doc = etree.parse(str(cib))
    return {nv.get("name"): nv.get("value") for nv in doc.iterfind(".//clone/meta_attributes/nvpair")}


@pytest.mark.parametrize("example", METADATA.examples, ids=lambda e: e.title[:30])
def test_pcs_example(example, tmp_path):
    cib = empty_cib(tmp_path / "cib.xml")
    argv = shlex.split(example.pcs.replace("\\\n", " "))
    assert argv[:3] == ["pcs", "resource", "create"]
    result = subprocess.run(
        [paths.PCS, "-f", str(cib), *argv[1:]], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    subprocess.run(
        [paths.PCS, "-f", str(cib), "property", "set", "stonith-enabled=false"],
        check=True,
        capture_output=True,
    )
    assert clone_metas(cib)["promoted-max"] == "2"
    verify = subprocess.run(
        [paths.CRM_VERIFY, "--xml-file", str(cib)], capture_output=True, text=True, check=False
    )
    assert verify.returncode == 0, verify.stderr


@pytest.mark.parametrize("example", METADATA.examples, ids=lambda e: e.title[:30])
def test_crmsh_example(example, tmp_path):
    cib = empty_cib(tmp_path / "cib.xml")
    config = tmp_path / "config.crm"
    # crmsh runs crm_verify on commit: without fencing devices the property must come in the same load
    config.write_text("property stonith-enabled=false\n" + example.crmsh + "\n")
    result = subprocess.run(
        [paths.CRM, "configure", "load", "update", str(config)],
        capture_output=True,
        text=True,
        env={**os.environ, "CIB_file": str(cib)},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    metas = clone_metas(cib)
    assert metas["promotable"] == "true" and metas["promoted-max"] == "2" and metas["notify"] == "true"
    verify = subprocess.run(
        [paths.CRM_VERIFY, "--xml-file", str(cib)], capture_output=True, text=True, check=False
    )
    assert verify.returncode == 0, verify.stderr
