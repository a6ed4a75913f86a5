"""Deploying the stack onto booted lab nodes, from the same config `dualroot cib render` uses.

Order, each step idempotent so that a second `lab up` only checks:
  1. cluster files (corosync.conf, the DRBD resource) written on both nodes; corosync and Pacemaker on
  2. DRBD metadata and the OCFS2 file system made once, before the CIB hands the device to Pacemaker:
     both disks are new and all zero, so the initial sync is skipped (`--clear-bitmap
     new-current-uuid`, RECIPE.md 4),
     and mkfs.ocfs2 needs no running DLM when the stack and cluster name are given
  3. for `--agents dualroot`, this checkout installed into both guests (`make install` into a staging
     root, unpacked over /)
  4. the CIB rendered from the config and pushed as one patch (`dualroot cib apply`'s logic), then a
     bounded wait until both nodes are Promoted with OCFS2 mounted.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dualroot import paths
from dualroot.errors import DualrootError
from dualroot.lab.control import Lab
from dualroot.lab.health import cluster_health, crm_status, wait_healthy

if TYPE_CHECKING:  # the CIB side needs lxml, imported only when deploying
    from dualroot.cib.config import ClusterConfig
    from dualroot.lab.provider import LabState, QemuProvider

Progress = Callable[[str], None]
REPO_ROOT = Path(__file__).resolve().parents[2]
INIT_MARKER = "/var/lib/dualroot-lab/stack-initialized"
INSTALL_ID = "/var/lib/dualroot-lab/installed-build"
PAYLOAD = "/var/tmp/dualroot-install.tgz"
CLUSTER_ONLINE_TIMEOUT = 240.0
STACK_UP_TIMEOUT = 420.0
MAINTENANCE_SETTLE_S = 3.0


def lab_cluster_config(agents: str) -> ClusterConfig:
    from dualroot.cib.config import Agents, lab_config

    return replace(lab_config(), agents=Agents(agents))


def deploy(provider: QemuProvider, state: LabState, agents: str, progress: Progress,
           install: str = "tree") -> None:
    lab: Lab = provider.lab
    cfg = lab_cluster_config(agents)
    started = time.monotonic()

    def step(message: str) -> None:
        progress(f"deploy: {message} ({time.monotonic() - started:.1f} s)")

    if agents == "dualroot" and not (REPO_ROOT / "agents" / "drbd").exists():
        raise DualrootError("dualroot's own agents are not in this checkout yet",
                            "deploy the stock stack with `dualroot lab up --agents stock`")
    write_cluster_files(lab, cfg)
    step("corosync.conf and the DRBD resource written on both nodes")
    if agents == "dualroot" and install == "deb":
        install_deb(lab)
        step("the Debian package built from this checkout installed on both nodes (apt, offline)")
    elif agents == "dualroot":
        step("this checkout installed into both nodes" if install_checkout(lab)
             else "both nodes already have this checkout's build")
    # Pacemaker's first DC election waits dc-deadtime (20 s) and more under TCG: let it run while
    # DRBD and OCFS2 are made (an empty CIB has no resources, so it does not touch the device).
    for node in lab.nodes:
        # `enable` reloads systemd, which costs tens of seconds under TCG: only when not running yet
        lab.script(node, "systemctl is-active --quiet corosync pacemaker || "
                         "systemctl enable --now corosync pacemaker\n", timeout=180).check()
    initialize_storage(lab, cfg, step)
    lab.wait_for("both nodes online in Pacemaker with a DC elected",
                 lambda: _cluster_online(lab), CLUSTER_ONLINE_TIMEOUT, 2.0)
    step("Pacemaker online on both nodes")
    changed = apply_stack(lab, cfg, progress)
    step("CIB " + ("pushed as one patch" if changed else "already as rendered: nothing to change"))
    if changed:
        # DRBD and the mount still look healthy right after the push, before Pacemaker has acted on it
        # (a switch of --agents passed as healthy while the old stack was still being stopped): first
        # let the transition run to its end. Its result is judged by the health check below.
        lab.run(lab.nodes[0], [paths.GUEST_CRM_RESOURCE, "--wait", "--timeout", f"{STACK_UP_TIMEOUT:.0f}s"],
                timeout=STACK_UP_TIMEOUT + 60)
        step("Pacemaker's transition for the new CIB complete")
    if not changed and not cluster_health(lab).healthy:
        # a redeploy (e.g. fixed agents installed): let Pacemaker retry what failed before
        lab.run(lab.nodes[0], [paths.GUEST_CRM_RESOURCE, "--cleanup"], timeout=120).check()
        step("failed actions cleaned up so Pacemaker retries them")
    wait_healthy(lab, STACK_UP_TIMEOUT)
    step("both nodes Promoted with OCFS2 mounted")
    state.agents = agents
    state.deployed = True
    state.save(provider.layout)


def write_cluster_files(lab: Lab, cfg: ClusterConfig) -> None:
    from dualroot.cib.corosync_conf import render_corosync_conf
    from dualroot.cib.dlm_conf import render_dlm_conf, wants_dlm_conf
    from dualroot.cib.drbd_res import render_drbd_res

    assert cfg.drbd is not None  # the lab is two nodes on DRBD
    files = {"/etc/corosync/corosync.conf": render_corosync_conf(cfg),
             f"/etc/drbd.d/{cfg.drbd.resource}.res": render_drbd_res(cfg)}
    if wants_dlm_conf(cfg):
        files[paths.DLM_CONF] = render_dlm_conf(cfg)
    for node in lab.nodes:
        for path, text in files.items():
            lab.run(node, ["sh", "-c", 'mkdir -p "${1%/*}" && cat > "$1.new" && mv "$1.new" "$1"', "write",
                           path], input=text, timeout=30).check()
        if paths.DLM_CONF not in files:  # the stock stack runs dlm_controld as it comes
            lab.run(node, ["rm", "-f", paths.DLM_CONF], timeout=30).check()


def initialize_storage(lab: Lab, cfg: ClusterConfig, step: Progress) -> None:
    from dualroot.cib.ocfs2_mkfs import mkfs_argv, volume_slots

    assert cfg.drbd is not None  # the lab is two nodes on DRBD
    res = cfg.drbd.resource
    done = [lab.run(n, ["test", "-e", INIT_MARKER], timeout=20).ok for n in lab.nodes]
    if all(done):
        step("DRBD metadata and OCFS2 already made")
        return
    for node in lab.nodes:
        lab.script(node, f"set -e\nmodprobe drbd\ndrbdadm down {res} 2>/dev/null || true\n"
                         f"yes yes | drbdadm create-md --force {res} >/dev/null\ndrbdadm up {res}\n",
                   timeout=120).check()
    first = lab.nodes[0]
    lab.wait_for("DRBD connected Secondary/Secondary on both",
                 lambda: "cs:Connected ro:Secondary/Secondary" in _proc_drbd(lab, first), 120, 1.0)
    lab.run(first, ["drbdadm", "--", "--clear-bitmap", "new-current-uuid", res], timeout=60).check()
    lab.wait_for("DRBD UpToDate/UpToDate without a resync",
                 lambda: "ds:UpToDate/UpToDate" in _proc_drbd(lab, first), 120, 1.0)
    step("DRBD metadata made, initial sync skipped (both disks new and all zero)")
    mkfs = mkfs_argv(cfg)
    lab.run(first, ["drbdadm", "primary", res], timeout=60).check()
    lab.run(first, [mkfs[0], "-q", *mkfs[1:]], timeout=180).check()
    lab.run(first, ["drbdadm", "secondary", res], timeout=60).check()
    step(f"OCFS2 made ({cfg.stack.value} stack, {volume_slots(cfg)} slots, 4 KiB blocks, "
         f"feature level {cfg.mount.feature_level.value})")
    for node in lab.nodes:
        lab.script(node, f"set -e\ndrbdadm down {res}\nmkdir -p {Path(INIT_MARKER).parent}\n"
                         f"touch {INIT_MARKER}\n", timeout=60).check()


def install_checkout(lab: Lab) -> bool:
    """Install this tree into both guests the way a package would: `make install` into a staging root
    (the package for Debian's python3, the agents under /usr/lib/ocf/resource.d/dualroot/).

    The cluster may be running these very agents, so each file is put in place by rename (a monitor
    never sees a half-written file: one did, and failed "can't open file", in the lab), and nothing is
    copied when the guest already has this exact build. Returns True when something was installed."""
    with tempfile.TemporaryDirectory(prefix="dualroot-stage-") as stage:
        result = subprocess.run(["make", "-s", "-C", str(REPO_ROOT), "install", f"DESTDIR={stage}"],
                                capture_output=True, text=True, timeout=300, check=False,
                                env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"})
        if result.returncode != 0:
            raise DualrootError(f"`make install` failed: {result.stderr.strip()[-300:]}",
                                "run `make install DESTDIR=/tmp/x` to see why")
        digest = hashlib.sha256()
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            for path in sorted(Path(stage).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    name = str(path.relative_to(stage))
                    digest.update(name.encode() + path.read_bytes())
                    tar.add(path, arcname=name)
        payload = buffer.getvalue()
    build = digest.hexdigest()[:16]
    stale = [node for node in lab.nodes
             if lab.run(node, ["cat", INSTALL_ID], timeout=20).stdout.strip() != build]
    if not stale:
        return False
    with maintenance_mode(lab):
        for node in stale:
            proc = subprocess.run(lab.ssh_argv(node, f"cat > {PAYLOAD}"), input=payload,
                                  capture_output=True, timeout=180, check=False)
            if proc.returncode != 0:
                raise DualrootError(f"copying the build to {node} failed: {proc.stderr.decode().strip()}")
            script = _UNPACK_SCRIPT.replace("@BUILD@", build).replace("@INSTALL_ID@", INSTALL_ID)
            lab.script(node, script.replace("@PAYLOAD@", PAYLOAD), timeout=180).check()
    return True


MAINTENANCE = [paths.GUEST_CRM_ATTRIBUTE, "--type", "crm_config", "--name", "maintenance-mode"]


@contextmanager
def maintenance_mode(lab: Lab) -> Iterator[None]:
    """Pacemaker's maintenance mode while the agents are replaced under a running cluster.

    Each file is renamed into place, but a monitor that starts halfway through the copy imports a mix
    of old and new modules: in the lab one failed that way, its stop failed too, and the node was
    fenced. In maintenance mode Pacemaker runs no monitors and changes nothing; it resumes with the new
    agents afterwards. Without a running cluster (the first deploy) there is nothing to pause."""
    paused = lab.run(lab.nodes[0], [*MAINTENANCE, "--update", "true"], timeout=60).rc == 0
    if paused:
        time.sleep(MAINTENANCE_SETTLE_S)  # let the controller cancel the recurring monitors
    try:
        yield
    finally:
        if paused:
            lab.run(lab.nodes[0], [*MAINTENANCE, "--delete"], timeout=60).check()


def install_deb(lab: Lab) -> None:
    """Build dualroot_*.deb from this tree and install it with apt on both nodes: its dependencies are
    all in the lab image, so apt needs no network (the guests have none)."""
    from dualroot.packaging import build_deb

    with tempfile.TemporaryDirectory(prefix="dualroot-deb-") as out:
        deb = build_deb(REPO_ROOT, Path(out))
        for node in lab.nodes:
            remote = f"/var/tmp/{deb.name}"
            lab.put(node, deb, remote)
            # a path makes apt take the file; every dependency is already in the image, so apt fetches
            # nothing (--no-download would say so, but apt 2.6 then rejects local files: "Pathname to
            # install is not absolute", seen in the lab)
            lab.script(node, "DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
                             f"--no-install-recommends {remote}\n", timeout=300).check()
            lab.run(node, ["rm", "-f", INSTALL_ID, remote], timeout=30)


# Each file goes to a temporary name beside its target and is renamed over it; existing directories
# keep their modes (a staging root's 0700 once landed on / and locked Pacemaker's user out).
_UNPACK_SCRIPT = """set -e
stage=$(mktemp -d /var/tmp/dualroot-install.XXXXXX)
tar -xzf @PAYLOAD@ -C "$stage" --no-same-owner
cd "$stage"
find . -type f | while read -r f; do
  target="/${f#./}"
  mkdir -p "$(dirname "$target")"
  cp -p "$f" "$target.dualroot-new" && mv -f "$target.dualroot-new" "$target"
done
/usr/bin/python3 -m compileall -q /usr/lib/python3/dist-packages/dualroot >/dev/null || true
cd / && rm -rf "$stage" @PAYLOAD@
mkdir -p "$(dirname @INSTALL_ID@)" && echo @BUILD@ > @INSTALL_ID@
"""


def apply_stack(lab: Lab, cfg: ClusterConfig, progress: Progress | None = None) -> bool:
    """Render the CIB for cfg and apply it on the first node; True when something changed."""
    from dualroot.cib.apply import STOP_WAIT_S, apply_config

    # long enough for an agent swap, which waits for the whole stack to stop first
    say = (lambda line: progress(f"deploy: {line}")) if progress is not None else None
    return apply_config(lab.runner(lab.nodes[0], timeout=STOP_WAIT_S + 60), cfg, progress=say).changed


def _cluster_online(lab: Lab) -> bool:
    crm = crm_status(lab, lab.nodes[0])
    return bool(crm and crm.dc and set(crm.online) >= set(lab.nodes))


def _proc_drbd(lab: Lab, node: str) -> str:
    return lab.run(node, ["cat", "/proc/drbd"], timeout=20).stdout

