"""vagrant/Vagrantfile: valid for Debian's vagrant + vagrant-libvirt, and the same nodes as the QEMU lab.

Vagrant's own VMs cannot run here (its libvirt management network is a host bridge with private
addresses, which this project's network rule forbids), so this is what is tested of that provider.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dualroot.lab.provider import vagrant_validate
from dualroot.lab.topology import DRBD_DISK_MIB, GUEST_MEMORY_MIB, GUEST_VCPUS, NODES, SPARE_DISK_MIB

pytestmark = pytest.mark.integration

VAGRANT_DIR = Path(__file__).resolve().parents[3] / "vagrant"
VAGRANTFILE = (VAGRANT_DIR / "Vagrantfile").read_text()


def test_vagrant_validate_accepts_it():
    assert shutil.which("vagrant"), "vagrant is installed by scripts/bootstrap test"
    assert "validated successfully" in vagrant_validate(VAGRANT_DIR)


def test_same_nodes_and_addresses_as_the_qemu_lab():
    found = dict(re.findall(r'"(node\d)" => \{ cluster: "([\d.]+)", replication: "[\d.]+" \}', VAGRANTFILE))
    replication = dict(re.findall(r'"(node\d)" => \{ cluster: "[\d.]+", replication: "([\d.]+)" \}',
                                  VAGRANTFILE))
    assert found == {n.name: n.cluster_address for n in NODES}
    assert replication == {n.name: n.replication_address for n in NODES}


def test_same_provisioning_and_package_list():
    # one provisioning script and one package list, used by both providers
    assert 'File.expand_path("../dualroot/lab/provision", __dir__)' in VAGRANTFILE
    assert "provision.sh /tmp/dualroot-provision" in VAGRANTFILE
    assert '"DUALROOT_INSTALL_PACKAGES" => "yes"' in VAGRANTFILE
    script = (VAGRANT_DIR.parent / "dualroot/lab/provision/provision.sh").read_text()
    assert '"$src/packages.txt"' in script


def test_same_machine_size():
    assert f"lv.memory = {GUEST_MEMORY_MIB}" in VAGRANTFILE
    assert f"lv.cpus = {GUEST_VCPUS}" in VAGRANTFILE
    # vdb (DRBD) and vdc (spare) in that order, as the QEMU lab attaches them
    sizes = re.findall(r'lv\.storage :file, size: "(\d+)M"', VAGRANTFILE)
    assert sizes == [str(DRBD_DISK_MIB), str(SPARE_DISK_MIB)]
