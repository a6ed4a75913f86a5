"""The lab tier's fixture: one real two-node cluster for the whole session.

`lab` brings the lab up (building the image if needed) with dualroot's agents when the checkout has
them, or with DUALROOT_LAB_AGENTS=stock|dualroot, and checks that it is healthy before every test.
The session leaves the lab running when it found it running (a developer's lab); otherwise it starts
from fresh disks and stops what it started.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dualroot.errors import DualrootError
from dualroot.lab.control import Lab
from dualroot.lab.deploy import deploy
from dualroot.lab.health import cluster_health, wait_healthy
from dualroot.lab.provider import QemuProvider
from dualroot.lab.qemu import Accel
from dualroot.lab.topology import Link

REPO = Path(__file__).resolve().parents[2]
HEALTHY_TIMEOUT = 600.0
# A lab test's bound, the first one's including the session's cold start (image build, boot, deploy:
# 7-12 min measured); a drill brings a fenced node back and waits out its resync (4-6 min).
LAB_TEST_TIMEOUT = 1800


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("lab") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(LAB_TEST_TIMEOUT))


def lab_agents() -> str:
    default = "dualroot" if (REPO / "agents" / "drbd").exists() else "stock"
    return os.environ.get("DUALROOT_LAB_AGENTS", default)


@pytest.fixture(scope="session")
def lab_session():
    provider = QemuProvider()
    was_running = bool(provider.running_nodes())

    def progress(message: str) -> None:
        print(f"lab: {message}", flush=True)

    if not was_running:
        provider.destroy(progress)  # a lab left behind (e.g. a killed session's) starts from fresh disks
    state = provider.up(Accel.AUTO, progress)
    deploy(provider, state, lab_agents(), progress)
    yield provider.lab
    if not was_running and not os.environ.get("DUALROOT_LAB_KEEP"):
        provider.down(progress)


_UNRECOVERABLE: list[str] = []


@pytest.fixture
def lab(lab_session: Lab) -> Lab:
    """A healthy lab: both nodes Promoted with OCFS2 mounted (a test before may have broken it).

    When the lab once fails to come back healthy, later tests fail at once instead of each waiting out
    the bound again (the whole tier has to fit in CI's time)."""
    if _UNRECOVERABLE:
        pytest.fail(f"the lab did not recover earlier: {_UNRECOVERABLE[0]}")
    for node in lab_session.nodes:
        if not lab_session.is_running(node):
            lab_session.start_node(node)
        for link in Link:  # a test that failed halfway may have left a link cut
            lab_session.set_link(node, link, up=True)
    try:
        wait_healthy(lab_session, HEALTHY_TIMEOUT)
    except DualrootError as exc:
        _UNRECOVERABLE.append(f"{exc}; {'; '.join(cluster_health(lab_session).problems)}")
        raise
    return lab_session
