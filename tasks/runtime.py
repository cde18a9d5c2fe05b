"""Process-wide simulator setup that must happen before SAPIEN is imported.

- Offline: Hugging Face and ManiSkill never reach the network; ManiSkill's asset
  directory lives inside gwbench's cache, and its "download? (y|n)" prompt is
  replaced by an error.
- Rendering: SAPIEN renders only through Vulkan. A GPU Vulkan driver is used as is.
  Without one, gwbench points the Vulkan loader at the Mesa 25 software renderer
  (lavapipe) that `scripts/setup` unpacks into the cache; Debian 12's own Mesa 22
  lavapipe is rejected by SAPIEN.
- Visual meshes: with the software renderer the robot is drawn with simplified
  meshes (about 7x cheaper to render); `GWBENCH_VISUAL=full` asks for the stock ones.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

from core.paths import cache_dir

LAVAPIPE_ICD_NAME = "lvp_icd.json"
# Where Vulkan loaders look for installed drivers (ICD manifests).
SYSTEM_ICD_DIRS = (
    "/usr/share/vulkan/icd.d",
    "/etc/vulkan/icd.d",
    "/usr/local/share/vulkan/icd.d",
    "/usr/local/nvidia/share/vulkan/icd.d",
)
RENDER_CHOICES = ("auto", "gpu", "cpu")
VISUAL_CHOICES = ("auto", "light", "full")


def lavapipe_icd_path() -> Path:
    return cache_dir() / "mesa" / LAVAPIPE_ICD_NAME


def gpu_vulkan_drivers() -> list[str]:
    """ICD manifests of hardware Vulkan drivers (anything that is not a software rasteriser)."""
    found = []
    for folder in SYSTEM_ICD_DIRS:
        for manifest in sorted(glob.glob(os.path.join(folder, "*.json"))):
            name = os.path.basename(manifest).lower()
            if not any(soft in name for soft in ("lvp", "lavapipe", "swiftshader")):
                found.append(manifest)
    has_device = bool(glob.glob("/dev/nvidia[0-9]*") or glob.glob("/dev/dri/renderD*"))
    return found if has_device else []


@dataclass(frozen=True)
class RenderSetup:
    mode: str  # "gpu", "cpu-lavapipe", "user" (the user's own VK_ICD_FILENAMES) or "missing"
    icd: str  # the driver manifest in use, or "" when Vulkan chooses
    visual: str  # "light" or "full" robot visual meshes
    detail: str  # one line for `gwbench doctor`


_SETUP: RenderSetup | None = None


def _choose_render() -> tuple[str, str, str]:
    requested = os.environ.get("GWBENCH_RENDER", "auto")
    if requested not in RENDER_CHOICES:
        raise ValueError(f"GWBENCH_RENDER='{requested}' is not one of {', '.join(RENDER_CHOICES)}")
    user_icd = os.environ.get("VK_ICD_FILENAMES") or os.environ.get("VK_DRIVER_FILES")
    if user_icd and requested == "auto":
        return "user", user_icd, "using the Vulkan driver named by VK_ICD_FILENAMES/VK_DRIVER_FILES"
    gpu = gpu_vulkan_drivers()
    if gpu and requested in ("auto", "gpu"):
        return "gpu", gpu[0], f"hardware Vulkan driver {gpu[0]}"
    lavapipe = lavapipe_icd_path()
    if requested != "gpu" and lavapipe.exists():
        os.environ["VK_ICD_FILENAMES"] = str(lavapipe)
        os.environ.pop("VK_DRIVER_FILES", None)
        return "cpu-lavapipe", str(lavapipe), f"Mesa 25 software renderer {lavapipe}"
    return "missing", "", "no usable Vulkan driver: run scripts/setup (it unpacks Mesa 25 lavapipe into the cache)"


def _refuse_download_prompt(*args, **kwargs):
    raise RuntimeError(
        "a ManiSkill asset is missing and gwbench never downloads at run time; "
        f"assets belong under {cache_dir() / 'maniskill'} (run scripts/setup)"
    )


def configure() -> RenderSetup:
    """Set the offline and rendering environment once per process; safe to call again."""
    global _SETUP
    if _SETUP is not None:
        return _SETUP
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("MS_ASSET_DIR", str(cache_dir() / "maniskill"))
    os.environ.setdefault("MS_RENDERER_LOG_LEVEL", "error")
    mode, icd, detail = _choose_render()
    visual = os.environ.get("GWBENCH_VISUAL", "auto")
    if visual not in VISUAL_CHOICES:
        raise ValueError(f"GWBENCH_VISUAL='{visual}' is not one of {', '.join(VISUAL_CHOICES)}")
    if visual == "auto":
        visual = "full" if mode == "gpu" else "light"
    _SETUP = RenderSetup(mode=mode, icd=icd, visual=visual, detail=detail)

    from mani_skill.utils import download_asset

    download_asset.prompt_yes_no = _refuse_download_prompt
    _quiet_maniskill_logger()
    return _SETUP


def _quiet_maniskill_logger() -> None:
    """ManiSkill warns on every env about CUDA being absent; gwbench reports the render device itself."""
    import logging

    from mani_skill import logger

    logger.setLevel(logging.ERROR)
