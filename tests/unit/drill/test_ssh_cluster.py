"""dualroot drill --cluster: the [drill] table, and what SshCluster runs for each fault (commands
recorded, nothing reached); the real thing runs against the lab's nodes in tests/lab/test_drill_ssh.py."""

import tomllib
from pathlib import Path

import pytest

from dualroot import paths
from dualroot.command import CommandResult
from dualroot.drill import ssh_cluster
from dualroot.drill.execution import successful_fence_after
from dualroot.drill.scenarios import resolve
from dualroot.drill.ssh_cluster import (
    HISTORY_ARGV,
    SshCluster,
    load_target,
    parse_fence_history,
    parse_target,
)
from dualroot.drill.storage import Storage
from dualroot.errors import DualrootError

pytestmark = pytest.mark.unit

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "drill-over-ssh.toml"
HISTORY = """<pacemaker-result api-version="2.25" request="stonith_admin --history * --output-as xml">
  <list name="fencing history" count="2">
    <fence_event action="reboot" target="beta" client="stonith_admin.1464" origin="alpha" status="success"
     delegate="alpha" completed="2026-11-25 21:45:22Z"/>
    <fence_event action="off" target="alpha" client="pacemaker-controld.1" origin="beta" status="failed"
     delegate="beta" completed="2026-11-25 21:40:00Z"/>
  </list>
  <status code="0" message="OK"/>
</pacemaker-result>
"""


def example() -> dict:
    return tomllib.loads(EXAMPLE.read_text())


def test_the_example_gives_nodes_storage_and_commands():
    target = load_target(EXAMPLE)
    assert [n.name for n in target.nodes] == ["alpha", "beta"]
    assert target.storage == Storage(resource="web", minor=1, device="/dev/drbd1", mount="/srv/web")
    alpha = target.nodes[0]
    assert (alpha.host, alpha.port, alpha.interface("replication")) == ("198.51.100.1", 22, "eno3")
    assert alpha.power_on[-1] == "on" and alpha.power_off[-1] == "off"


@pytest.mark.parametrize(("change", "says"), [
    (lambda d: d.pop("drill"), "drill: missing"),
    (lambda d: d["drill"]["nodes"].pop("beta"), "drill.nodes.beta: missing"),
    (lambda d: d["drill"]["nodes"]["beta"].update(ssh_port=70000), "drill.nodes.beta.ssh_port"),
    (lambda d: d["drill"]["nodes"]["beta"].update(replication_iface="eth0; reboot"), "replication_iface"),
    (lambda d: d["drill"]["nodes"]["beta"].update(power_on="ipmitool on"), "power_on"),
    (lambda d: d["drill"]["nodes"]["beta"].update(bmc="x"), "drill.nodes.beta.bmc: unknown key"),
    (lambda d: d["drill"]["nodes"].update(gamma={"ssh_host": "x"}), "drill.nodes.gamma: unknown key"),
    (lambda d: d["drbd"].update(version="9"), "drbd.version"),
])
def test_bad_drill_tables_name_the_key(change, says):
    data = example()
    change(data)
    with pytest.raises(DualrootError) as caught:
        parse_target(data, "cfg.toml")
    assert says in str(caught.value)


def test_the_renderer_accepts_a_config_with_a_drill_table():
    from dualroot.cib.config import load_config

    assert load_config(EXAMPLE).drbd.resource == "web"


class Recorded(SshCluster):
    """Records guest commands instead of running ssh; every node answers."""

    def __init__(self, target, tmp_path):
        super().__init__(target, tmp_path)
        self.ran: list[tuple[str, tuple[str, ...]]] = []
        self.up = {n.name: True for n in target.nodes}

    def is_running(self, node):
        return self.up[node]

    def run(self, node, argv, timeout=60.0, input=None):
        self.ran.append((node, tuple(argv)))
        out = HISTORY if argv[0] == paths.STONITH_ADMIN else ""
        return CommandResult(tuple(argv), 0, out, "", 0.1, where=node)


def test_links_are_cut_in_the_node_and_a_rebooting_node_is_left_alone(tmp_path):
    cluster = Recorded(load_target(EXAMPLE), tmp_path)
    cluster.set_link("beta", "replication", up=False)
    cluster.set_link("beta", "cluster", up=True)
    cluster.up["beta"] = False
    cluster.set_link("beta", "replication", up=True)  # fenced and rebooting: its links come up with it
    assert cluster.ran == [("beta", (paths.GUEST_IP, "link", "set", "dev", "eno3", "down")),
                           ("beta", (paths.GUEST_IP, "link", "set", "dev", "eno2", "up"))]


class Unreachable(Recorded):
    """Its port answers (as QEMU's forwarded port does while the guest reboots) but ssh gets no shell."""

    def run(self, node, argv, timeout=60.0, input=None):
        self.ran.append((node, tuple(argv)))
        return CommandResult(tuple(argv), 255, "", f"ssh to {node} failed: banner exchange", 5.0, where=node)


def test_a_link_restore_on_an_unreachable_node_is_left_to_its_reboot_but_a_cut_fails(tmp_path):
    cluster = Unreachable(load_target(EXAMPLE), tmp_path)
    cluster.set_link("beta", "replication", up=True)  # tried once, then left to the reboot
    assert cluster.ran == [("beta", (paths.GUEST_IP, "link", "set", "dev", "eno3", "up"))]
    with pytest.raises(DualrootError, match="setting eno3 down on beta failed"):
        cluster.set_link("beta", "replication", up=False)  # a cut that did not happen is no drill


def test_kill_uses_power_off_or_a_sysrq_crash(tmp_path, monkeypatch):
    host: list[tuple[list[str], str | None]] = []

    def run_host(argv, input=None, timeout=None):
        host.append((list(argv), input))
        return CommandResult(tuple(argv), 0, "", "", 0.1)

    monkeypatch.setattr(ssh_cluster, "run_host", run_host)
    cluster = Recorded(load_target(EXAMPLE), tmp_path)
    cluster.kill("alpha")
    assert host[-1][0][-3:] == ["chassis", "power", "off"]
    data = example()
    del data["drill"]["nodes"]["alpha"]["power_off"]
    cluster = Recorded(parse_target(data), tmp_path)
    cluster.kill("alpha")
    argv, script = host[-1]
    assert argv[0] == paths.SSH and argv[-2:] == ["root@198.51.100.1", "bash -s"]
    assert script is not None and f"echo b > {paths.GUEST_SYSRQ_TRIGGER}" in script


def test_ssh_argv_reaches_the_management_address_with_the_identity(tmp_path):
    cluster = SshCluster(load_target(EXAMPLE), tmp_path / "control")
    argv = cluster.ssh_argv("beta", "true")
    assert argv[:5] == [paths.SSH, "-i", "/root/.ssh/dualroot-drill", "-p", "22"]
    assert argv[-2:] == ["root@198.51.100.2", "true"] and "BatchMode=yes" in argv
    assert (tmp_path / "control").is_dir()


def test_fence_history_gives_successful_fences_with_their_time(tmp_path):
    (event,) = parse_fence_history(HISTORY)
    assert (event.target, event.action, event.time) == ("beta", "reboot", 1795643122.0)
    assert successful_fence_after([event], 1795643100.0) is event  # what the drill waits for
    assert parse_fence_history("not xml") == []
    cluster = Recorded(load_target(EXAMPLE), tmp_path)
    assert [e.target for e in cluster.fence_events()] == ["beta"]
    # Pacemaker 2.1.5 lists only one done fence per target without --verbose (an old one, in the lab)
    assert cluster.ran == [("alpha", HISTORY_ARGV)] and "--verbose" in HISTORY_ARGV


def test_scenarios_that_cannot_run_as_configured_are_refused_before_any_fault(tmp_path):
    data = example()
    del data["drill"]["nodes"]["beta"]["power_on"]
    del data["drill"]["nodes"]["beta"]["replication_iface"]
    cluster = Recorded(parse_target(data), tmp_path)
    with pytest.raises(DualrootError, match="needs power_on for beta"):
        ssh_cluster.refuse_unsupported(cluster, resolve(["cold_start"], cluster.nodes))
    with pytest.raises(DualrootError, match="no replication interface for beta"):
        ssh_cluster.refuse_unsupported(cluster, resolve(["replication_cut:beta"], cluster.nodes))
    ssh_cluster.refuse_unsupported(cluster, resolve(["node_kill:beta", "standby:beta"], cluster.nodes))
    assert cluster.ran == []
