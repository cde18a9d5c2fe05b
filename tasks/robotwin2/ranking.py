"""Block ranking: blocks_ranking_rgb (by colour) and blocks_ranking_size (by size).

Both put three blocks in a row in a given left-to-right order; they differ in
what the order is. World frame as RoboTwin (table top z=0.74, x left->right).
"""

from __future__ import annotations

import numpy as np
import sapien

from tasks.base import RoboTwinTaskEnv, actor_position
from tasks.language import COLOR_NAMES, InstructionTemplates, size_word
from tasks.robotwin2.blocks import _block_spawn_allowed
from tasks.scene.layout import sample_points
from tasks.scene.primitives import BLUE, GREEN, RED, build_box, yaw_quaternion
from tasks.spec import task

ROW_X = ((-0.09, -0.08), (-0.01, 0.01), (0.08, 0.09))  # expert's targets, left to right
ROW_Y = (-0.2, -0.1)


class BlockRow(RoboTwinTaskEnv):
    """Three blocks to be lined up left to right in the order of `self.blocks`.

    Subclasses build `self.blocks` (name -> actor, in goal order) and
    `self.halves` (name -> half side) in `build_objects`.
    """

    def place_objects(self):
        while True:
            spots = sample_points(self.rng, 3, (-0.28, 0.28), (-0.08, 0.05), 0.1, _block_spawn_allowed(0.1))
            if not self._ranked([np.append(xy, 0.0) for xy in spots]):
                break
        for (name, block), xy in zip(self.blocks.items(), spots):
            yaw = self.rng.uniform(-0.75, 0.75)
            z = self.room.table_top_z + self.halves[name]
            block.set_pose(sapien.Pose(p=[xy[0], xy[1], z], q=yaw_quaternion(yaw)))
        # Where the expert lines them up: one random row in front of the target spot.
        row_y = self.rng.uniform(*ROW_Y)
        self.row_targets = {
            name: np.array([self.rng.uniform(*x_range), row_y]) for name, x_range in zip(self.blocks, ROW_X)
        }

    def object_actors(self):
        return {f"{name}_block": block for name, block in self.blocks.items()}

    def clear_zones(self):
        return [(xy, 0.05) for xy in self.row_targets.values()]

    @staticmethod
    def _ranked(positions: list[np.ndarray]) -> bool:
        first, second, third = positions
        near = all(np.all(np.abs(a[:2] - b[:2]) < np.array([0.13, 0.03])) for a, b in ((first, second), (second, third)))
        return bool(near and first[0] < second[0] < third[0])

    def check_success(self) -> bool:
        positions = [actor_position(block) for block in self.blocks.values()]
        return self._ranked(positions) and self.gripper_open("left") and self.gripper_open("right")


@task("blocks_ranking_rgb", max_episode_steps=1200, arms="one", category="blocks")
class BlocksRankingRGB(BlockRow):
    """Line up the red, green and blue blocks from left to right.

    Task: arrange the three blocks in a row, red left of green left of blue.
    Randomizations: one block size for all three (half side 1.5-2.5 cm); each xy
    in x[-0.28, 0.28] y[-0.08, 0.05], 0.1 m apart, off the centre line; yaw within
    +-0.75 rad; layouts already in order are redrawn.
    Success: neighbours within 13 cm in x and 3 cm in y, x order red < green <
    blue, both grippers open.
    """

    COLORS = {"red": RED, "green": GREEN, "blue": BLUE}
    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "arrange the {size} red, green and blue blocks in a row from left to right: red, green, then blue",
            "line up the {size} blocks left to right in the order red, green, blue",
            "put the red block on the left, the green one in the middle and the blue one on the right",
            "sort the {size} blocks by colour from left to right: red, green, blue",
            "place the three {size} blocks in a row, red first, then green, then blue",
            "order the blocks red, green, blue from the left side to the right side",
        ),
        unseen=(
            "make a row of the {size} blocks: red on the left, green in the centre, blue on the right",
            "move the red, green and blue blocks into a line, left to right in that order",
            "rank the {size} blocks by colour in a row from left to right: red, green, blue",
            "set the blocks side by side: red at the left end, blue at the right end, green between them",
        ),
    )

    def build_objects(self):
        half = float(self.rng.uniform(0.015, 0.025))
        hidden = sapien.Pose(p=[0, 0, -1])
        self.halves = dict.fromkeys(self.COLORS, half)
        self.blocks = {
            name: build_box(self.scene, f"{name}_block", [half] * 3, color, hidden, mass=0.05)
            for name, color in self.COLORS.items()
        }

    def instruction_slots(self) -> dict[str, str]:
        return {"size": size_word(self.halves["red"], 0.0185, 0.0215)}


# RoboTwin's three sizes (half sides): large, medium, small.
SIZE_RANGES = {"large": (0.03, 0.033), "medium": (0.024, 0.027), "small": (0.018, 0.021)}
BLOCK_COLORS = ("red", "green", "blue", "yellow", "orange", "purple", "pink", "cyan", "white", "brown")


@task("blocks_ranking_size", max_episode_steps=1200, arms="one", category="blocks")
class BlocksRankingSize(BlockRow):
    """Line up three blocks from largest to smallest, left to right.

    Task: arrange a large, a medium and a small block in a row, largest on the left.
    Randomizations: half sides large 3.0-3.3 cm, medium 2.4-2.7 cm, small 1.8-2.1 cm;
    three distinct colours; each xy in x[-0.28, 0.28] y[-0.08, 0.05], 0.1 m apart,
    off the centre line; yaw within +-0.75 rad; layouts already in order are redrawn.
    Success: neighbours within 13 cm in x and 3 cm in y, x order large < medium <
    small, both grippers open.
    """

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "arrange the blocks from largest to smallest, left to right",
            "line up the {large}, the {medium} and the {small} by size, biggest on the left",
            "put the {large} on the left, the {medium} in the middle and the {small} on the right",
            "sort the three blocks by size in a row, from the big {large} down to the little {small}",
            "rank the blocks from left to right in order of decreasing size",
            "place the {large}, {medium} and {small} in a row, largest first",
        ),
        unseen=(
            "make a row of the blocks with the biggest on the left and the smallest on the right",
            "order the {large}, the {medium} and the {small} from left to right by size",
            "set the blocks side by side, shrinking from left to right: {large}, {medium}, {small}",
            "line the blocks up by size with the {small} at the right end",
        ),
    )

    def build_objects(self):
        picks = self.rng.choice(len(BLOCK_COLORS), size=3, replace=False)
        self.colors = {size: BLOCK_COLORS[i] for size, i in zip(SIZE_RANGES, picks)}
        self.halves = {size: float(self.rng.uniform(*limits)) for size, limits in SIZE_RANGES.items()}
        hidden = sapien.Pose(p=[0, 0, -1])
        self.blocks = {
            size: build_box(
                self.scene, f"{size}_block", [self.halves[size]] * 3, (*COLOR_NAMES[self.colors[size]], 1.0), hidden,
                mass=0.05 * (self.halves[size] / 0.025) ** 3,
            )
            for size in SIZE_RANGES
        }

    def instruction_slots(self) -> dict[str, str]:
        return {size: f"{size} {color} block" for size, color in self.colors.items()}
