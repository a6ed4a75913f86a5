"""The one error type the non-agent library raises (the agents use dualroot.ocf.errors.OcfError)."""


class DualrootError(Exception):
    """A failure a person can act on: `message` says what went wrong, `hint` what to do next.

    Library code raises this and never prints or exits; the CLI turns it into one line on stderr
    and exit code 2.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message
