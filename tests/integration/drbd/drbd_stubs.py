"""Stub DRBD and Pacemaker tools in a temporary root, for running the real agent executables on a host
without the drbd kernel module (ocf-tester, the bad-input matrix, bench/).

The same stubs serve both agents: ours reaches them through DUALROOT_TOOL_ROOT (every absolute tool
and file path is prefixed with the root), ocf:linbit:drbd through PATH (ROOT/bin first). The state
("down", "secondary", "primary") lives in ROOT/state; drbdadm up/down/primary/secondary change it and
rewrite ROOT/proc/drbd, so the stubs behave like one DRBD 8.4 resource `r0` (minor 0) whose peer is
connected, Secondary and UpToDate. Every call is appended to ROOT/calls. The stubs are POSIX sh, so
both agents pay the same small price per call.
"""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from dualroot import paths

HEADER = "version: 8.4.11 (api:1/proto:86-101)\nsrcversion: 4B3E2E2CD48CAE5280A8E1A \n"
STATS = "    ns:0 nr:0 dw:0 dr:2120 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n"
PROC = {
    "down": HEADER + " 0: cs:Unconfigured\n",
    "secondary": HEADER + " 0: cs:Connected ro:Secondary/Secondary ds:UpToDate/UpToDate C r-----\n" + STATS,
    "primary": HEADER + " 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n" + STATS,
}
# What drbdsetup(-84) sh-status prints for ocf:linbit:drbd (drbd.shellfuncs.sh evaluates it).
SH_STATUS = {
    "down": "_minor=0\n_res_name=r0\n_known=Unconfigured\n_cstate=Unconfigured\n_volume=0\n"
            "_sh_status_process\n",
    "secondary": "_minor=0\n_res_name=r0\n_known=Configured\n_cstate=Connected\n_role=Secondary\n"
                 "_peer=Secondary\n_disk=UpToDate\n_pdsk=UpToDate\n_flags_susp=\n_flags_aftr_isp=\n_flags_peer_isp=\n"
                 "_flags_user_isp=\n_resynced_percent=\n_volume=0\n_sh_status_process\n",
    "primary": "_minor=0\n_res_name=r0\n_known=Configured\n_cstate=Connected\n_role=Primary\n"
               "_peer=Secondary\n_disk=UpToDate\n_pdsk=UpToDate\n_flags_susp=\n_flags_aftr_isp=\n_flags_peer_isp=\n"
               "_flags_user_isp=\n_resynced_percent=\n_volume=0\n_sh_status_process\n",
}
DUMP_XML = """<config file="/etc/drbd.conf">
    <common>
        <section name="net"><option name="protocol" value="C"/></section>
    </common>
    <resource name="r0" conf-file-line="/etc/drbd.d/r0.res:1">
        <host name="node1"><volume vnr="0"><device minor="0">/dev/drbd0</device><disk>/dev/vdb</disk>
            <meta-disk>internal</meta-disk></volume>
            <address family="ipv4" port="7789">192.168.101.1</address></host>
        <host name="node2"><volume vnr="0"><device minor="0">/dev/drbd0</device><disk>/dev/vdb</disk>
            <meta-disk>internal</meta-disk></volume>
            <address family="ipv4" port="7789">192.168.101.2</address></host>
        <section name="net"><option name="allow-two-primaries" value="yes"/></section>
        <section name="disk"><option name="fencing" value="resource-and-stonith"/></section>
        <section name="handlers">
            <option name="fence-peer" value="/usr/lib/dualroot/dualroot-fence-peer"/>
            <option name="after-resync-target" value="/usr/lib/dualroot/dualroot-fence-peer"/>
        </section>
    </resource>
</config>
"""
CRM_CONFIG = ('<crm_config><cluster_property_set id="cib-bootstrap-options">'
              '<nvpair id="o1" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>')

DRBDADM = r"""#!/bin/sh
root=@ROOT@
echo "drbdadm $*" >> "$root/calls"
if [ "$1" = "-c" ]; then shift 2; fi
cmd=$1; res=$2
state=$(cat "$root/state")
case $cmd in
--version)
    printf 'DRBDADM_BUILDTAG=stub\nDRBDADM_API_VERSION=1\nDRBD_KERNEL_VERSION_CODE=0x08040b\n'
    printf 'DRBD_KERNEL_VERSION=8.4.11\nDRBDADM_VERSION_CODE=0x091600\nDRBDADM_VERSION=9.22.0\n'
    exit 0;;
sh-minor|sh-dev|dump-xml|up|down|primary|secondary|adjust|connect)
    if [ -n "$res" ] && [ "$res" != r0 ]; then
        echo "'$res' not defined in your config (for this host)." >&2; exit 10
    fi;;
esac
case $cmd in
sh-minor) echo 0; exit 0;;
sh-dev) echo "@DEVICE@"; exit 0;;
dump-xml) cat "$root/dump.xml"; exit 0;;
up) new=secondary;;
down) new=down;;
primary)
    if [ "$state" = down ]; then
        echo "0: State change failed: (-2) Need access to UpToDate data" >&2; exit 17
    fi
    new=primary;;
secondary) [ "$state" = down ] && exit 10; new=secondary;;
adjust|connect) exit 0;;
*) echo "stub drbdadm: unsupported command $cmd" >&2; exit 20;;
esac
echo "$new" > "$root/state"
cp "$root/proc-$new" "$root/proc/drbd"
"""
DRBDSETUP = r"""#!/bin/sh
root=@ROOT@
echo "drbdsetup $*" >> "$root/calls"
state=$(cat "$root/state")
for a in "$@"; do
    if [ "$a" = sh-status ]; then cat "$root/sh-status-$state"; exit 0; fi
done
echo "stub drbdsetup: unsupported $*" >&2; exit 20
"""
RECORDER = r"""#!/bin/sh
echo "@NAME@ $*" >> "@ROOT@/calls"
exit 0
"""
CIBADMIN = r"""#!/bin/sh
echo "cibadmin $*" >> "@ROOT@/calls"
cat "@ROOT@/crm_config.xml"
"""
MODINFO = r"""#!/bin/sh
echo "modinfo $*" >> "@ROOT@/calls"
echo 8.4.11
"""


@dataclass(frozen=True)
class StubRoot:
    root: Path

    @property
    def calls_file(self) -> Path:
        return self.root / "calls"

    def calls(self) -> list[str]:
        return self.calls_file.read_text().splitlines() if self.calls_file.exists() else []

    def clear_calls(self) -> None:
        self.calls_file.write_text("")

    def set_state(self, state: str) -> None:
        (self.root / "state").write_text(state + "\n")
        shutil.copyfile(self.root / f"proc-{state}", self.root / "proc" / "drbd")

    def state(self) -> str:
        return (self.root / "state").read_text().strip()

    def env_for_dualroot(self) -> dict[str, str]:
        return {"DUALROOT_TOOL_ROOT": str(self.root)}

    def env_for_linbit(self) -> dict[str, str]:
        return {"PATH": f"{self.root / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}"}


def _script(path: Path, text: str, root: Path, **subs: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = text.replace("@ROOT@", str(root))
    for key, value in subs.items():
        text = text.replace(f"@{key}@", value)
    path.write_text(text)
    path.chmod(0o755)


def existing_block_device() -> str:
    """A block device node that exists here (ocf:linbit:drbd tests `-b` on the DRBD device)."""
    for candidate in ("/dev/vda", "/dev/sda", "/dev/nvme0n1", "/dev/loop0", "/dev/ram0"):
        if Path(candidate).is_block_device():
            return candidate
    for entry in sorted(Path("/dev").iterdir()):
        if entry.is_block_device():
            return str(entry)
    return "/dev/drbd0"


def build_stub_root(root: Path, state: str = "down") -> StubRoot:
    root.mkdir(parents=True, exist_ok=True)
    (root / "proc").mkdir(exist_ok=True)
    for name, text in PROC.items():
        (root / f"proc-{name}").write_text(text)
    for name, text in SH_STATUS.items():
        (root / f"sh-status-{name}").write_text(text)
    (root / "dump.xml").write_text(DUMP_XML)
    (root / "crm_config.xml").write_text(CRM_CONFIG)
    conf = root / str(paths.DRBD_CONF).lstrip("/")
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text("# stub: the stub drbdadm does not read this file\n")
    sbin = root / "usr" / "sbin"
    _script(root / paths.DRBDADM.lstrip("/"), DRBDADM, root, DEVICE=existing_block_device())
    _script(root / paths.DRBDSETUP.lstrip("/"), DRBDSETUP, root)
    for tool in (paths.CRM_ATTRIBUTE, paths.CRM_MASTER, paths.CRM_NODE, "/usr/sbin/crm_resource"):
        _script(root / tool.lstrip("/"), RECORDER, root, NAME=Path(tool).name)
    _script(root / paths.CIBADMIN.lstrip("/"), CIBADMIN, root)
    _script(root / paths.MODPROBE.lstrip("/"), RECORDER, root, NAME="modprobe")
    _script(root / "sbin" / "modinfo", MODINFO, root)
    # PATH directory for the shell agent: the same stubs under their plain names.
    bindir = root / "bin"
    bindir.mkdir(exist_ok=True)
    for tool in sorted(sbin.iterdir()) + [root / "sbin" / "modprobe", root / "sbin" / "modinfo"]:
        link = bindir / tool.name
        if not link.exists():
            link.symlink_to(tool)
    stubs = StubRoot(root)
    stubs.set_state(state)
    stubs.clear_calls()
    return stubs


def linbit_agent_copy(stubs: StubRoot) -> Path:
    """ocf:linbit:drbd copied into the stub root with its one hard-coded file path (/proc/drbd) pointed at
    the stub's copy; PATH does the rest. Nothing else in the shell agent is changed."""
    source = Path(paths.DRBD_LINBIT_AGENT).parent
    target = stubs.root / "linbit"
    target.mkdir(exist_ok=True)
    for name in ("drbd", "drbd.shellfuncs.sh"):
        text = (source / name).read_text().replace("/proc/drbd", str(stubs.root / "proc" / "drbd"))
        (target / name).write_text(text)
        (target / name).chmod(0o755)
    return target / "drbd"
