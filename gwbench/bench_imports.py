"""`gwbench bench imports`: how long importing each layer takes in a fresh interpreter.

Light modules (the store, reports, the gate, the CLI, serve, the Policy protocol, the remote clients,
`import tasks`) must not load the simulator or the models; this measures that they stay fast, next to
the heavy modules for contrast. Each figure is the median over `--repeats` fresh interpreters of the
wall time of `import MODULE`, less that of an interpreter importing nothing.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from core.errors import InputError
from core.paths import REPO_ROOT
from gwbench.fingerprint import cpu_model
from gwbench.summary import format_table

LIGHT = ("gwbench.store", "gwbench.report", "gwbench.gate", "gwbench.cli", "gwbench.serve", "policies",
         "policies.base", "policies.remote.openpi_adapter", "policies.remote.robotwin_adapter", "tasks")
HEAVY = ("policies.remote.gwp_zmq_adapter", "tasks.base", "policies.common.policy")
WATCHED = ("sapien", "mani_skill", "torch")


def _fresh_import(module: str) -> tuple[float, str]:
    """Wall seconds of a fresh interpreter importing `module`, and which watched packages it loaded."""
    probe = f"import sys, {module}; print(' '.join(m for m in {WATCHED!r} if m in sys.modules))" if module else "pass"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    return time.perf_counter() - start, done.stdout.strip()


def main(args) -> int:
    repeats = 5 if args.repeats is None else args.repeats
    if repeats < 1:
        raise InputError(f"--repeats must be >= 1, got {repeats}")
    baseline = statistics.median(_fresh_import("")[0] for _ in range(repeats))
    rows = []
    for module in (*LIGHT, *HEAVY):
        runs = [_fresh_import(module) for _ in range(repeats)]
        rows.append({
            "module": module, "kind": "light" if module in LIGHT else "heavy",
            "import_s": max(0.0, statistics.median(seconds for seconds, _ in runs) - baseline),
            "loads": runs[0][1] or "-",
        })
    print(f"machine: {cpu_model()}; median of {repeats} fresh interpreters, interpreter start "
          f"({baseline:.3f} s) subtracted")
    print(format_table(rows, [("module", "module"), ("kind", "kind"), ("import_s", "import s"),
                              ("loads", "loads (of sapien, mani_skill, torch)")]))
    slow = [row["module"] for row in rows if row["kind"] == "light" and row["import_s"] >= 1.0]
    print(f"light imports under a second: {'yes' if not slow else 'NO: ' + ', '.join(slow)}")
    return 0
