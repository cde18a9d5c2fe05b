"""Tasks that need both arms at once: lift_pot, grab_roller, handover_mic, pick_dual_bottles.

Layouts and success criteria follow RoboTwin 2.0's task definitions, in its world
frame (table top z=0.74, x from the left arm to the right arm, y away from the
arms); spawn ranges are RoboTwin's where the two Pandas reach them comfortably and
moved within reach where not (each class docstring gives its own). Each object is a
composite of boxes and cylinders whose origin is the centre of its bottom face (the
roller's: its centre).
"""

from __future__ import annotations

import numpy as np
import sapien

from tasks.base import RoboTwinTaskEnv, actor_pose, tilt_deg, world_point
from tasks.language import InstructionTemplates, color_name, named_rgba
from tasks.scene.primitives import HIDDEN, BoxPart, CylinderPart, build_composite, yaw_quaternion
from tasks.spec import task

GRIPPER_CLOSED_BELOW = 0.2  # commanded gripper value counted as closed
# Colours a task object may get: named ones, so instructions and clutter colours stay unambiguous.
OBJECT_COLORS = ("red", "green", "blue", "yellow", "orange", "purple", "pink", "cyan", "white", "gray")
DARK = named_rgba("black")


def draw_colors(rng: np.random.Generator, count: int) -> list[tuple[float, ...]]:
    """`count` distinct named colours (RGBA)."""
    names = rng.choice(OBJECT_COLORS, size=count, replace=False)
    return [named_rgba(str(name)) for name in names]


def distance_to_segment(point, start, end) -> float:
    point, start, end = (np.asarray(v, dtype=np.float64) for v in (point, start, end))
    along = end - start
    t = np.clip(np.dot(point - start, along) / np.dot(along, along), 0.0, 1.0)
    return float(np.linalg.norm(point - (start + t * along)))


class DualArmTask(RoboTwinTaskEnv):
    """What the two-arm success checks read besides object poses: closed grippers and tool centres."""

    def gripper_closed(self, arm: str) -> bool:
        return self.gripper_command(arm) < GRIPPER_CLOSED_BELOW

    def tcp(self, arm: str) -> np.ndarray:
        return np.asarray(self.tcp_pose(arm).p, dtype=np.float64)


@task("lift_pot", max_episode_steps=400, arms="both", category="dual_arm")
class LiftPot(DualArmTask):
    """Lift the heavy pot by its two side handles, one in each hand.

    Task: both arms grasp the pot's handles (left handle left hand) and raise it level.
    Randomizations: pot xy in x[-0.05, 0.05] y[-0.05, 0.05], yaw within +-pi/8;
    body colour. The pot weighs 1.2 kg: held by one handle it swings and tips.
    Success: pot bottom at least 8 cm above the table, tilted less than 20 deg,
    each tool centre within 3 cm of its handle's grip point.
    """

    HALF = 0.1  # outer half width of the square body
    WALL = 0.006  # half thickness of base and walls
    HEIGHT = 0.11
    HANDLE_HALF = (0.025, 0.02, 0.008)  # a tab sticking out of the left and right walls at the rim
    MASS = 1.2
    LIFT_M = 0.08
    MAX_TILT_DEG = 20.0
    GRIP_TOLERANCE_M = 0.03

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "lift the {pot} with both hands by its handles",
            "grab both handles of the {pot} and raise it off the table",
            "use the left and right arms together to pick up the {pot}",
            "hold the {pot} by its two handles and lift it up level",
            "take the {pot} by the handles, one in each gripper, and lift it",
            "raise the {pot} from the table using both of its side handles",
        ),
        unseen=(
            "pick the {pot} up with two hands, keeping it level",
            "grasp the handles on either side of the {pot} and lift it",
            "lift up the heavy {pot} with both arms",
            "with one gripper on each handle, raise the {pot} above the table",
        ),
    )

    def build_objects(self):
        (color,) = draw_colors(self.rng, 1)
        half, wall, height = self.HALF, self.WALL, self.HEIGHT
        parts = [
            BoxPart((half, half, wall), color, (0.0, 0.0, wall)),
            *(BoxPart((wall, half, height / 2), color, (s * (half - wall), 0.0, height / 2)) for s in (-1, 1)),
            *(BoxPart((half - 2 * wall, wall, height / 2), color, (0, s * (half - wall), height / 2)) for s in (-1, 1)),
            *(BoxPart(self.HANDLE_HALF, DARK, tuple(self.handle_local(s))) for s in (-1, 1)),
        ]
        self.pot = build_composite(self.scene, "pot", parts, HIDDEN, mass=self.MASS)
        self.pot_color = color

    def handle_local(self, side: int) -> np.ndarray:
        """Centre of a handle tab in the pot frame; side -1 is the left handle."""
        hx, _, hz = self.HANDLE_HALF
        return np.array([side * (self.HALF + hx), 0.0, self.HEIGHT - hz])

    def handle_points(self) -> dict[str, np.ndarray]:
        return {arm: world_point(self.pot, self.handle_local(side)) for arm, side in (("left", -1), ("right", 1))}

    def place_objects(self):
        x, y = self.rng.uniform(-0.05, 0.05), self.rng.uniform(-0.05, 0.05)
        yaw = self.rng.uniform(-np.pi / 8, np.pi / 8)
        self.pot.set_pose(sapien.Pose(p=[x, y, self.room.table_top_z], q=yaw_quaternion(yaw)))

    def object_actors(self):
        return {"pot": self.pot}

    def clear_zones(self):
        # The hands come down onto the handles: nothing may stand beside them.
        return [(point[:2], 0.06) for point in self.handle_points().values()]

    def instruction_slots(self) -> dict[str, str]:
        return {"pot": f"{color_name(self.pot_color)} pot"}

    def check_success(self) -> bool:
        raised = actor_pose(self.pot).p[2] > self.room.table_top_z + self.LIFT_M
        level = tilt_deg(self.pot) < self.MAX_TILT_DEG
        gripped = all(
            np.linalg.norm(self.tcp(arm) - point) < self.GRIP_TOLERANCE_M for arm, point in self.handle_points().items()
        )
        return bool(raised and level and gripped)


@task("grab_roller", max_episode_steps=400, arms="both", category="dual_arm")
class GrabRoller(DualArmTask):
    """Grab the long roller by both handle ends and lift it.

    Task: the left hand takes the left handle, the right hand the right one, and both lift.
    Randomizations: roller centre xy in x[-0.08, 0.08] y[-0.04, 0.08], yaw within
    +-0.4 rad (lying across the table); body and handle colours.
    Success: both grippers closed, the roller's centre at least 5 cm above its
    resting height, each tool centre within 3 cm of its handle's axis.
    """

    RADIUS = 0.03
    BODY_HALF = 0.14
    HANDLE_RADIUS = 0.016
    HANDLE_HALF = 0.05
    MASS = 0.6
    LIFT_M = 0.05
    GRIP_TOLERANCE_M = 0.03

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "grab the {roller} by both ends and lift it",
            "hold the {roller} with one gripper on each {handles} and raise it",
            "use both arms to pick up the {roller} by its ends",
            "take the two {handles} of the {roller} and lift it off the table",
            "grasp the left end of the {roller} with the left arm and the right end with the right arm, then lift",
            "pick up the {roller} lying on the table with both hands",
        ),
        unseen=(
            "lift the {roller} holding it at both ends",
            "with both grippers on its {handles}, raise the {roller}",
            "grab the {roller} at each end and pick it up",
            "raise the long {roller} off the table using two hands",
        ),
    )

    def build_objects(self):
        body_color, handle_color = draw_colors(self.rng, 2)
        parts = [
            CylinderPart(self.RADIUS, self.BODY_HALF, body_color, axis="x"),
            *(
                CylinderPart(self.HANDLE_RADIUS, self.HANDLE_HALF, handle_color, (s * self.handle_offset(), 0, 0), "x")
                for s in (-1, 1)
            ),
        ]
        self.roller = build_composite(self.scene, "roller", parts, HIDDEN, mass=self.MASS)
        self.colors = {"body": body_color, "handle": handle_color}

    def handle_offset(self) -> float:
        return self.BODY_HALF + self.HANDLE_HALF

    def handle_segments(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each arm's handle as its axis segment (inner end, outer end), world frame."""
        inner, outer = self.BODY_HALF, self.BODY_HALF + 2 * self.HANDLE_HALF
        return {
            arm: (world_point(self.roller, (side * inner, 0, 0)), world_point(self.roller, (side * outer, 0, 0)))
            for arm, side in (("left", -1), ("right", 1))
        }

    def handle_points(self) -> dict[str, np.ndarray]:
        return {arm: (a + b) / 2 for arm, (a, b) in self.handle_segments().items()}

    def place_objects(self):
        x, y = self.rng.uniform(-0.08, 0.08), self.rng.uniform(-0.04, 0.08)
        yaw = self.rng.uniform(-0.4, 0.4)
        self.roller.set_pose(sapien.Pose(p=[x, y, self.room.table_top_z + self.RADIUS], q=yaw_quaternion(yaw)))

    def object_actors(self):
        return {"roller": self.roller}

    def instruction_slots(self) -> dict[str, str]:
        return {
            "roller": f"{color_name(self.colors['body'])} roller",
            "handles": f"{color_name(self.colors['handle'])} handle",
        }

    def check_success(self) -> bool:
        raised = actor_pose(self.roller).p[2] > self.room.table_top_z + self.RADIUS + self.LIFT_M
        gripped = all(
            self.gripper_closed(arm) and distance_to_segment(self.tcp(arm), *segment) < self.GRIP_TOLERANCE_M
            for arm, segment in self.handle_segments().items()
        )
        return bool(raised and gripped)


@task("handover_mic", max_episode_steps=600, arms="both", category="dual_arm")
class HandoverMic(DualArmTask):
    """Pick the microphone with the arm on its side, hand it to the other arm, which holds it up.

    Task: the arm on the microphone's side (the giver) picks it up and passes it
    over the middle to the other arm (the receiver), then lets go; the receiver
    holds it up on its own side.
    Randomizations: microphone xy in |x| in [0.15, 0.22] (either side) y[-0.05, 0.05],
    upright; body and head colours.
    Success: the receiver's gripper closed with its tool centre within 3 cm of the
    microphone's axis, the giver's gripper open, the microphone's bottom at least
    10 cm above the table and its centre at least 5 cm on the receiver's side of
    the middle.
    """

    FOOT = (0.024, 0.005)  # radius, half height: a ring that lets it stand
    HANDLE = (0.016, 0.065)
    HEAD = (0.027, 0.024)
    MASS = 0.2
    LIFT_M = 0.1
    SIDE_M = 0.05
    GRIP_TOLERANCE_M = 0.03

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "pick up the {mic} with the {giver} arm and hand it over to the {receiver} arm",
            "use the {giver} gripper to grab the {mic}, then pass it to the {receiver} gripper",
            "hand the {mic} from the {giver} hand to the {receiver} hand and hold it up",
            "grab the {mic} on the {giver} side and give it to the other arm",
            "pass the {mic} across from the {giver} arm to the {receiver} arm",
            "lift the {mic} with the {giver} arm, transfer it to the {receiver} arm, and keep it raised",
        ),
        unseen=(
            "the {giver} arm picks up the {mic} and hands it to the {receiver} arm",
            "take the {mic} with the {giver} hand and let the {receiver} hand take it from you",
            "hand over the {mic}: {giver} gripper first, then {receiver} gripper",
            "move the {mic} to the {receiver} arm by handing it over from the {giver} arm",
        ),
    )

    def build_objects(self):
        body_color, head_color = draw_colors(self.rng, 2)
        (foot_r, foot_h), (handle_r, handle_h), (head_r, head_h) = self.FOOT, self.HANDLE, self.HEAD
        parts = [
            CylinderPart(foot_r, foot_h, DARK, (0, 0, foot_h)),
            CylinderPart(handle_r, handle_h, body_color, (0, 0, 2 * foot_h + handle_h)),
            CylinderPart(head_r, head_h, head_color, (0, 0, 2 * (foot_h + handle_h) + head_h)),
        ]
        self.mic = build_composite(self.scene, "microphone", parts, HIDDEN, mass=self.MASS)
        self.colors = {"body": body_color, "head": head_color}

    @property
    def length(self) -> float:
        return 2 * (self.FOOT[1] + self.HANDLE[1] + self.HEAD[1])

    def head_center_height(self) -> float:
        return self.length - self.HEAD[1]

    def place_objects(self):
        side = self.rng.choice([-1.0, 1.0])
        x, y = side * self.rng.uniform(0.15, 0.22), self.rng.uniform(-0.05, 0.05)
        self.mic.set_pose(sapien.Pose(p=[x, y, self.room.table_top_z]))
        # Part of the episode's task definition, fixed at reset: the instruction names both arms.
        self.giver = "left" if side < 0 else "right"
        self.receiver = "right" if side < 0 else "left"

    def object_actors(self):
        return {"microphone": self.mic}

    def instruction_slots(self) -> dict[str, str]:
        return {
            "mic": f"{color_name(self.colors['body'])} microphone",
            "giver": self.giver,
            "receiver": self.receiver,
        }

    def axis_segment(self) -> tuple[np.ndarray, np.ndarray]:
        return world_point(self.mic, (0, 0, 0)), world_point(self.mic, (0, 0, self.length))

    def check_success(self) -> bool:
        bottom, top = self.axis_segment()
        center = (bottom + top) / 2
        side = -1.0 if self.receiver == "left" else 1.0
        held = distance_to_segment(self.tcp(self.receiver), bottom, top) < self.GRIP_TOLERANCE_M
        raised = min(bottom[2], top[2]) > self.room.table_top_z + self.LIFT_M
        on_receiver_side = side * center[0] > self.SIDE_M
        handed_over = self.gripper_closed(self.receiver) and self.gripper_open(self.giver)
        return bool(held and raised and on_receiver_side and handed_over)


@task("pick_dual_bottles", max_episode_steps=400, arms="both", category="dual_arm")
class PickDualBottles(DualArmTask):
    """Pick up both bottles at once, one per arm, and hold them up in front.

    Task: the left arm lifts the left bottle, the right arm the right one, each to
    its spot in front of the table centre.
    Randomizations: left bottle xy in x[-0.25, -0.08], right bottle in x[0.08, 0.25],
    both y[-0.02, 0.15]; two distinct colours.
    Success: each bottle's bottom at least 10 cm above the table, its centre within
    10 cm (x and y) of its target, tilted less than 30 deg.
    """

    BODY = (0.03, 0.07)  # radius, half height
    SHOULDER = (0.021, 0.01)
    NECK = (0.013, 0.02)
    MASS = 0.15
    TARGETS = {"left": np.array([-0.09, -0.1]), "right": np.array([0.09, -0.1])}
    LIFT_M = 0.1
    TARGET_TOLERANCE_M = 0.1
    MAX_TILT_DEG = 30.0
    CLUTTER_EXCLUDES = ("can",)  # a standing can reads as a third bottle

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "pick up the {left_bottle} with the left arm and the {right_bottle} with the right arm",
            "lift both bottles at once: the {left_bottle} on the left and the {right_bottle} on the right",
            "grab the {left_bottle} and the {right_bottle}, one in each hand, and hold them up in front",
            "use both grippers to raise the two bottles from the table",
            "take the {left_bottle} in the left hand and the {right_bottle} in the right hand and lift them",
            "hold up the {left_bottle} and the {right_bottle} in front of you, one per arm",
        ),
        unseen=(
            "pick both bottles up together, the {left_bottle} with the left gripper, the {right_bottle} with the right",
            "lift the {left_bottle} and the {right_bottle} off the table at the same time",
            "raise the two bottles, {left_bottle} and {right_bottle}, with both arms",
            "each arm picks up the bottle on its side and brings it up to the front",
        ),
    )

    def build_objects(self):
        colors = draw_colors(self.rng, 2)
        self.bottles, self.colors = {}, {}
        for arm, color in zip(("left", "right"), colors):
            parts = self._bottle_parts(color)
            self.bottles[arm] = build_composite(self.scene, f"{arm}_bottle", parts, HIDDEN, mass=self.MASS)
            self.colors[arm] = color

    def _bottle_parts(self, color) -> list:
        parts, z = [], 0.0
        for radius, half in (self.BODY, self.SHOULDER, self.NECK):
            parts.append(CylinderPart(radius, half, color if radius == self.BODY[0] else DARK, (0, 0, z + half)))
            z += 2 * half
        return parts

    @property
    def height(self) -> float:
        return 2 * (self.BODY[1] + self.SHOULDER[1] + self.NECK[1])

    def place_objects(self):
        for arm, (low, high) in (("left", (-0.25, -0.08)), ("right", (0.08, 0.25))):
            x, y = self.rng.uniform(low, high), self.rng.uniform(-0.02, 0.15)
            yaw = self.rng.uniform(-np.pi, np.pi)
            self.bottles[arm].set_pose(sapien.Pose(p=[x, y, self.room.table_top_z], q=yaw_quaternion(yaw)))

    def object_actors(self):
        return {f"{arm}_bottle": bottle for arm, bottle in self.bottles.items()}

    def clear_zones(self):
        return [(target, 0.05) for target in self.TARGETS.values()]

    def instruction_slots(self) -> dict[str, str]:
        return {f"{arm}_bottle": f"{color_name(color)} bottle" for arm, color in self.colors.items()}

    def bottle_lifted(self, arm: str) -> bool:
        bottle = self.bottles[arm]
        bottom = world_point(bottle, (0, 0, 0))
        center = world_point(bottle, (0, 0, self.height / 2))
        near = np.all(np.abs(center[:2] - self.TARGETS[arm]) < self.TARGET_TOLERANCE_M)
        raised = bottom[2] > self.room.table_top_z + self.LIFT_M
        return bool(near and raised and tilt_deg(bottle) < self.MAX_TILT_DEG)

    def check_success(self) -> bool:
        return self.bottle_lifted("left") and self.bottle_lifted("right")
