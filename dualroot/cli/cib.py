"""`dualroot cib`: render the stack from a config, check it, apply it to a running cluster."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from dualroot.errors import DualrootError

if TYPE_CHECKING:
    from dualroot.cib.config import ClusterConfig

FORMATS = ("xml", "pcs", "crmsh", "drbd", "corosync", "dlm", "nginx", "mkfs")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "cib",
        help="render, check and apply the cluster configuration",
        description="The whole stack (fencing, DRBD, OCFS2 cluster stack, mount, web tier) from one TOML "
        "config. Without --config: the lab's two-node example.",
    )
    actions = parser.add_subparsers(dest="cib_command", metavar="ACTION")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--config", type=Path, help="TOML cluster config (default: the lab's two nodes)")
        sub.add_argument("--agents", choices=("dualroot", "stock"), help="override the config's agent set")

    render = actions.add_parser(
        "render", help="print the stack as CIB XML, pcs, crmsh; the DRBD, corosync, dlm, nginx config; or "
        "the mkfs.ocfs2 command"
    )
    common(render)
    render.add_argument("--format", choices=FORMATS, default="xml", metavar="FORMAT",
                        help=f"one of {', '.join(FORMATS)} (default: xml)")
    render.set_defaults(func=cmd_render)

    check = actions.add_parser("check", help="RelaxNG, crm_verify and crm_simulate scenarios")
    common(check)
    check.add_argument("--cib", type=Path, help="check this CIB file instead of a rendered config")
    check.set_defaults(func=cmd_check)

    apply = actions.add_parser("apply", help="patch the running cluster's CIB (run on a cluster node)")
    common(apply)
    apply.add_argument("--dry-run", action="store_true", help="show the diff, push nothing")
    apply.set_defaults(func=cmd_apply)

    parser.set_defaults(func=lambda args: _help(parser))


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _config(args: argparse.Namespace) -> ClusterConfig:
    from dualroot.cib.config import Agents, lab_config, load_config, with_agents

    cfg = load_config(args.config) if args.config else lab_config()
    return with_agents(cfg, Agents(args.agents)) if args.agents else cfg


def cmd_render(args: argparse.Namespace) -> int:
    cfg = _config(args)
    if args.format == "drbd":
        from dualroot.cib.drbd_res import render_drbd_res

        text = render_drbd_res(cfg)
    elif args.format == "nginx":
        from dualroot.cib.nginx_site import render_nginx_site

        text = render_nginx_site(cfg)
    elif args.format == "mkfs":
        from dualroot.cib.ocfs2_mkfs import render_mkfs

        text = render_mkfs(cfg)
    elif args.format == "corosync":
        from dualroot.cib.corosync_conf import render_corosync_conf

        text = render_corosync_conf(cfg)
    elif args.format == "dlm":
        from dualroot.cib.dlm_conf import render_dlm_conf, wants_dlm_conf

        if not wants_dlm_conf(cfg):
            from dualroot.errors import DualrootError

            raise DualrootError("only dualroot's agents on the pcmk stack use a rendered dlm.conf",
                                'set agents = "dualroot" and stack = "pcmk" in [cluster]')
        text = render_dlm_conf(cfg)
    else:
        from dualroot.cib.model import plan_stack

        plan = plan_stack(cfg)
        if args.format == "pcs":
            from dualroot.cib.pcs_form import render_pcs

            text = render_pcs(cfg, plan)
        elif args.format == "crmsh":
            from dualroot.cib.crmsh_form import render_crmsh

            text = render_crmsh(cfg, plan)
        else:
            from dualroot.cib.cib_xml import render_cib, to_text

            text = to_text(render_cib(plan))
    sys.stdout.write(text)
    return 0


def format_table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def cmd_check(args: argparse.Namespace) -> int:
    from dualroot.cib.check import check_cib
    from dualroot.cib.cib_xml import parse_xml, render_cib
    from dualroot.cib.model import plan_stack

    if args.cib and args.config:
        raise DualrootError("give --config or --cib, not both", "check a config, or a CIB file")
    if args.cib:
        try:
            text = args.cib.read_text(encoding="utf-8")
        except OSError as exc:
            raise DualrootError(
                f"{args.cib}: cannot read: {exc.strerror}", "give an existing CIB file"
            ) from None
        cib = parse_xml(text, str(args.cib))
        report = check_cib(cib)
    else:
        cfg = _config(args)
        report = check_cib(render_cib(plan_stack(cfg)), [(n.nodeid, n.name) for n in cfg.nodes])
    rows: list[tuple[str, ...]] = [("check", "expected", "seen", "result")]
    rows.append(
        (
            "schema",
            f"valid against {Path(report.schema).name}",
            report.schema_errors[0] if report.schema_errors else "valid",
            "FAIL" if report.schema_errors else "ok",
        )
    )
    verify_seen = report.verify_output.splitlines()[-1] if report.verify_output else "no errors"
    rows.append(("crm_verify", "no errors", verify_seen, "ok" if report.verify_rc == 0 else "FAIL"))
    for scenario in report.scenarios:
        rows.append((scenario.name, scenario.expected, scenario.seen, "ok" if scenario.ok else "FAIL"))
    print(format_table(rows))
    return 0 if report.ok else 1


def cmd_apply(args: argparse.Namespace) -> int:
    from dualroot.cib.apply import STOP_WAIT_S, apply_config
    from dualroot.command import host_runner

    cfg = _config(args)
    result = apply_config(host_runner(timeout=STOP_WAIT_S + 60.0), cfg, dry_run=args.dry_run,
                          progress=lambda line: print(line, flush=True))
    if not result.changed:
        print("nothing changed: the cluster already runs the rendered stack")
        return 0
    print(result.diff.rstrip())
    for line in result.summary:
        print(f"  {line}")
    if result.pushed:
        print(f"pushed one patch ({len(result.summary)} changes); a second apply finds nothing to change")
        if result.swapped:
            print("the resources were stopped for the swap and start again now (watch crm_mon)")
    else:
        print(f"dry run: {len(result.summary)} changes not pushed")
    return 0
