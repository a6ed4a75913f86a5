"""Kernel stack (sysfs), on-disk stack (o2cluster), cluster properties (CIB XML), daemon lookup."""

from pathlib import Path

import pytest

from dualroot.stack.cluster_properties import parse_crm_config
from dualroot.stack.daemon import find_pids
from dualroot.stack.kernel_stack import StackName, parse_o2cluster, read_kernel_stack

pytestmark = pytest.mark.unit


def test_kernel_stack(tmp_path: Path) -> None:
    assert read_kernel_stack(tmp_path / "absent") is None
    (tmp_path / "cluster_stack").write_text("pcmk\n")
    (tmp_path / "loaded_cluster_plugins").write_text("user\n")
    stack = read_kernel_stack(tmp_path)
    assert stack is not None and stack.cluster_stack == "pcmk" and stack.loaded_plugins == ("user",)
    assert StackName.PCMK.module == "ocfs2_stack_user"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("pcmk,vmlab,none\n", ("pcmk", "vmlab", "none")), ("o2cb,c1,local", ("o2cb", "c1", "local"))],
)
def test_o2cluster(text: str, expected: tuple[str, str, str]) -> None:
    disk = parse_o2cluster(text)
    assert (disk.stack, disk.cluster, disk.flags) == expected
    assert disk.as_argument() == ",".join(expected)


@pytest.mark.parametrize("text", ["", "Aborting.", "a,b"])
def test_o2cluster_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        parse_o2cluster(text)


def crm_config(*pairs: tuple[str, str]) -> str:
    nv = "".join(f'<nvpair id="o-{n}" name="{n}" value="{v}"/>' for n, v in pairs)
    body = f'<cluster_property_set id="cib-bootstrap-options">{nv}</cluster_property_set>'
    return f"<crm_config>{body}</crm_config>"


def test_properties_good() -> None:
    props = parse_crm_config(crm_config(("stonith-enabled", "true"), ("no-quorum-policy", "freeze")))
    assert props.fencing_enabled and props.problems() == []


def test_properties_defaults_are_pacemakers() -> None:
    props = parse_crm_config("<crm_config/>")
    assert props.fencing_enabled and props.no_quorum_policy == "stop"
    assert len(props.problems()) == 1 and "no-quorum-policy" in props.problems()[0]


def test_properties_fencing_off_and_new_name_wins() -> None:
    props = parse_crm_config(crm_config(("stonith-enabled", "true"), ("fencing-enabled", "false")))
    assert not props.fencing_enabled
    assert any("stonith-enabled" in p for p in props.problems())


def test_properties_not_xml() -> None:
    with pytest.raises(ValueError):
        parse_crm_config("Call cib_query failed")


def test_find_pids(tmp_path: Path) -> None:
    for pid, comm in ((10, "dlm_controld"), (11, "bash"), (12, "dlm_controld")):
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "comm").write_text(comm + "\n")
    (tmp_path / "13").mkdir()  # gone
    assert find_pids(tmp_path, "dlm_controld") == [10, 12]
    assert find_pids(tmp_path / "absent", "x") == []
