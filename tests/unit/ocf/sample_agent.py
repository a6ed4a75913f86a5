"""A small agent declaration shared by the framework's tests (not a real agent)."""

from dualroot.ocf.dispatcher import ActionContext, Agent, Outcome
from dualroot.ocf.errors import OcfError
from dualroot.ocf.exitcodes import OcfExit
from dualroot.ocf.metadata import Action, AgentMetadata, ContentType, Example, Parameter, Role

METADATA = AgentMetadata(
    name="sample",
    version="0.1",
    shortdesc="A sample <agent> & friends",
    longdesc='Manages nothing; its text has "quotes", <tags> & ampersands to test escaping.\n\n'
             ".A line starting with a dot and a back\\slash.",
    parameters=(
        Parameter("name", "The name", "Which thing to manage.", required=True, unique_group="name",
                  pattern=r"[A-Za-z0-9_.-]+", pattern_hint="letters, digits, '_', '-' and '.'"),
        Parameter("count", "How many", "A count.", content=ContentType.INTEGER, default="3", reloadable=True,
                  minimum=1, maximum=10),
        Parameter("fast", "Go fast", "A flag.", content=ContentType.BOOLEAN, default="false"),
        Parameter("mode", "The mode", "A choice.", default="a", choices=("a", "b")),
    ),
    actions=(
        Action("start", 60), Action("stop", 60),
        Action("monitor", 20, interval=10, role=Role.PROMOTED),
        Action("monitor", 20, interval=11, role=Role.UNPROMOTED, depth=0),
        Action("promote", 30), Action("demote", 30), Action("notify", 30),
        Action("reload-agent", 10), Action("validate-all", 10), Action("meta-data", 5),
    ),
    examples=(Example("A clone", "pcs resource create s ocf:dualroot:sample name=x", "primitive s ..."),),
    see_also=("ocf_dualroot_drbd(7)",),
)


def _start(ctx: ActionContext) -> OcfExit:
    ctx.runner.run(["/bin/true", ctx.params.text("name")])
    return OcfExit.SUCCESS


def _monitor(ctx: ActionContext) -> OcfExit | Outcome:
    if ctx.params.text("name") == "degraded":
        return Outcome(OcfExit.DEGRADED_PROMOTED, "replication link down")
    return OcfExit.NOT_RUNNING


def _stop(ctx: ActionContext) -> OcfExit:
    raise OcfError(OcfExit.ERR_GENERIC, "could not stop sample x")


def _promote(ctx: ActionContext) -> OcfExit:
    raise RuntimeError("boom\nsecond line")


AGENT = Agent(METADATA, {"start": _start, "monitor": _monitor, "stop": _stop, "promote": _promote,
                         "validate-all": lambda ctx: OcfExit.SUCCESS})
