"""The Debian package on a lab node: `apt install ./dualroot_*.deb` works offline (every dependency is in
the image) and Pacemaker's tools then see the agent."""

from __future__ import annotations

import pytest

from dualroot.lab.deploy import install_deb

pytestmark = pytest.mark.lab


def test_apt_install_of_the_deb_then_pcs_describes_the_agent(lab):
    install_deb(lab)  # builds the .deb from this tree and apt-installs it on both nodes
    for node in lab.nodes:
        status = lab.run(node, ["dpkg-query", "-W", "-f", "${Status} ${Version}", "dualroot"]).check()
        assert status.stdout.startswith("install ok installed 0.1.0")
        owner = lab.run(node, ["dpkg", "-S", "/usr/lib/ocf/resource.d/dualroot/drbd"]).check()
        assert owner.stdout.startswith("dualroot:")
    described = lab.run("node1", ["pcs", "resource", "describe", "ocf:dualroot:drbd"], timeout=120).check()
    assert "drbd_resource" in described.stdout
    assert "promote" in described.stdout
