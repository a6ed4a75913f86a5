"""One DRBD resource on this node: read its state and configuration, change it with drbdadm.

Every command goes through the agent's runner. State is read from machine output only: /proc/drbd
plus `drbdadm sh-minor` for the in-tree 8.4 module, `drbdsetup status <res> --json` for DRBD 9.
"""

from __future__ import annotations

from dualroot import paths
from dualroot.drbd.status import (
    ProcDrbd,
    ResourceStatus,
    StatusFormatError,
    parse_proc_drbd,
    parse_status_json,
    resource_from_proc,
)
from dualroot.ocf.errors import OcfError
from dualroot.ocf.exitcodes import OcfExit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dualroot.drbd.config import ResourceConfig
    from dualroot.ocf.runner import CommandResult, Runner


class ResourceNotDefined(OcfError):
    """The resource is not in the DRBD configuration for this host (OCF: invalid on this node)."""


class DrbdResource:
    def __init__(self, runner: Runner, name: str, conf: str) -> None:
        self.runner = runner
        self.name = name
        self.conf = conf

    # --- reading ------------------------------------------------------------------------------------
    def proc(self) -> ProcDrbd | None:
        """/proc/drbd parsed, or None when the drbd module is not loaded."""
        text = self.runner.read_text(str(paths.PROC_DRBD))
        return None if text is None else parse_proc_drbd(text)

    def adm(self, *args: str, timeout: float | None = None) -> CommandResult:
        return self.runner.run([paths.DRBDADM, "-c", self.conf, *args], timeout=timeout)

    def minors(self) -> tuple[int, ...]:
        """The resource's device minors (8.4: /proc/drbd names minors, not resources).

        `drbdadm sh-minor` parses the whole configuration: most of an 8.4 monitor's time. Its answer
        is kept in a state file with a fingerprint of drbd.conf and drbd.d/ beside it, and asked
        again when either changes; start and stop drop it (forget_minors).
        """
        includes = self.conf.rpartition("/")[0] + "/drbd.d"
        fingerprint = f"{self.runner.stamp(self.conf)}|{self.runner.stamp(includes)}"
        cached = self.runner.read_state(self._minor_state)
        if cached is not None:
            stamp, _, numbers_text = cached.partition("\n")
            numbers = tuple(int(w) for w in numbers_text.split() if w.isdigit())
            if stamp == fingerprint and numbers:
                return numbers
        result = self.adm("sh-minor", self.name)
        numbers = tuple(int(w) for w in result.stdout.split() if w.isdigit())
        if not result.ok or not numbers:
            raise ResourceNotDefined(
                OcfExit.ERR_ARGS,
                f"parameter drbd_resource: DRBD resource {self.name} is not defined in {self.conf} for this "
                f"host ({result.first_error_line()})")
        self.runner.write_state(self._minor_state, f"{fingerprint}\n{' '.join(map(str, numbers))}\n")
        return numbers

    def forget_minors(self) -> None:
        self.runner.write_state(self._minor_state, None)

    @property
    def _minor_state(self) -> str:
        return f"dualroot-drbd-{self.name}.minors"

    def status(self, proc: ProcDrbd | None = None) -> ResourceStatus | None:
        """The resource's state in the kernel, None when it is not up (or the module is not loaded)."""
        proc = proc if proc is not None else self.proc()
        if proc is None:
            return None
        if proc.generation == "8.4":
            return resource_from_proc(proc, self.name, self.minors())
        result = self.runner.run([paths.DRBDSETUP, "status", self.name, "--json"])
        if not result.ok:
            return None  # drbdsetup: "No such resource"
        try:
            return parse_status_json(result.stdout, self.name)
        except StatusFormatError as exc:
            raise OcfError(OcfExit.ERR_GENERIC, str(exc)) from exc

    def config(self) -> ResourceConfig:
        from dualroot.drbd.config import parse_dump_xml  # XML parsing: start/promote/validate only

        # The whole dump carries the common section; a per-resource dump is the fallback when another
        # resource in the file does not parse on this host.
        result = self.adm("dump-xml")
        cfg = parse_dump_xml(result.stdout, self.name) if result.ok else None
        if cfg is None:
            result = self.adm("dump-xml", self.name)
            cfg = parse_dump_xml(result.stdout, self.name) if result.ok else None
        if cfg is None:
            raise ResourceNotDefined(
                OcfExit.ERR_ARGS,
                f"parameter drbd_resource: DRBD resource {self.name} is not defined in {self.conf} for this "
                f"host ({result.first_error_line()})")
        return cfg

    # --- changing -----------------------------------------------------------------------------------
    def load_module(self) -> None:
        result = self.runner.run([paths.MODPROBE, "drbd"])
        if not result.ok:
            raise OcfError(OcfExit.ERR_INSTALLED,
                           f"the drbd kernel module could not be loaded: {result.first_error_line()}")

    def change(self, verb: str) -> CommandResult:
        """`drbdadm <verb> <resource>` (up, down, primary, secondary, adjust, connect)."""
        return self.adm(verb, self.name)
