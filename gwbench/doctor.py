"""`gwbench doctor`: what gwbench found on this machine, and the fix for anything missing."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

from core.paths import cache_dir, default_seed_dir, default_store
from gwbench.fingerprint import package_versions
from tasks.runtime import configure

RENDER_PROBE = """
import time, tasks
from core.contract import CameraSpec
env = tasks.make("stack_blocks_two", camera=CameraSpec(64, 48))
env.reset(seed=0)
start = time.perf_counter()
image = env.render()
print(f"rendered {image.shape[1]}x{image.shape[0]}; first render, shader compilation included: "
      f"{1000 * (time.perf_counter() - start):.0f} ms")
"""


def _line(ok: bool, label: str, detail: str, fix: str = "") -> bool:
    mark = "ok " if ok else "FIX"
    print(f"[{mark}] {label}: {detail}")
    if not ok and fix:
        print(f"      fix: {fix}")
    return ok


def doctor() -> int:
    checks = []
    version = platform.python_version()
    checks.append(_line(sys.version_info >= (3, 10), "python", version, "use Python 3.10 or newer"))
    versions = package_versions()
    missing = [name for name, v in versions.items() if v == "missing"]
    checks.append(
        _line(not missing, "packages", ", ".join(f"{k} {v}" for k, v in versions.items()), "run scripts/setup")
    )
    numpy_ok = versions["numpy"] != "missing" and int(versions["numpy"].split(".")[0]) < 2
    checks.append(_line(numpy_ok, "numpy<2", versions["numpy"], "pip install 'numpy<2' (mplib segfaults under numpy 2)"))
    render = configure()
    checks.append(_line(render.mode != "missing", "render device", f"{render.mode}: {render.detail}", "run scripts/setup"))
    print(f"[ok ] robot visual meshes: {render.visual} (GWBENCH_VISUAL=full|light to choose)")
    if render.mode != "missing":
        probe = subprocess.run(
            [sys.executable, "-c", RENDER_PROBE], capture_output=True, text=True, timeout=300, env=os.environ.copy()
        )
        output = (probe.stdout.strip() or probe.stderr.strip() or "no output").splitlines()[-1]
        checks.append(
            _line(probe.returncode == 0, "render test", output, "run scripts/setup; GWBENCH_RENDER=cpu forces lavapipe")
        )
    print(f"[ok ] offline: HF_HUB_OFFLINE={os.environ.get('HF_HUB_OFFLINE')}, MS_ASSET_DIR={os.environ['MS_ASSET_DIR']}")
    print(f"[ok ] cache: {cache_dir()}")
    print(f"[ok ] results store: {default_store()}  seed pools: {default_seed_dir()}")
    healthy = all(checks)
    print("gwbench is ready" if healthy else "gwbench needs the fixes above")
    return 0 if healthy else 1
