"""`dualroot lab`: the two-VM lab (up, status, ssh, down, destroy)."""

from __future__ import annotations

import argparse
import sys
import time

from dualroot.errors import DualrootError


def register(subparsers: argparse._SubParsersAction) -> None:
    lab = subparsers.add_parser("lab", help="the two-VM lab: real DRBD, DLM and OCFS2 in QEMU",
                                description="Build, run and drive the two-node lab cluster.")
    lab.add_argument("--provider", choices=["qemu", "vagrant"], default="qemu",
                     help="qemu (built in, default) or vagrant (vagrant/Vagrantfile, libvirt)")
    sub = lab.add_subparsers(dest="lab_command", metavar="ACTION", required=True)
    up = sub.add_parser("up", help="build the image, boot both nodes, deploy the stack (idempotent)")
    up.add_argument("--agents", choices=["dualroot", "stock"], default="dualroot",
                    help="deploy with dualroot's agents (default) or the stock ones")
    up.add_argument("--accel", choices=["auto", "kvm", "tcg"], default="auto",
                    help="QEMU accelerator; auto uses KVM only where it really boots a guest")
    up.add_argument("--install", choices=["tree", "deb"], default="tree",
                    help="put dualroot's agents on the nodes from this checkout (tree, default) or as the "
                         "Debian package built from it (deb)")
    up.add_argument("--no-deploy", action="store_true", help="only boot the nodes")
    up.set_defaults(func=cmd_up)
    sub.add_parser("status", help="nodes, accelerator, cluster status").set_defaults(func=cmd_status)
    ssh = sub.add_parser("ssh", help="run one command in a node: dualroot lab ssh NODE -- CMD...")
    ssh.add_argument("node")
    ssh.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- CMD")
    ssh.add_argument("--timeout", type=float, default=120.0)
    ssh.set_defaults(func=cmd_ssh)
    sub.add_parser("down", help="stop the VMs and the fencing service").set_defaults(func=cmd_down)
    sub.add_parser("destroy", help="down, and remove the node disks").set_defaults(func=cmd_destroy)


class PhasePrinter:
    """Progress lines with the time since the command started."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f} s] {message}", flush=True)


def cmd_up(args: argparse.Namespace) -> int:
    if args.provider == "vagrant":
        from dualroot.lab.provider import VagrantProvider

        VagrantProvider().up(PhasePrinter())
        return 0
    from dualroot.lab.deploy import deploy
    from dualroot.lab.provider import QemuProvider
    from dualroot.lab.qemu import Accel
    from dualroot.lab.status import cluster_status

    progress = PhasePrinter()
    provider = QemuProvider()
    state = provider.up(Accel(args.accel), progress)
    if not args.no_deploy:
        deploy(provider, state, args.agents, progress, install=args.install)
    print(cluster_status(provider.lab, state))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    if args.provider == "vagrant":
        from dualroot.lab.provider import VagrantProvider

        print(VagrantProvider().status())
        return 0
    from dualroot.lab.provider import LabState, QemuProvider
    from dualroot.lab.status import cluster_status

    provider = QemuProvider()
    print(cluster_status(provider.lab, LabState.load(provider.layout)))
    return 0


def cmd_ssh(args: argparse.Namespace) -> int:
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        raise DualrootError("no command given",
                            "write it after --, e.g. dualroot lab ssh node1 -- crm_mon -1")
    if args.provider == "vagrant":
        import shlex

        from dualroot.lab.provider import VagrantProvider

        print(VagrantProvider().ssh(args.node, shlex.join(argv)), end="")
        return 0
    from dualroot.lab.control import Lab

    result = Lab().run(args.node, argv, timeout=args.timeout)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.rc


def cmd_down(args: argparse.Namespace) -> int:
    if args.provider == "vagrant":
        from dualroot.lab.provider import VagrantProvider

        VagrantProvider().down()
        return 0
    from dualroot.lab.provider import QemuProvider

    QemuProvider().down(PhasePrinter())
    return 0


def cmd_destroy(args: argparse.Namespace) -> int:
    if args.provider == "vagrant":
        from dualroot.lab.provider import VagrantProvider

        VagrantProvider().destroy()
        return 0
    from dualroot.lab.provider import QemuProvider

    QemuProvider().destroy(PhasePrinter())
    return 0
