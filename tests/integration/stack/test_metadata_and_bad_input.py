"""ocf:dualroot:o2cb run for real: meta-data against OCF 1.1 RelaxNG and ocf-tester's DTD, pcs describe,
the bad-input matrix, and validate-all reading the cluster options from a real CIB file (CIB_file)."""

import subprocess
from pathlib import Path

import pytest

from tests.integration.ocfs2.agent_process import dtd_check, installed, relaxng_errors, run_agent

pytestmark = pytest.mark.integration


def test_metadata_is_valid_ocf_1_1_and_passes_the_dtd() -> None:
    run = run_agent("o2cb", "meta-data", {})
    assert run.rc == 0 and run.stderr == ""
    assert relaxng_errors(run.stdout) == []
    check = dtd_check(run.stdout)
    assert check.returncode == 0, check.stderr


def test_pcs_describes_the_agent() -> None:
    with installed("o2cb"):
        result = subprocess.run(["pcs", "resource", "describe", "ocf:dualroot:o2cb"], capture_output=True,
                                text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    for word in ("stack", "cluster_name", "heartbeat_mode", "volumes", "dlm_controld"):
        assert word in result.stdout


BAD = [
    ("unknown stack", {"stack": "gfs2"}, "stack"),
    ("stack cman", {"stack": "cman"}, "stack"),
    ("cluster name too long", {"cluster_name": "a" * 17}, "cluster_name"),
    ("o2cb cluster name with dash", {"stack": "o2cb", "cluster_name": "my-cluster"}, "cluster_name"),
    ("heartbeat mode", {"stack": "o2cb", "heartbeat_mode": "disk"}, "heartbeat_mode"),
    ("global without regions", {"stack": "o2cb", "heartbeat_mode": "global"}, "heartbeat_regions"),
    ("region not hex", {"heartbeat_regions": "XYZ"}, "heartbeat_regions"),
    ("relative volume", {"volumes": "drbd0"}, "volumes"),
    ("daemon option without dash", {"daemon_options": "enable_fencing"}, "daemon_options"),
] + [
    (f"metacharacter {ch!r} in {name}", {name: value + ch + "reboot"}, name)
    for name, value in (("stack", "pcmk"), ("cluster_name", "vmlab"), ("heartbeat_mode", "local"),
                        ("heartbeat_regions", "0" * 32), ("volumes", "/dev/drbd0"),
                        ("daemon_options", "--foreground"))
    for ch in (";", "$(", "`", "|", "&", "\n", "'", '"', ">")
]


@pytest.mark.parametrize("action", ["validate-all", "monitor", "start", "stop"])
@pytest.mark.parametrize(("case", "params", "word"), BAD, ids=[b[0] for b in BAD])
def test_bad_input(action: str, case: str, params: dict[str, str], word: str) -> None:
    run = run_agent("o2cb", action, params)
    assert run.rc == 6, (case, run.stderr)
    assert len(run.reasons) == 1 and word in run.reasons[0], run.stderr
    assert "Traceback" not in run.stderr


def cib_file(tmp_path: Path, *properties: str) -> Path:
    path = tmp_path / "cib.xml"
    empty = subprocess.run(["cibadmin", "--empty"], capture_output=True, text=True, check=True)
    path.write_text(empty.stdout)
    if properties:
        subprocess.run(["pcs", "-f", str(path), "property", "set", *properties], check=True,
                       capture_output=True)
    return path


@pytest.mark.parametrize(
    ("properties", "word"),
    [(("stonith-enabled=false", "no-quorum-policy=freeze"), "stonith-enabled"),
     (("stonith-enabled=true",), "no-quorum-policy"),
     (("stonith-enabled=true", "no-quorum-policy=stop"), "no-quorum-policy")],
)
def test_validate_reads_the_cluster_options_from_the_cib(tmp_path: Path, properties: tuple[str, ...],
                                                         word: str) -> None:
    run = run_agent("o2cb", "validate-all", {}, {"CIB_file": str(cib_file(tmp_path, *properties))})
    assert run.rc == 6 and len(run.reasons) == 1 and word in run.reasons[0], run.stderr


def test_validate_with_good_options_reaches_the_kernel_check(tmp_path: Path) -> None:
    cib = cib_file(tmp_path, "stonith-enabled=true", "no-quorum-policy=freeze")
    run = run_agent("o2cb", "validate-all", {}, {"CIB_file": str(cib)})
    # This host has no OCFS2 modules: the next check is kernel support (5), proving the CIB passed.
    assert run.rc == 5 and "ocfs2_stack_user" in run.reasons[0], run.stderr


def test_monitor_without_dlm_controld_is_not_running_and_stop_succeeds() -> None:
    assert run_agent("o2cb", "monitor", {}).rc == 7
    assert run_agent("o2cb", "stop", {}).rc == 0
