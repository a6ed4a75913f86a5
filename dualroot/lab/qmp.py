"""A minimal QMP client: one command over a VM's QEMU monitor socket (power and link control)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from dualroot.errors import DualrootError


def qmp_command(sock_path: Path, command: str, arguments: dict[str, Any] | None = None,
                timeout: float = 5.0) -> dict[str, Any]:
    """Run one QMP command and return its `return` value (events in between are skipped)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(sock_path))
            stream = sock.makefile("rw", encoding="utf-8")
            stream.readline()  # the greeting
            reply: dict[str, Any] = {}
            for name, args in (("qmp_capabilities", None), (command, arguments)):
                request: dict[str, Any] = {"execute": name}
                if args:
                    request["arguments"] = args
                stream.write(json.dumps(request) + "\n")
                stream.flush()
                while True:
                    line = stream.readline()
                    if not line:
                        # `quit` closes the socket before or instead of answering
                        return {}
                    reply = json.loads(line)
                    if "return" in reply or "error" in reply:
                        break
            if "error" in reply:
                raise DualrootError(f"QMP {command} failed: {reply['error'].get('desc', reply['error'])}")
            result = reply.get("return", {})
            return result if isinstance(result, dict) else {"value": result}
    except OSError as exc:
        raise DualrootError(f"QMP {command} on {sock_path} failed: {exc}",
                            "is the node running? see `dualroot lab status`") from exc
