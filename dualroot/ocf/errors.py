"""The one error type of the agent library: an OCF exit code and a one-sentence reason."""

from dualroot.ocf.exitcodes import OcfExit


class OcfError(Exception):
    """Raised by agent code; the dispatcher prints `ocf-exit-reason:<reason>` and exits with `code`.

    `reason` is one sentence a person can act on: it names the parameter, state or command at fault.
    """

    def __init__(self, code: OcfExit, reason: str) -> None:
        super().__init__(reason)
        self.code = OcfExit(code)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.reason} ({self.code.name}={int(self.code)})"
