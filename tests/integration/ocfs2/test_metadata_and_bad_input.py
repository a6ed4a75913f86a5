"""ocf:dualroot:ocfs2 run for real: meta-data against OCF 1.1 RelaxNG and ocf-tester's DTD, pcs describe,
and the bad-input matrix (right code, one `ocf-exit-reason:` naming the parameter, no traceback)."""

import subprocess

import pytest

from tests.integration.ocfs2.agent_process import dtd_check, installed, relaxng_errors, run_agent

pytestmark = pytest.mark.integration

GOOD = {"device": "/dev/drbd0", "directory": "/srv/ocfs2"}


def test_metadata_is_valid_ocf_1_1_and_passes_the_dtd() -> None:
    run = run_agent("ocfs2", "meta-data", {})
    assert run.rc == 0 and run.stderr == ""
    assert relaxng_errors(run.stdout) == []
    check = dtd_check(run.stdout)
    assert check.returncode == 0, check.stderr


def test_pcs_describes_the_agent() -> None:
    with installed("ocfs2"):
        result = subprocess.run(["pcs", "resource", "describe", "ocf:dualroot:ocfs2"], capture_output=True,
                                text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    for word in ("device (required)", "directory (required)", "fstype", "options", "OCF_CHECK_LEVEL"):
        assert word in result.stdout


def with_(**changes: str | None) -> dict[str, str]:
    params = dict(GOOD)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params


BAD = [
    # (case, parameters, extra environment, expected code, word the reason must contain)
    ("device missing", with_(device=None), {}, 6, "device"),
    ("device empty", with_(device=""), {}, 6, "device"),
    ("device relative", with_(device="drbd0"), {}, 6, "device"),
    ("directory missing", with_(directory=None), {}, 6, "directory"),
    ("directory empty", with_(directory=""), {}, 6, "directory"),
    ("directory relative", with_(directory="srv/ocfs2"), {}, 6, "directory"),
    ("directory root", with_(directory="/"), {}, 6, "directory"),
    ("directory dotdot", with_(directory="/srv/../etc"), {}, 6, "directory"),
    ("fstype ext4", with_(fstype="ext4"), {}, 6, "fstype"),
    ("fstype gfs2", with_(fstype="gfs2"), {}, 6, "fstype"),
    ("options local", with_(options="noatime,local"), {}, 6, "options"),
    ("options with space", with_(options="noatime, acl"), {}, 6, "options"),
    ("check level word", GOOD, {"OCF_CHECK_LEVEL": "deep"}, 6, "OCF_CHECK_LEVEL"),
    ("check level negative", GOOD, {"OCF_CHECK_LEVEL": "-10"}, 6, "OCF_CHECK_LEVEL"),
] + [
    (f"metacharacter {ch!r} in {name}", with_(**{name: value + ch + "reboot"}), {}, 6, name)
    for name, value in (("device", "/dev/drbd0"), ("directory", "/srv/ocfs2"), ("fstype", "ocfs2"),
                        ("options", "noatime"))
    for ch in (";", "$(", "`", "|", "&", "\n", " ", "'", '"', ">")
]


@pytest.mark.parametrize("action", ["validate-all", "monitor", "start", "stop"])
@pytest.mark.parametrize(("case", "params", "env", "code", "word"), BAD, ids=[b[0] for b in BAD])
def test_bad_input(action: str, case: str, params: dict[str, str], env: dict[str, str], code: int,
                   word: str) -> None:
    if word == "OCF_CHECK_LEVEL" and action == "stop":
        pytest.skip("stop ignores OCF_CHECK_LEVEL (it is a monitor/validate-all setting)")
    run = run_agent("ocfs2", action, params, env)
    assert run.rc == code, (case, run.stderr)
    assert len(run.reasons) == 1 and word in run.reasons[0], run.stderr
    assert "Traceback" not in run.stderr


def test_good_input_validates_at_level_0() -> None:
    run = run_agent("ocfs2", "validate-all", GOOD)
    assert run.rc == 0 and run.reasons == []


def test_probe_of_a_missing_directory_is_not_running() -> None:
    run = run_agent("ocfs2", "monitor", with_(directory="/srv/dualroot-does-not-exist"),
                    {"OCF_RESKEY_CRM_meta_interval": "0"})
    assert run.rc == 7 and run.reasons == []


def test_stop_of_an_unmounted_volume_succeeds_twice() -> None:
    for _ in range(2):
        assert run_agent("ocfs2", "stop", GOOD).rc == 0
