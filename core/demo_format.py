"""The gwbench-demos HDF5 format: written by `gwbench collect` (gwbench.collect), read by training
(policies.common.data) and the LeRobot export (gwbench.lerobot). One definition of what a readable file is.

    / attrs: format="gwbench-demos", version, camera_height, camera_width, frame_stride, action_dim,
             embodiment (absent in early files: core.contract.LEGACY_EMBODIMENT), control_freq,
             perturbation_rad (corrective demonstrations, gwbench.perturbation; absent or 0: none)
    /episodes/seed<S>/  attrs: task, setting, seed, instruction, success, steps
        joint_action  (T+1, D) float32  measured joint vector before each step (and after the last)
        actions       (T, D)   float32  the commanded action of each step (corrective demonstrations: the
                                         expert's planned one; the played one carried the offset)
        frame_steps   (F,)     int32    steps whose images were rendered: 0, stride, 2*stride, ... <= T
        images/<camera>        (F, H, W, 3) uint8, for head_camera, left_camera, right_camera

h5py is imported when a file is opened, so importing this module costs nothing.
"""

from __future__ import annotations

from pathlib import Path

from core.errors import InputError

FORMAT = "gwbench-demos"
VERSION = 1


def demo_files(data_dir: str | Path) -> list[Path]:
    """The demo files in a folder, by name; InputError when there are none (or it is not a folder)."""
    files = sorted(Path(data_dir).glob("*.h5")) if Path(data_dir).is_dir() else []
    if not files:
        raise InputError(f"{data_dir} holds no demonstration files (*.h5); make some with `gwbench collect`")
    return files


def open_demo_file(path: Path):
    """An open h5py.File of a gwbench-demos file, read-only, its attributes checked (use it as a context
    manager); InputError naming the file when it is not one. A file without `embodiment` is franka-panda's."""
    import h5py

    try:
        handle = h5py.File(path, "r")
    except OSError as error:  # not HDF5, truncated, or still open for writing by `gwbench collect`
        raise InputError(f"{path}: cannot read it as HDF5 ({error})") from None
    attrs = handle.attrs
    if attrs.get("format") != FORMAT or int(attrs.get("version", -1)) != VERSION:
        handle.close()
        raise InputError(f"{path}: not a {FORMAT} v{VERSION} file (make one with `gwbench collect`)")
    return handle

