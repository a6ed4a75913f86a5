"""The Debian package: built by dpkg-buildpackage from a copy of the tree; layout, modes, control
fields, lintian without errors, and the packaged agent and command run from an unpacked copy."""

import gzip
import subprocess
from pathlib import Path

import pytest

from dualroot import __version__, paths
from tests.integration.packaging.package_contents import AGENTS, check_agent_and_command_run, unpacked_env
from tests.integration.packaging.package_listing import (
    deb_entries,
    lintian_tags,
    parse_dpkg_deb_contents,
    run,
)

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
DIST = "/usr/lib/python3/dist-packages"


def test_the_package_is_named_for_the_version_and_arch_all(deb):
    assert deb.name == f"dualroot_{__version__}_all.deb"
    assert run(paths.DPKG_DEB, "-f", deb, "Package", "Version", "Architecture").split() == [
        "Package:", "dualroot", "Version:", __version__, "Architecture:", "all"]


def test_layout_and_modes(deb):
    entries = deb_entries(deb)
    executables = [f"/usr/lib/ocf/resource.d/dualroot/{name}" for name in AGENTS]
    executables += ["/usr/lib/dualroot/dualroot-fence-peer", "/usr/lib/dualroot/dualroot-dlm-fence",
                    "/usr/bin/dualroot"]
    for path in executables:
        assert entries[path].mode == "-rwxr-xr-x", path
    # every agent in agents/ is installed, and nothing else is in the provider directory
    agent_dir = {p for p in entries if p.startswith("/usr/lib/ocf/resource.d/dualroot/")}
    assert agent_dir == {f"/usr/lib/ocf/resource.d/dualroot/{n}" for n in AGENTS}
    for page in ("man1/dualroot.1.gz", *(f"man7/ocf_dualroot_{n}.7.gz" for n in AGENTS)):
        assert entries[f"/usr/share/man/{page}"].mode == "-rw-r--r--", page
    sources = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "dualroot").rglob("*.py")
                     if "__pycache__" not in p.parts)
    packaged = sorted(p.removeprefix(DIST + "/") for p in entries if p.startswith(DIST + "/dualroot/")
                      and p.endswith(".py"))
    assert packaged == sources
    assert all(entries[f"{DIST}/{p}"].mode == "-rw-r--r--" for p in packaged)
    # Debian byte-compiles in postinst; shipped bytecode is a lintian error and goes stale
    assert not [p for p in entries if "__pycache__" in p or p.endswith(".pyc")]
    assert "/usr/share/doc/dualroot/copyright" in entries


def test_depends_as_debian_names_them(deb):
    fields = run(paths.DPKG_DEB, "-f", deb, "Depends", "Recommends")
    depends = {d.strip().split(" ")[0] for d in fields.split("\n")[0].removeprefix("Depends:").split(",")}
    assert {"pacemaker", "pacemaker-cli-utils", "drbd-utils", "ocfs2-tools", "dlm-controld",
            "python3", "python3-lxml"} <= depends
    assert "Recommends: python3-matplotlib" in fields


def test_lintian_reports_no_errors(deb):
    result = subprocess.run([paths.LINTIAN, "--fail-on", "error", str(deb)], capture_output=True,
                            text=True, check=False, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
    errors = lintian_tags(result.stdout, "E")
    assert not errors and result.returncode == 0, result.stdout + result.stderr


def test_the_packaged_agent_handler_and_command_run_from_an_unpacked_copy(deb, tmp_path):
    run(paths.DPKG_DEB, "-x", deb, tmp_path)
    env = unpacked_env(tmp_path, DIST)
    # run from the unpacked root: `python3 -c` puts the current directory (a checkout?) first on sys.path
    origin = subprocess.run(["/usr/bin/python3", "-S", "-c", "import dualroot; print(dualroot.__file__)"],
                            env=env, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert origin.startswith(str(tmp_path)), "the test would exercise another installed copy"
    agent = tmp_path / "usr/lib/ocf/resource.d/dualroot/drbd"
    assert agent.read_text().startswith("#!/usr/bin/python3 -S\n")  # dh_python3 kept the shebang
    check_agent_and_command_run(tmp_path, env)
    # the CIB side of the command (lxml, from python3-lxml) works from the package alone
    cib = subprocess.run([str(tmp_path / "usr/bin/dualroot"), "cib", "render", "--format", "xml"], env=env,
                         cwd=tmp_path, capture_output=True, text=True, check=False)
    assert cib.returncode == 0 and cib.stdout.startswith("<cib "), cib.stderr
    handler = tmp_path / "usr/lib/dualroot/dualroot-fence-peer"
    assert "dualroot.drbd.fence_peer" in handler.read_text()


def test_the_packaged_man_pages_render_without_warnings(deb, tmp_path):
    run(paths.DPKG_DEB, "-x", deb, tmp_path)
    pages = sorted((tmp_path / "usr/share/man").glob("man*/*.gz"))
    assert [p.name for p in pages] == ["dualroot.1.gz", *(f"ocf_dualroot_{n}.7.gz" for n in AGENTS)]
    for page in pages:
        result = subprocess.run([paths.GROFF, "-man", "-Tutf8", "-ww", "-z"],
                                input=gzip.decompress(page.read_bytes()), capture_output=True, check=False,
                                env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})
        assert (result.returncode, result.stderr.decode()) == (0, ""), page.name


def test_listing_and_lintian_parsers():
    listing = ("drwxr-xr-x root/root         0 2026-11-25 11:50 ./\n"
               "-rwxr-xr-x root/root       139 2026-11-25 11:50 ./usr/bin/a b\n"
               "lrwxrwxrwx root/root         0 2026-11-25 11:50 ./usr/bin/c -> a b\n")
    entries = parse_dpkg_deb_contents(listing)
    assert entries["/usr/bin/a b"].mode == "-rwxr-xr-x" and "/usr/bin/c" in entries and "/" in entries
    output = ("E: dualroot: package-installs-python-pycache-dir [x]\nW: dualroot: foo\n"
              "N: E: not a tag\nrunning with root privileges is not recommended!\n")
    assert lintian_tags(output, "E") == ["E: dualroot: package-installs-python-pycache-dir [x]"]
    assert len(lintian_tags(output, "EW")) == 2
