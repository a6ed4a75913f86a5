"""A scripted Runner for unit tests of agents: it fails the test on any command it was not told of.

    runner = FakeRunner(files={"/proc/drbd": PROC_DRBD_TEXT, "/etc/missing": None})
    runner.expect([paths.DRBDADM, "up", "r0"], effect=lambda: runner.files.update({...}))  # once
    runner.expect([paths.CRM_ATTRIBUTE, ...], rc=1, stderr="x")  # scripted failure
    runner.allow([paths.CRM_ATTRIBUTE, ...])                     # any number of times
    ... run the agent with runner_factory=lambda env, log: runner ...
    runner.assert_done()                                         # every expect() was used

An unexpected command or file raises UnexpectedCall, a BaseException, so that no `except Exception`
in agent code or in the dispatcher can swallow it. Time is virtual: `sleep()` advances `monotonic()`.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dualroot.ocf.errors import OcfError
from dualroot.ocf.runner import CommandResult


class UnexpectedCall(BaseException):  # noqa: N818 - named for what the test sees
    """A command or file read that the test did not script."""


@dataclass
class _Expectation:
    argv: tuple[str, ...]
    result: CommandResult | None
    error: OcfError | None
    repeat: bool
    effect: Callable[[], None] | None = None
    used: int = 0


class FakeRunner:
    def __init__(self, files: dict[str, str | None] | None = None, budget_s: float = 60.0) -> None:
        self.files = dict(files or {})
        self.state: dict[str, str] = {}  # the agent's own state files (HA_RSCTMP), empty at first
        self.calls: list[tuple[str, ...]] = []
        self.inputs: list[str | None] = []
        self.now = 0.0
        self.budget_s = budget_s
        self._expectations: list[_Expectation] = []

    def expect(self, argv: Sequence[str], rc: int = 0, stdout: str = "", stderr: str = "", *,
               error: OcfError | None = None, repeat: bool = False,
               effect: Callable[[], None] | None = None) -> "FakeRunner":
        """Script one call of argv. `effect` runs when the call happens (e.g. change `files`)."""
        key = tuple(str(a) for a in argv)
        result = None if error else CommandResult(key, rc, stdout, stderr)
        self._expectations.append(_Expectation(key, result, error, repeat, effect))
        return self

    def allow(self, argv: Sequence[str], rc: int = 0, stdout: str = "", stderr: str = "") -> "FakeRunner":
        return self.expect(argv, rc, stdout, stderr, repeat=True)

    def run(self, argv: Sequence[str], *, input: str | None = None,
            timeout: float | None = None) -> CommandResult:
        key = tuple(str(a) for a in argv)
        self.calls.append(key)
        self.inputs.append(input)
        for expectation in self._expectations:
            if expectation.argv == key and (expectation.repeat or expectation.used == 0):
                expectation.used += 1
                if expectation.effect is not None:
                    expectation.effect()
                if expectation.error is not None:
                    raise expectation.error
                assert expectation.result is not None
                return expectation.result
        raise UnexpectedCall(f"unexpected command: {list(key)!r}")

    def run_together(self, commands: Sequence[Sequence[str]], *, timeout: float | None = None
                     ) -> list[CommandResult | OcfError]:
        """One after the other, in the order given (the scripted calls keep their order)."""
        results: list[CommandResult | OcfError] = []
        for argv in commands:
            try:
                results.append(self.run(argv, timeout=timeout))
            except OcfError as exc:
                results.append(exc)
        return results

    def read_text(self, path: str) -> str | None:
        if str(path) not in self.files:
            raise UnexpectedCall(f"unexpected file read: {path}")
        return self.files[str(path)]

    def stamp(self, path: str) -> str:
        """Stands for mtime and size: the text of the file, or of every file below a directory."""
        below = [f"{p}={t!r}" for p, t in sorted(self.files.items()) if p == path or p.startswith(path + "/")]
        return " ".join(below) or "-"

    def read_state(self, name: str) -> str | None:
        return self.state.get(name)

    def write_state(self, name: str, text: str | None) -> None:
        if text is None:
            self.state.pop(name, None)
        else:
            self.state[name] = text

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)

    def remaining(self) -> float:
        return self.budget_s - self.now

    def assert_done(self) -> None:
        unused = [list(e.argv) for e in self._expectations if not e.repeat and e.used == 0]
        if unused:
            raise AssertionError(f"expected commands not run: {unused!r}")

    def ran(self, *argv: str) -> bool:
        return tuple(argv) in self.calls
