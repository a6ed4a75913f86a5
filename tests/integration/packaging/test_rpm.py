"""The RPM: `rpmbuild -bb --nodeps dualroot.spec` on a tarball of the tree; the same layout as the .deb
(agents 755 under /usr/lib/ocf, the handler, /usr/bin/dualroot, man pages), Requires, and the packaged
agent and command run from an unpacked copy."""

import shutil
import tarfile
from pathlib import Path

import pytest

from dualroot import __version__, paths
from tests.integration.packaging.package_contents import AGENTS, check_agent_and_command_run, unpacked_env
from tests.integration.packaging.package_listing import deb_entries, rpm_entries, run

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]


def site_packages(entries) -> str:
    (init,) = [p for p in entries if p.endswith("/dualroot/__init__.py")]
    return init.removesuffix("/dualroot/__init__.py")


def test_name_and_file_list(rpm):
    assert rpm.name == f"dualroot-{__version__}-1.noarch.rpm"
    listed = set(run(paths.RPM, "-qlp", rpm).split())
    expected = {"/usr/bin/dualroot", "/usr/lib/dualroot/dualroot-fence-peer",
                "/usr/lib/dualroot/dualroot-dlm-fence",
                *(f"/usr/lib/ocf/resource.d/dualroot/{n}" for n in AGENTS)}
    assert expected <= listed
    assert any(p.startswith("/usr/share/man/man1/dualroot.1") for p in listed)


def test_modes(rpm):
    entries = rpm_entries(rpm)
    for path in ("/usr/bin/dualroot", "/usr/lib/dualroot/dualroot-fence-peer",
                 *(f"/usr/lib/ocf/resource.d/dualroot/{n}" for n in AGENTS)):
        assert entries[path].mode == "-rwxr-xr-x", path
    python_files = [e for p, e in entries.items() if p.endswith(".py")]
    assert python_files and all(e.mode == "-rw-r--r--" for e in python_files)
    # the package owns its own directories only, not /usr/lib/ocf or resource.d (resource-agents does)
    assert "/usr/lib/ocf/resource.d" not in entries and "/usr/lib/ocf" not in entries


def test_same_layout_as_the_deb(rpm, deb):
    def layout(entries) -> set[tuple[str, str]]:
        site = site_packages(entries)
        out = set()
        for path, entry in entries.items():
            if entry.mode.startswith("d") or "__pycache__" in path or path.startswith("/usr/share/doc"):
                continue  # directories, bytecode and doc dirs differ by distribution policy
            out.add((entry.mode, path.replace(site, "SITE").removesuffix(".gz")))
        return out

    assert layout(rpm_entries(rpm)) == layout(deb_entries(deb))


def test_requires(rpm):
    requires = {line.split()[0] for line in run(paths.RPM, "-qp", "--requires", rpm).splitlines()}
    assert {"pacemaker", "pacemaker-cli", "drbd-utils", "ocfs2-tools", "python3", "python3-lxml"} <= requires
    assert run(paths.RPM, "-qp", "--recommends", rpm).split() == ["python3-matplotlib"]


@pytest.mark.parametrize(("defines", "dlm"), [((), "dlm"), (("--define", "suse_version 1550"), "libdlm")])
def test_dlm_controld_by_its_distribution_name(defines, dlm):
    requires = run(paths.RPMSPEC, "-q", "--requires", *defines, REPO / "dualroot.spec").split()
    (other,) = {"dlm", "libdlm"} - {dlm}
    assert dlm in requires and other not in requires


def test_the_packaged_agent_and_command_run_from_an_unpacked_copy(rpm, tmp_path):
    # rpm2archive (from the rpm package itself; no cpio needed) turns the payload into X.rpm.tgz
    copy = tmp_path / rpm.name
    shutil.copy(rpm, copy)
    run(paths.RPM2ARCHIVE, copy)
    with tarfile.open(f"{copy}.tgz") as payload:
        payload.extractall(tmp_path, filter="tar")
    site = site_packages(rpm_entries(rpm))
    agent = tmp_path / "usr/lib/ocf/resource.d/dualroot/drbd"
    assert f'sys.path.append("{site}")' in agent.read_text()  # the Makefile pointed it at the RPM's sitelib
    check_agent_and_command_run(tmp_path, unpacked_env(tmp_path, site))
