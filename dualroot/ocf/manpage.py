"""Man pages ocf_<provider>_<name>(7) rendered from an agent's meta-data declaration.

Sections as resource-agents' generated pages have them: NAME, SYNOPSIS, DESCRIPTION, SUPPORTED
PARAMETERS, SUPPORTED ACTIONS, EXAMPLE PCS and EXAMPLE CRM SHELL configurations, SEE ALSO. The page
carries no date, so regenerating an unchanged declaration gives the same bytes (the staleness test
compares them).

Regenerate:  python3 -m dualroot.ocf.manpage dualroot.drbd.agent:METADATA man/ocf_dualroot_drbd.7
"""

import importlib
import sys

from dualroot.ocf.metadata import AgentMetadata, render_usage


def roff_escape(text: str) -> str:
    """Text safe in a roff body line: backslashes escaped, no line starting with a control char."""
    lines = []
    for line in text.replace("\\", "\\e").splitlines():
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def _paragraph(text: str) -> str:
    return roff_escape(" ".join(text.split()))


def _example_block(text: str) -> list[str]:
    return [".PP", ".nf", roff_escape(text.strip()), ".fi"]


def render_manpage(md: AgentMetadata) -> str:
    title = f"ocf_{md.provider}_{md.name}"
    out = [
        f'.TH {title.upper()} 7 "" "dualroot {roff_escape(md.version)}" "OCF resource agents"',
        ".SH NAME",
        f"{title} \\- {_paragraph(md.shortdesc)}",
        ".SH SYNOPSIS",
        f"\\fB{md.name}\\fR [{' | '.join(md.action_names)}]",
        ".PP",
        _paragraph(render_usage(md, md.name).strip()),
        ".SH DESCRIPTION",
    ]
    for chunk in md.longdesc.strip().split("\n\n"):
        out += [".PP", _paragraph(chunk)]
    out.append(".SH SUPPORTED PARAMETERS")
    for p in md.parameters:
        flags = [p.content.value]
        flags.append(f"default {p.default}" if p.default is not None else "no default")
        if p.required:
            flags.append("required")
        if p.unique_group:
            flags.append(f"unique-group {p.unique_group}")
        if p.reloadable:
            flags.append("reloadable")
        out += [".TP", f"\\fB{roff_escape(p.name)}\\fR", f"{_paragraph(p.shortdesc)}",
                ".IP", _paragraph(p.full_longdesc()), ".IP", f"({roff_escape(', '.join(flags))})"]
    out.append(".SH SUPPORTED ACTIONS")
    out.append("This resource agent supports the following actions (operations):")
    for a in md.actions:
        details = [f"timeout {a.timeout}s"]
        if a.interval is not None:
            details.append(f"interval {a.interval}s")
        if a.depth is not None:
            details.append(f"depth {a.depth}")
        if a.role is not None:
            details.append(f"role {a.role.value}")
        out += [".TP", f"\\fB{roff_escape(a.name)}\\fR", roff_escape("Suggested " + ", ".join(details) + ".")]
    if md.examples:
        out.append(".SH EXAMPLE PCS")
        for example in md.examples:
            out += [".PP", _paragraph(example.title)] + _example_block(example.pcs)
        out.append(".SH EXAMPLE CRM SHELL")
        for example in md.examples:
            out += [".PP", _paragraph(example.title)] + _example_block(example.crmsh)
    if md.see_also:
        out += [".SH SEE ALSO", roff_escape(", ".join(md.see_also))]
    out += [".SH AUTHOR", "The dualroot project."]
    return "\n".join(out) + "\n"


def load_metadata(spec: str) -> AgentMetadata:
    """'package.module:NAME' -> the AgentMetadata object it names."""
    module_name, _, attribute = spec.partition(":")
    value = getattr(importlib.import_module(module_name), attribute or "METADATA")
    if not isinstance(value, AgentMetadata):
        raise TypeError(f"{spec} is not an AgentMetadata")
    return value


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.stderr.write("usage: python3 -m dualroot.ocf.manpage module:METADATA OUTPUT\n")
        return 2
    text = render_manpage(load_metadata(args[0]))
    with open(args[1], "w", encoding="utf-8") as handle:
        handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
