"""Tool use and pressing: beat_block_hammer (a hammer struck on a block), click_bell (a spring button).

Positions and tolerances follow RoboTwin 2.0's task definitions; the world frame
is RoboTwin's (table top z=0.74, x left->right, y away from the arms).
"""

from __future__ import annotations

import numpy as np
import sapien

from tasks.base import RoboTwinTaskEnv, actor_pose, actor_position
from tasks.language import InstructionTemplates, named_rgba, side_word
from tasks.scene.layout import LayoutError
from tasks.scene.primitives import HIDDEN, BoxPart, CylinderPart, build_box, build_composite, yaw_quaternion
from tasks.scene.props import build_button_prop
from tasks.spec import task



def _pick_color(rng: np.random.Generator, names: tuple[str, ...]) -> str:
    return names[int(rng.integers(len(names)))]


def _arm_word(x: float) -> str:
    """The arm RoboTwin's expert uses for something at x: the one on its side of the centre line."""
    return "left" if x < 0 else "right"


@task("beat_block_hammer", max_episode_steps=400, arms="one", category="tools")
class BeatBlockHammer(RoboTwinTaskEnv):
    """Pick up the hammer and strike the block with its head.

    Task: the arm on the block's side grasps the hammer by its handle, lifts it and
    brings the head down onto the top of the block.
    Randomizations: hammer near x=0, y=-0.06 (+-2 cm), head pointing away from the
    arms, yaw +-0.2 rad; block xy in x[-0.25, 0.25] y[-0.05, 0.15] at least 0.12 m
    from the hammer in x, yaw +-0.5 rad; handle and block colours.
    Success: the head's centre within 2 cm (xy) of the block's top centre and the
    head's lowest point from 5 mm below to 3 mm above the block's top (touching it).
    RoboTwin asks for a physics contact between hammer and block; the height band is
    that contact, read from poses so the check is a pure function of the scene.
    """

    HANDLE_HALF = (0.09, 0.011, 0.011)  # along the hammer's x axis
    HEAD_HALF = (0.02, 0.04, 0.02)  # a cross bar at the handle's +x end
    BLOCK_HALF = 0.025
    GRASP_X = 0.02  # where the hand takes the handle, hammer frame: a bit toward the heavier head
    XY_TOLERANCE = 0.02
    TOUCH_BELOW, TOUCH_ABOVE = 0.005, 0.003
    HANDLE_COLORS = ("brown", "black", "orange", "yellow", "blue")
    BLOCK_COLORS = ("red", "green", "blue", "purple", "pink")

    @property
    def head_offset(self) -> np.ndarray:
        """The head's centre in the hammer frame; bottoms of head and handle are level, so it lies flat."""
        return np.array([self.HANDLE_HALF[0] + self.HEAD_HALF[0], 0.0, self.HEAD_HALF[2] - self.HANDLE_HALF[2]])

    def build_objects(self):
        self.handle_color = _pick_color(self.rng, self.HANDLE_COLORS)
        self.block_color = _pick_color(self.rng, tuple(c for c in self.BLOCK_COLORS if c != self.handle_color))
        parts = [
            BoxPart(self.HANDLE_HALF, named_rgba(self.handle_color)),
            BoxPart(self.HEAD_HALF, named_rgba("gray"), tuple(self.head_offset)),
        ]
        self.hammer = build_composite(self.scene, "hammer", parts, HIDDEN, mass=0.12)
        # RoboTwin's block is static: the hammer strikes it, never moves it.
        half = [self.BLOCK_HALF] * 3
        self.block = build_box(self.scene, "block", half, named_rgba(self.block_color), HIDDEN, body="kinematic")

    def place_objects(self):
        top = self.room.table_top_z
        hammer_xy = np.array([self.rng.uniform(-0.02, 0.02), -0.06 + self.rng.uniform(-0.02, 0.02)])
        hammer_yaw = np.pi / 2 + self.rng.uniform(-0.2, 0.2)
        hammer_z = top + self.HANDLE_HALF[2]
        self.hammer.set_pose(sapien.Pose(p=[*hammer_xy, hammer_z], q=yaw_quaternion(hammer_yaw)))
        for _ in range(1000):
            block_xy = np.array([self.rng.uniform(-0.25, 0.25), self.rng.uniform(-0.05, 0.15)])
            if abs(block_xy[0] - hammer_xy[0]) >= 0.12:
                break
        else:
            raise LayoutError("no block position clear of the hammer")
        block_pose = sapien.Pose(p=[*block_xy, top + self.BLOCK_HALF], q=yaw_quaternion(self.rng.uniform(-0.5, 0.5)))
        self.block.set_pose(block_pose)

    def object_actors(self):
        return {"hammer": self.hammer}

    def clear_zones(self):
        """The block's surroundings, and where the hand holds the handle while the head is on the block."""
        block_xy = actor_position(self.block)[:2]
        rotation = actor_pose(self.hammer).to_transformation_matrix()[:3, :3]
        head_to_hand = rotation @ np.array([self.GRASP_X - self.head_offset[0], 0.0, 0.0])
        return [(block_xy, 0.07), (block_xy + head_to_hand[:2], 0.06)]

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "pick up the hammer and hit the {block} with it",
            "grab the {hammer} and strike the top of the {block}",
            "use the {arm} arm to take the hammer and beat the {block}",
            "lift the hammer by its handle and bring its head down on the {block}",
            "hammer the {block} on the {block_side} side of the table",
            "take the {hammer} and tap the {block} with the hammer head",
        ),
        unseen=(
            "hold the {hammer} and knock it onto the {block}",
            "with the {arm} gripper, pick the hammer up and beat the {block} on the {block_side}",
            "strike the {block} using the hammer lying on the table",
            "grasp the hammer's handle and land its head on top of the {block}",
        ),
    )

    def instruction_slots(self) -> dict[str, str]:
        block_x = actor_position(self.block)[0]
        return {
            "block": f"{self.block_color} block",
            "hammer": f"hammer with the {self.handle_color} handle",
            "block_side": side_word(block_x),
            "arm": _arm_word(block_x),
        }

    def head_center(self) -> np.ndarray:
        return np.asarray((actor_pose(self.hammer) * sapien.Pose(p=list(self.head_offset))).p, dtype=np.float64)

    def head_lowest_z(self) -> float:
        """Height of the head's lowest corner, however the hammer is tilted."""
        rotation = actor_pose(self.hammer).to_transformation_matrix()[:3, :3]
        return float(self.head_center()[2] - np.abs(rotation[2]) @ np.asarray(self.HEAD_HALF))

    def block_top(self) -> np.ndarray:
        return actor_position(self.block) + np.array([0.0, 0.0, self.BLOCK_HALF])

    def check_success(self) -> bool:
        top = self.block_top()
        over = np.all(np.abs(self.head_center()[:2] - top[:2]) < self.XY_TOLERANCE)
        gap = self.head_lowest_z() - top[2]
        return bool(over and -self.TOUCH_BELOW <= gap <= self.TOUCH_ABOVE)


@task("click_bell", max_episode_steps=400, arms="one", category="tools")
class ClickBell(RoboTwinTaskEnv):
    """Press the bell's button down with a closed gripper.

    Task: the arm on the bell's side pushes the spring-loaded button on top of the
    desk bell down and lets it spring back.
    Randomizations: bell xy in x[-0.25, 0.25] (|x| >= 0.05) y[-0.15, 0.0]; bell size
    +-10%; body and button colours. (RoboTwin's y reaches -0.2: closer to the Pandas'
    bases than a top-down hand can fold, so gwbench stops at -0.15.)
    Success: the button pushed at least 1 cm down (of 1.5 cm travel) at some
    physics step (the base class latches it). RoboTwin's check is a gripper contact
    near the bell's top; the button's joint makes "pressed" a property of the scene.
    """

    TRAVEL = 0.015
    PRESS_DEPTH = 0.01
    BUTTON_RADIUS = 0.014
    BELL_COLORS = ("yellow", "gray", "white", "blue", "green")
    BUTTON_COLORS = ("red", "black", "orange", "purple")

    def build_objects(self):
        self.bell_color = _pick_color(self.rng, self.BELL_COLORS)
        self.button_color = _pick_color(self.rng, self.BUTTON_COLORS)
        scale = self.rng.uniform(0.9, 1.1)
        body = named_rgba(self.bell_color)
        plate_half, dome_half, crown_half = 0.006 * scale, 0.015 * scale, 0.008 * scale
        dome_top = 2 * (plate_half + dome_half + crown_half)
        parts = [
            CylinderPart(0.05 * scale, plate_half, named_rgba("black"), (0.0, 0.0, plate_half)),
            CylinderPart(0.042 * scale, dome_half, body, (0.0, 0.0, 2 * plate_half + dome_half)),
            CylinderPart(0.028 * scale, crown_half, body, (0.0, 0.0, dome_top - crown_half)),
        ]
        self.footprint_radius = 0.05 * scale
        button_height = self.TRAVEL + 0.01  # protrudes 5 mm above the crown even when fully pressed
        self.bell = build_button_prop(
            self.scene,
            "bell",
            parts,
            base_mass=0.3,
            button_radius=self.BUTTON_RADIUS,
            button_height=button_height,
            button_color=named_rgba(self.button_color),
            seat_z=dome_top - button_height + self.TRAVEL + 0.005,
            travel=self.TRAVEL,
        )

    def place_objects(self):
        for _ in range(1000):
            x, y = self.rng.uniform(-0.25, 0.25), self.rng.uniform(-0.15, 0.0)
            if abs(x) >= 0.05:
                break
        else:
            raise LayoutError("no bell position off the centre line")
        self.bell.set_pose(sapien.Pose(p=[x, y, self.room.table_top_z]))

    def object_actors(self):
        return {}  # the bell's base is fixed to the table; its button is checked by its joint

    def clear_zones(self):
        """Room around the bell for the hand pressing it."""
        return [(np.asarray(self.bell.pose().p[:2], dtype=np.float64), self.footprint_radius + 0.03)]

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "press the button on the {bell}",
            "ring the {bell} by pushing its {button} down",
            "use the {arm} arm to click the {bell}",
            "close the gripper and press the {button} on top of the bell",
            "ring the bell on the {bell_side} of the table",
            "push down the {button} of the {bell} once",
        ),
        unseen=(
            "tap the {bell} on the {bell_side} with the closed gripper",
            "give the {bell} a ring",
            "with the {arm} hand, press the {button} on the bell",
            "click the bell's {button} down and let it spring back",
        ),
    )

    def instruction_slots(self) -> dict[str, str]:
        x = float(self.bell.pose().p[0])
        return {
            "bell": f"{self.bell_color} bell",
            "button": f"{self.button_color} button",
            "bell_side": side_word(x),
            "arm": _arm_word(x),
        }

    def check_success(self) -> bool:
        return self.bell.pressed_depth() >= self.PRESS_DEPTH
