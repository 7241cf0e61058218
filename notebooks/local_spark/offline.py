"""The command prefix that runs a program with no network but loopback.

``[*prefix, program, ...]`` runs the program in a new network namespace (``unshare -n``,
or ``unshare -rn`` where only user namespaces are allowed) whose loopback interface is
brought up first (``ip link set lo up``): in a fresh namespace it is down, and a Jupyter
kernel or a Spark driver cannot even talk to itself.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def offline_command() -> tuple[list[str] | None, str]:
    """``(prefix, "")``, or ``(None, why not)`` where this machine cannot cut the network off
    (no `unshare` or `ip`, or network namespaces not permitted)."""
    unshare, ip = shutil.which("unshare"), shutil.which("ip") or "/usr/sbin/ip"
    if unshare is None or not Path(ip).exists():
        return None, "`unshare` or `ip` (util-linux, iproute2) is not installed"
    reasons = []
    for prefix in ([unshare, "-n"], [unshare, "-rn"]):
        probe = subprocess.run([*prefix, ip, "link", "set", "lo", "up"], capture_output=True, text=True)
        if probe.returncode == 0:
            return [*prefix, "sh", "-c", f'"{ip}" link set lo up && exec "$@"', "offline"], ""
        reasons.append(f"{' '.join(prefix)}: {probe.stderr.strip() or probe.returncode}")
    return None, "network namespaces are not permitted here (" + "; ".join(reasons) + ")"
