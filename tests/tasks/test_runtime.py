"""Offline and renderer setup (tasks.runtime)."""

import gymnasium as gym
import pytest

from core import paths
from tasks import runtime

runtime.configure()  # what building any task env does first


def test_process_is_offline_and_assets_live_in_the_cache():
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["MS_ASSET_DIR"].startswith(str(paths.cache_dir()))


def test_a_missing_maniskill_asset_is_an_error_never_a_download_prompt():
    # PickSingleYCB needs the YCB object set, which gwbench never downloads.
    with pytest.raises(RuntimeError, match="never downloads at run time"):
        gym.make("PickSingleYCB-v1")


def test_render_choice_honours_the_user_and_rejects_bad_values(monkeypatch):
    monkeypatch.setenv("VK_ICD_FILENAMES", "/opt/my_icd.json")
    monkeypatch.delenv("GWBENCH_RENDER", raising=False)
    assert runtime._choose_render()[:2] == ("user", "/opt/my_icd.json")
    monkeypatch.setenv("GWBENCH_RENDER", "quantum")
    with pytest.raises(ValueError, match="GWBENCH_RENDER='quantum' is not one of auto, gpu, cpu"):
        runtime._choose_render()


def test_without_gpu_the_cached_lavapipe_is_chosen(monkeypatch, tmp_path):
    icd = tmp_path / "mesa" / "lvp_icd.json"
    icd.parent.mkdir()
    icd.write_text("{}")
    monkeypatch.setenv("GWBENCH_CACHE", str(tmp_path))
    monkeypatch.delenv("VK_ICD_FILENAMES", raising=False)
    monkeypatch.delenv("VK_DRIVER_FILES", raising=False)
    monkeypatch.setenv("GWBENCH_RENDER", "cpu")
    mode, chosen, _ = runtime._choose_render()
    assert (mode, chosen) == ("cpu-lavapipe", str(icd))
    import os

    assert os.environ["VK_ICD_FILENAMES"] == str(icd)
    monkeypatch.setenv("GWBENCH_CACHE", str(tmp_path / "empty"))
    assert runtime._choose_render()[0] == "missing"
