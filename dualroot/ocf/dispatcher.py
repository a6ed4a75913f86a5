"""The dispatcher: from argv and the environment to one handler call, one exit code, one reason.

Only this module prints and decides the process's exit code:
- `meta-data`, `usage` (also `help`, `-h`, `--help`) and `methods` need no parameters;
- every other action first gets its parameters checked against the declaration (exit 6 + reason);
- an action the agent does not implement exits 3 (OCF 1.1: "unimplemented feature");
- an OcfError becomes `ocf-exit-reason:<reason>` on stderr plus its code; any other exception is an
  internal error (1) with a one-line reason; the traceback goes to the log only at debug level.

An agent executable is three lines:

    #!/usr/bin/python3 -S
    import sys; sys.path.append("/usr/lib/python3/dist-packages")
    from dualroot.drbd.agent import main; sys.exit(main())

where `main()` may end the process itself with `exit_process(run_agent(AGENT))`.
"""

from __future__ import annotations

import sys

from dualroot.ocf.errors import OcfError
from dualroot.ocf.exitcodes import OcfExit
from dualroot.ocf.metadata import AgentMetadata, render_metadata, render_usage
from dualroot.ocf.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import NoReturn, TextIO

    from dualroot.ocf.environment import OcfEnvironment
    from dualroot.ocf.log import AgentLog
    from dualroot.ocf.parameters import ParameterValues
    from dualroot.ocf.promotion import PromotionScores
    from dualroot.ocf.runner import Runner

    Handler = Callable[["ActionContext"], "OcfExit | Outcome"]
    RunnerFactory = Callable[[OcfEnvironment, AgentLog], Runner]

EXIT_REASON_PREFIX = "ocf-exit-reason:"
TOOL_ROOT_VARIABLE = "DUALROOT_TOOL_ROOT"
NO_PARAMETER_ACTIONS = ("meta-data", "usage", "help", "methods")


class Outcome(Record):
    """A handler's result when the code needs a reason although it is no error (e.g. 190/191)."""

    code: OcfExit
    reason: str = ""


class ActionContext:
    """What a handler gets: the environment, typed parameters, the runner and the log."""

    __slots__ = ("_scores", "env", "log", "params", "runner")

    def __init__(self, env: OcfEnvironment, params: ParameterValues, runner: Runner, log: AgentLog) -> None:
        self.env = env
        self.params = params
        self.runner = runner
        self.log = log
        self._scores: PromotionScores | None = None

    @property
    def action(self) -> str:
        return self.env.action

    @property
    def is_probe(self) -> bool:
        return self.env.is_probe

    @property
    def scores(self) -> PromotionScores:
        """The promotion-score setter for this resource (imported only by actions that use it)."""
        if self._scores is None:
            from dualroot.ocf.promotion import PromotionScores

            self._scores = PromotionScores(self.runner, self.env, self.log)
        return self._scores


class Agent(Record):
    """An agent: its declaration and one handler per action (meta-data/usage/methods are built in)."""

    metadata: AgentMetadata
    handlers: Mapping[str, Handler]


def _default_runner(env: OcfEnvironment, log: AgentLog) -> Runner:
    from dualroot.ocf.runner import SubprocessRunner

    return SubprocessRunner(timeout_s=env.timeout_s, log=log, tool_root=env.raw.get(TOOL_ROOT_VARIABLE, ""))


def run_agent(agent: Agent, argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None, *,
              stdout: TextIO | None = None, stderr: TextIO | None = None,
              runner_factory: RunnerFactory | None = None) -> int:
    """Run one action of `agent` and return the exit code (the executable passes it to sys.exit)."""
    argv = list(sys.argv if argv is None else argv)
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    md = agent.metadata
    program = argv[0].rpartition("/")[2] if argv else md.name
    # OCF: the action is the first argument; further arguments are ignored.
    action = argv[1] if len(argv) > 1 else ""

    if action == "meta-data":
        out.write(render_metadata(md))
        return OcfExit.SUCCESS
    if action in ("usage", "help", "-h", "--help"):
        out.write(render_usage(md, program))
        return OcfExit.SUCCESS
    if action == "methods":
        out.write("\n".join(md.action_names) + "\n")
        return OcfExit.SUCCESS
    if not action:
        err.write(render_usage(md, program))
        return OcfExit.ERR_ARGS

    # Everything below is only loaded for real actions: meta-data/usage/methods stay cheap.
    from dualroot.ocf.environment import OcfEnvironment, process_environ
    from dualroot.ocf.log import AgentLog
    from dualroot.ocf.parameters import validate_parameters

    environ = process_environ() if environ is None else environ
    env = OcfEnvironment.from_environ(environ, action)
    tag = f"{md.name}({env.resource_instance})" if env.resource_instance else md.name
    log = AgentLog.from_environ(tag, environ, stderr=err)

    def fail(code: OcfExit, reason: str) -> int:
        reason = " ".join(reason.split())  # Pacemaker reads one line
        err.write(f"{EXIT_REASON_PREFIX}{reason}\n")
        if not log.uses_stderr:  # else the reason line already is the log line
            log.error(f"{action}: {reason}")
        return int(code)

    handler = agent.handlers.get(action)
    if handler is None:
        return fail(OcfExit.ERR_UNIMPLEMENTED, f"action {action!r} is not implemented by {md.name}")
    try:
        params = validate_parameters(md, env.params)
        runner = (runner_factory or _default_runner)(env, log)
        result = handler(ActionContext(env=env, params=params, runner=runner, log=log))
    except OcfError as exc:
        return fail(exc.code, exc.reason)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback to Pacemaker
        import traceback

        log.debug(traceback.format_exc())
        return fail(OcfExit.ERR_GENERIC, f"internal error during {action}: {type(exc).__name__}: {exc}")
    if isinstance(result, Outcome):
        if result.reason:
            reason = " ".join(result.reason.split())
            err.write(f"{EXIT_REASON_PREFIX}{reason}\n")
            if not log.uses_stderr:
                log.warning(f"{action}: {reason}")
        return int(result.code)
    return int(result)


def exit_process(code: int) -> NoReturn:
    """End the agent's process now with `code`: flush stdout and stderr, then `_exit`.

    Why not sys.exit: interpreter finalization (tearing down every module, collecting garbage) is a
    quarter of a bare `python3 -S` run, paid on every monitor, and an agent leaves it nothing to do:
    its files are closed by `with`, every command it ran has been reaped, no atexit hook is registered.
    """
    import posix

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken pipe: what was not written is lost either way
    posix._exit(int(code))
