"""Block stacking and handover: stack_blocks_two, stack_blocks_three, handover_block.

Positions, sizes and tolerances follow RoboTwin 2.0's task definitions; the
world frame is RoboTwin's (table top z=0.74, x left->right, y away from the arms).
"""

from __future__ import annotations

import numpy as np
import sapien

from tasks.base import RoboTwinTaskEnv, actor_pose, actor_position
from tasks.language import InstructionTemplates, side_word
from tasks.scene.layout import sample_points
from tasks.scene.primitives import BLUE, GREEN, RED, build_box, yaw_quaternion
from tasks.spec import task

TARGET_SPOT = np.array([0.0, -0.1])  # kept clear at spawn: blocks are stacked / ranked near it


def _block_spawn_allowed(clear_radius: float):
    """RoboTwin keeps blocks off the centre line and away from the target spot."""
    return lambda xy: abs(xy[0]) >= 0.05 and np.linalg.norm(xy - TARGET_SPOT) >= clear_radius


class BlockStack(RoboTwinTaskEnv):
    """A tower of equal blocks at the table centre, bottom to top in the order of COLORS."""

    HALF = 0.025
    RED_TARGET_XY = (0.0, -0.13)  # where the bottom block goes
    COLORS: dict = {}

    def build_objects(self):
        hidden = sapien.Pose(p=[0, 0, -1])
        self.blocks = {
            name: build_box(self.scene, f"{name}_block", [self.HALF] * 3, color, hidden, mass=0.05)
            for name, color in self.COLORS.items()
        }

    def place_objects(self):
        spots = sample_points(
            self.rng, len(self.blocks), (-0.28, 0.28), (-0.08, 0.05), 0.1, _block_spawn_allowed(0.15)
        )
        for block, xy in zip(self.blocks.values(), spots):
            z = self.room.table_top_z + self.HALF
            block.set_pose(sapien.Pose(p=[xy[0], xy[1], z], q=yaw_quaternion(self.rng.uniform(-0.75, 0.75))))

    def object_actors(self):
        return {f"{name}_block": block for name, block in self.blocks.items()}

    def clear_zones(self):
        return [(np.array(self.RED_TARGET_XY), 2.5 * self.HALF)]

    def instruction_slots(self) -> dict[str, str]:
        names = list(self.blocks)
        return {
            **{f"block{i}": f"{name} block" for i, name in enumerate(names)},
            "bottom_side": side_word(actor_position(self.blocks[names[0]])[0]),
        }

    def check_success(self) -> bool:
        positions = [actor_position(block) for block in self.blocks.values()]
        one_up = np.array([0.0, 0.0, 2 * self.HALF])
        stacked = all(
            np.all(np.abs(upper - (lower + one_up)) < np.array([0.025, 0.025, 0.012]))
            for lower, upper in zip(positions, positions[1:])
        )
        return bool(stacked and self.gripper_open("left") and self.gripper_open("right"))


@task("stack_blocks_two", max_episode_steps=800, arms="one", category="blocks")
class StackBlocksTwo(BlockStack):
    """Stack the green block on the red block.

    Task: put the red block at the centre of the table, then the green one on top.
    Randomizations: both blocks' xy in x[-0.28, 0.28] y[-0.08, 0.05], 0.1 m apart,
    off the centre line; yaw within +-0.75 rad.
    Success: green block centre within 2.5 cm (xy) and 1.2 cm (z) of one block
    height above the red block centre, both grippers open.
    """

    COLORS = {"red": RED, "green": GREEN}
    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "place the {block0} in the middle of the table, then stack the {block1} on top of it",
            "move the {block0} to the centre and put the {block1} on it",
            "stack the {block1} onto the {block0} after moving the {block0} to the middle",
            "bring the {block0} on the {bottom_side} to the table centre and set the {block1} on top",
            "put the {block0} in the centre of the table and the {block1} on top of it",
            "build a two-block tower in the middle: {block0} below, {block1} above",
        ),
        unseen=(
            "slide the {block0} to the middle of the table and stack the {block1} on it",
            "first centre the {block0}, then place the {block1} on top",
            "make a stack in the middle of the table with the {block1} resting on the {block0}",
            "take the {block0} from the {bottom_side} to the centre, then pile the {block1} on it",
        ),
    )


@task("stack_blocks_three", max_episode_steps=1200, arms="one", category="blocks")
class StackBlocksThree(BlockStack):
    """Stack the blue block on the green block on the red block.

    Task: put the red block at the centre of the table, the green one on it, the blue one on top.
    Randomizations: the three blocks' xy in x[-0.28, 0.28] y[-0.08, 0.05], 0.1 m
    apart, off the centre line; yaw within +-0.75 rad.
    Success: each block's centre within 2.5 cm (xy) and 1.2 cm (z) of one block
    height above the one below it, both grippers open.
    """

    COLORS = {"red": RED, "green": GREEN, "blue": BLUE}
    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "stack the three blocks in the middle of the table: {block0} at the bottom, then {block1}, then {block2}",
            "move the {block0} to the centre, put the {block1} on it and the {block2} on top",
            "build a tower of {block0}, {block1} and {block2}, from bottom to top, at the table centre",
            "bring the {block0} from the {bottom_side} to the middle and stack the {block1} and the {block2} on it",
            "place the {block2} on the {block1} and the {block1} on the {block0}, all in the middle",
            "make a three-block stack in the centre with the {block0} lowest and the {block2} highest",
        ),
        unseen=(
            "pile the blocks up in the middle of the table: first the {block0}, next the {block1}, last the {block2}",
            "centre the {block0}, then stack the {block1} on it, then the {block2} on the {block1}",
            "put the {block0} in the middle and build up with the {block1} and then the {block2}",
            "create a tower at the centre of the table, {block0} under {block1} under {block2}",
        ),
    )


@task("handover_block", max_episode_steps=800, arms="both", category="blocks")
class HandoverBlock(RoboTwinTaskEnv):
    """Hand the tall red block from the left arm to the right arm and stand it on the blue pad.

    Task: the left arm picks the block, passes it to the right arm over the
    middle of the table, and the right arm stands it on the pad.
    Randomizations: block xy in x[-0.25, -0.05] y[0, 0.2], yaw 22.5 deg +-0.2 rad;
    pad xy in x[0.1, 0.25] y[0.05, 0.15].
    Success: block bottom centre within 3 cm (xy) and 1 cm (z) of the pad's top
    centre, right gripper open.
    """

    BLOCK_HALF = (0.03, 0.03, 0.1)
    PAD_HALF = (0.05, 0.05, 0.005)

    def build_objects(self):
        hidden = sapien.Pose(p=[0, 0, -1])
        self.block = build_box(self.scene, "block", self.BLOCK_HALF, RED, hidden, mass=0.1)
        self.pad = build_box(self.scene, "pad", self.PAD_HALF, BLUE, hidden, body="kinematic")

    def place_objects(self):
        top = self.room.table_top_z
        x, y = self.rng.uniform(-0.25, -0.05), self.rng.uniform(0.0, 0.2)
        yaw = np.deg2rad(22.5) + self.rng.uniform(-0.2, 0.2)
        self.block.set_pose(sapien.Pose(p=[x, y, top + self.BLOCK_HALF[2]], q=yaw_quaternion(yaw)))
        px, py = self.rng.uniform(0.1, 0.25), self.rng.uniform(0.05, 0.15)
        self.pad.set_pose(sapien.Pose(p=[px, py, top + self.PAD_HALF[2]]))

    def object_actors(self):
        return {"block": self.block}

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "pick up the {block} with the left arm, hand it to the right arm, and stand it on the {pad}",
            "use the left gripper to grab the {block}, pass it to the right gripper, then place it on the {pad}",
            "hand the {block} over from the left arm to the right arm and set it upright on the {pad}",
            "grasp the {block} on the {block_side} with the left hand, give it to the right hand, put it on the {pad}",
            "transfer the {block} between the arms and stand it on the {pad} on the right",
            "lift the {block}, hand it across to the right arm, and place it on the {pad}",
        ),
        unseen=(
            "have the left arm pick the {block} and pass it to the right arm, which stands it on the {pad}",
            "move the {block} onto the {pad} by handing it from the left gripper to the right gripper",
            "pick the {block} with the left gripper, hand it over, and put it upright on the {pad}",
            "the left arm takes the {block}, the right arm receives it and sets it on the {pad}",
        ),
    )

    def instruction_slots(self) -> dict[str, str]:
        return {"block": "tall red block", "pad": "blue pad", "block_side": side_word(actor_position(self.block)[0])}

    def block_bottom(self) -> np.ndarray:
        pose = actor_pose(self.block)
        down = pose.to_transformation_matrix()[:3, 2]
        return np.asarray(pose.p) - down * self.BLOCK_HALF[2]

    def pad_top(self) -> np.ndarray:
        return actor_position(self.pad) + np.array([0.0, 0.0, self.PAD_HALF[2]])

    def check_success(self) -> bool:
        bottom, target = self.block_bottom(), self.pad_top()
        close = np.all(np.abs(bottom[:2] - target[:2]) < 0.03) and abs(bottom[2] - target[2]) < 0.01
        return bool(close and self.gripper_open("right"))
