"""Pick-and-place next to or onto another object: place_a2b_left, place_a2b_right,
place_empty_cup, move_can_pot.

Layouts and tolerances follow RoboTwin 2.0's task definitions; the world frame is
RoboTwin's (table top z=0.74, x left->right, y away from the arms). RoboTwin's
meshes (mouse, stapler, cup, coaster, kitchen pot...) are replaced by composites
of boxes and cylinders generated here: every prop's origin is its geometric centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sapien

from tasks.base import RoboTwinTaskEnv, actor_pose, actor_position, tilt_deg
from tasks.language import InstructionTemplates, named_rgba, side_word
from tasks.scene.layout import LayoutError
from tasks.scene.primitives import HIDDEN, BoxPart, CylinderPart, build_composite, yaw_quaternion
from tasks.spec import task

PROP_COLORS = ("red", "green", "blue", "yellow", "orange", "purple", "pink", "cyan", "white", "brown")
UPRIGHT_TILT_DEG = 15.0  # RoboTwin's tolerance on a can's roll and pitch
LAYOUT_TRIES = 1000
# RoboTwin draws objects from y=-0.2; the Pandas' bases sit closer to the table, and
# a hand pointing straight down cannot get nearer than about y=-0.15 at the table's
# sides (elbow at its limit). Layouts start at NEAREST_Y instead.
NEAREST_Y = -0.15


def distinct_colors(rng: np.random.Generator, count: int, palette=PROP_COLORS) -> list[str]:
    return [palette[int(i)] for i in rng.choice(len(palette), size=count, replace=False)]


def ring_wall(outer_radius: float, thickness: float, half_height: float, center_z: float, color, segments: int = 12):
    """A thin round wall as a regular polygon of boxes; a face is centred on the object's +x axis.

    Opposite faces are parallel, so a gripper closing along any of the `segments`
    face normals squeezes two flat faces.
    """
    half_width = outer_radius * np.tan(np.pi / segments)
    middle = outer_radius - thickness / 2
    return [
        BoxPart(
            (thickness / 2, half_width, half_height),
            color,
            (middle * np.cos(angle), middle * np.sin(angle), center_z),
            yaw=float(angle),
        )
        for angle in 2 * np.pi * np.arange(segments) / segments
    ]


# ---------------------------------------------------------------- place_a2b_left / place_a2b_right


def _block(rng, color):
    half = rng.uniform(0.02, 0.025)
    return [BoxPart((half, half, half), color)], half


def _brick(rng, color):
    long, short = rng.uniform(0.028, 0.032), rng.uniform(0.018, 0.022)
    return [BoxPart((long, short, short), color)], short


def _can(rng, color):
    radius, half = rng.uniform(0.022, 0.026), rng.uniform(0.035, 0.045)
    return [CylinderPart(radius, half, color)], half


def _tin(rng, color):
    radius, half = rng.uniform(0.027, 0.031), rng.uniform(0.016, 0.02)
    return [CylinderPart(radius, half, color)], half


# Kinds of object A and B: each a top-down graspable prop no wider than 6.4 cm.
PROP_KINDS = {"block": _block, "brick": _brick, "can": _can, "tin": _tin}


@dataclass
class Prop:
    actor: object
    kind: str
    color: str
    half_height: float

    @property
    def description(self) -> str:
        return f"{self.color} {self.kind}"


class PlaceAToB(RoboTwinTaskEnv):
    """Object A goes beside object B, on the side `SIDE` (-1: left of B, +1: right of B)."""

    SIDE = -1
    PLACE_OFFSET = 0.13  # how far beside B the expert puts A (RoboTwin's value)
    A_X = (-0.22, 0.22)
    Y = (NEAREST_Y, NEAREST_Y + 0.2)  # RoboTwin's y[-0.2, 0], moved 5 cm away from the arms

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "put the {a} to the {side} of the {b}",
            "place the {a} on the {side} side of the {b}",
            "pick up the {a} and set it down {side} of the {b}",
            "move the {a} so that it sits to the {side} of the {b}",
            "grab the {a} from the {a_side} and put it beside the {b}, on its {side}",
            "set the {a} next to the {b}, on the {side}",
        ),
        unseen=(
            "take the {a} and place it just {side} of the {b}",
            "the {a} belongs on the {side} of the {b}: put it there",
            "lift the {a} and lay it down next to the {b} on the {side} side",
            "position the {a} beside the {b} so the {a} is on the {side}",
        ),
    )

    def build_objects(self):
        kinds = [list(PROP_KINDS)[int(i)] for i in self.rng.choice(len(PROP_KINDS), size=2, replace=False)]
        colors = distinct_colors(self.rng, 2)
        self.props = {}
        for role, kind, color in zip(("a", "b"), kinds, colors):
            parts, half = PROP_KINDS[kind](self.rng, named_rgba(color))
            actor = build_composite(self.scene, f"object_{role}", parts, HIDDEN, mass=float(self.rng.uniform(0.05, 0.1)))
            self.props[role] = Prop(actor, kind, color, float(half))

    def _b_x_range(self, a_x: float) -> tuple[float, float]:
        """B is drawn so that A's goal beside it stays on the side of the arm that holds A."""
        if self.SIDE * a_x < 0:  # A starts on the far side of B's goal: B goes to the table's edge
            edge = np.array([0.18, 0.23]) * -self.SIDE
            return float(edge.min()), float(edge.max())
        return -0.1, 0.1

    def place_objects(self):
        for _ in range(LAYOUT_TRIES):
            a_xy = np.array([self.rng.uniform(*self.A_X), self.rng.uniform(*self.Y)])
            b_xy = np.array([self.rng.uniform(*self._b_x_range(a_xy[0])), self.rng.uniform(*self.Y)])
            # Apart, A never level with B in y (the start must not count as success), and A either
            # far from B or on B's wrong side (as RoboTwin), so there is always a real move to make.
            distance = np.linalg.norm(a_xy - b_xy)
            wrong_side = self.SIDE * (a_xy[0] - b_xy[0]) < 0
            if distance >= 0.1 and abs(a_xy[1] - b_xy[1]) >= 0.1 and (distance > 0.19 or wrong_side):
                break
        else:
            raise LayoutError("no layout for objects A and B")
        for prop, xy in ((self.props["a"], a_xy), (self.props["b"], b_xy)):
            z = self.room.table_top_z + prop.half_height
            prop.actor.set_pose(sapien.Pose(p=[xy[0], xy[1], z], q=yaw_quaternion(self.rng.uniform(-np.pi, np.pi))))
        self.goal_xy = b_xy + np.array([self.SIDE * self.PLACE_OFFSET, 0.0])

    def object_actors(self):
        return {f"object_{role}": prop.actor for role, prop in self.props.items()}

    def clear_zones(self):
        return [(self.goal_xy, 0.06)]

    def instruction_slots(self) -> dict[str, str]:
        return {
            "a": self.props["a"].description,
            "b": self.props["b"].description,
            "side": "left" if self.SIDE < 0 else "right",
            "a_side": side_word(actor_position(self.props["a"].actor)[0]),
        }

    def check_success(self) -> bool:
        a, b = actor_position(self.props["a"].actor), actor_position(self.props["b"].actor)
        distance = float(np.linalg.norm(a[:2] - b[:2]))
        on_side = self.SIDE * (a[0] - b[0]) > 0
        level = abs(a[1] - b[1]) < 0.05
        return bool(
            0.08 < distance < 0.2 and on_side and level and self.gripper_open("left") and self.gripper_open("right")
        )


@task("place_a2b_left", max_episode_steps=400, arms="one", category="pick_place")
class PlaceA2BLeft(PlaceAToB):
    """Place object A to the left of object B.

    Task: pick up object A and put it down beside object B, on B's left.
    Randomizations: A and B of two different kinds (block, brick, can, tin) and
    colours, 50-100 g, any yaw; A in x[-0.22, 0.22] y[-0.15, 0.05]; B in x[-0.1, 0.1]
    if A starts left of the centre, else x[0.18, 0.23], y[-0.15, 0.05]; at least
    10 cm apart and 10 cm apart in y; either more than 19 cm apart or A right of B.
    Success: A's centre 8-20 cm from B's (xy), A left of B, within 5 cm of B in y;
    both grippers open.
    """

    SIDE = -1


@task("place_a2b_right", max_episode_steps=400, arms="one", category="pick_place")
class PlaceA2BRight(PlaceAToB):
    """Place object A to the right of object B.

    Task: pick up object A and put it down beside object B, on B's right.
    Randomizations: as place_a2b_left, mirrored: B in x[-0.1, 0.1] if A starts right
    of the centre, else x[-0.23, -0.18]; either more than 19 cm apart or A left of B.
    Success: A's centre 8-20 cm from B's (xy), A right of B, within 5 cm of B in y;
    both grippers open.
    """

    SIDE = 1


# ---------------------------------------------------------------- place_empty_cup


@task("place_empty_cup", max_episode_steps=500, arms="one", category="pick_place")
class PlaceEmptyCup(RoboTwinTaskEnv):
    """Place the empty cup on the coaster.

    Task: pick up the hollow cup and stand it on the flat coaster.
    Randomizations: cup outer radius 2.9-3.2 cm, height 8-9 cm, colour; coaster
    radius 4.5-5 cm, colour. The cup on one side, x in +-[0.15, 0.3]; the coaster
    near the centre, x[-0.05, 0.1] (cup right) or x[-0.1, 0.05] (cup left); both
    y[-0.15, 0.05], at least 10 cm apart.
    Success: the cup's bottom centre within 3.5 cm (xy) and 1.5 cm (z) of the
    coaster's top centre, the cup upright within 15 deg, both grippers open.
    """

    WALL = 0.004
    BOTTOM_HALF = 0.004
    COASTER_HALF = 0.004

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "put the {cup} on the {coaster}",
            "place the empty {cup} onto the {coaster}",
            "pick up the {cup} on the {cup_side} and set it on the {coaster}",
            "stand the {cup} on top of the {coaster}",
            "move the {cup} onto the {coaster} in the middle",
            "lift the empty {cup} and put it down on the {coaster}",
        ),
        unseen=(
            "set the {cup} down on the {coaster}",
            "grab the {cup} and rest it on the {coaster}",
            "the {cup} goes on the {coaster}: move it there",
            "carry the empty {cup} from the {cup_side} over to the {coaster}",
        ),
    )

    def build_objects(self):
        cup_color, coaster_color = distinct_colors(self.rng, 2)
        self.cup_radius = float(self.rng.uniform(0.029, 0.032))
        self.cup_half = float(self.rng.uniform(0.04, 0.045))
        self.coaster_radius = float(self.rng.uniform(0.045, 0.05))
        wall_half = self.cup_half - self.BOTTOM_HALF
        parts = [
            CylinderPart(self.cup_radius, self.BOTTOM_HALF, named_rgba(cup_color), (0.0, 0.0, -self.cup_half + self.BOTTOM_HALF)),
            *ring_wall(self.cup_radius, self.WALL, wall_half, self.BOTTOM_HALF, named_rgba(cup_color)),
        ]
        self.cup = build_composite(self.scene, "cup", parts, HIDDEN, mass=0.1)
        coaster = [CylinderPart(self.coaster_radius, self.COASTER_HALF, named_rgba(coaster_color))]
        self.coaster = build_composite(self.scene, "coaster", coaster, HIDDEN, body="kinematic")
        self.colors = {"cup": cup_color, "coaster": coaster_color}

    def place_objects(self):
        cup_on_right = bool(self.rng.integers(2))
        cup_x = (0.15, 0.3) if cup_on_right else (-0.3, -0.15)
        coaster_x = (-0.05, 0.1) if cup_on_right else (-0.1, 0.05)
        y = (NEAREST_Y, 0.05)
        cup_xy = np.array([self.rng.uniform(*cup_x), self.rng.uniform(*y)])
        for _ in range(LAYOUT_TRIES):
            coaster_xy = np.array([self.rng.uniform(*coaster_x), self.rng.uniform(*y)])
            if np.linalg.norm(cup_xy - coaster_xy) >= 0.1:
                break
        else:
            raise LayoutError("no layout for the cup and the coaster")
        top = self.room.table_top_z
        yaw = self.rng.uniform(-np.pi, np.pi)
        self.cup.set_pose(sapien.Pose(p=[*cup_xy, top + self.cup_half], q=yaw_quaternion(yaw)))
        self.coaster.set_pose(sapien.Pose(p=[*coaster_xy, top + self.COASTER_HALF]))

    def object_actors(self):
        return {"cup": self.cup}

    def clear_zones(self):
        return [(actor_position(self.coaster)[:2], self.coaster_radius + 0.03)]

    def instruction_slots(self) -> dict[str, str]:
        return {
            "cup": f"{self.colors['cup']} cup",
            "coaster": f"{self.colors['coaster']} coaster",
            "cup_side": side_word(actor_position(self.cup)[0]),
        }

    def cup_bottom(self) -> np.ndarray:
        pose = actor_pose(self.cup)
        down = pose.to_transformation_matrix()[:3, 2]
        return np.asarray(pose.p) - down * self.cup_half

    def coaster_top(self) -> np.ndarray:
        return actor_position(self.coaster) + np.array([0.0, 0.0, self.COASTER_HALF])

    def check_success(self) -> bool:
        bottom, target = self.cup_bottom(), self.coaster_top()
        on_coaster = np.linalg.norm(bottom[:2] - target[:2]) < 0.035 and abs(bottom[2] - target[2]) < 0.015
        upright = tilt_deg(self.cup) < UPRIGHT_TILT_DEG
        return bool(on_coaster and upright and self.gripper_open("left") and self.gripper_open("right"))


# ---------------------------------------------------------------- move_can_pot


@task("move_can_pot", max_episode_steps=400, arms="one", category="pick_place")
class MoveCanPot(RoboTwinTaskEnv):
    """Move the can next to the pot.

    Task: pick up the can and stand it on the table beside the pot, on the can's
    side of the table.
    Randomizations: a fixed pot (base, round wall, two handles) at the table centre,
    yaw 180 deg +-22.5 deg, colour; can radius 2.4-2.8 cm, height 9-11 cm, colour,
    x in +-[0.2, 0.3], y[0.05, 0.15], at least 30 cm from the pot.
    Success: the can on its starting side of the pot, less than 20 cm from it in x
    and 3.5 cm in y, upright within 15 deg, standing on the table (bottom within
    1 cm of the table top), both grippers open.
    """

    POT_RADIUS = 0.08
    POT_HALF_HEIGHT = 0.04
    PLACE_OFFSET = 0.18  # how far beside the pot's centre the expert stands the can (RoboTwin's value)
    CLUTTER_EXCLUDES = ("can",)

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "move the {can} next to the {pot}",
            "pick up the {can} and put it beside the {pot}, on the {side}",
            "place the {can} to the {side} of the {pot}",
            "stand the {can} on the table right beside the {pot}",
            "take the {can} and set it down next to the {pot}",
            "bring the {can} over to the {side} side of the {pot}",
        ),
        unseen=(
            "put the {can} by the {pot}",
            "carry the {can} to the {pot} and leave it standing on its {side}",
            "grab the {can} on the {side} and place it beside the {pot}",
            "set the {can} down close to the {pot}, keeping it on the {side}",
        ),
    )

    def build_objects(self):
        pot_color = ("gray", "black", "brown", "white")[int(self.rng.integers(4))]
        can_color = distinct_colors(self.rng, 1, tuple(c for c in PROP_COLORS if c != pot_color))[0]
        self.can_radius = float(self.rng.uniform(0.024, 0.028))
        self.can_half = float(self.rng.uniform(0.045, 0.055))
        self.can = build_composite(
            self.scene, "can", [CylinderPart(self.can_radius, self.can_half, named_rgba(can_color))], HIDDEN, mass=0.1
        )
        self.pot = build_composite(self.scene, "pot", self._pot_parts(named_rgba(pot_color)), HIDDEN, body="kinematic")
        self.colors = {"can": can_color, "pot": pot_color}

    def _pot_parts(self, color):
        floor_half = 0.005
        wall_half = self.POT_HALF_HEIGHT - floor_half
        handle = (0.02, 0.015, 0.005)
        handle_x = self.POT_RADIUS + handle[0] - 0.005
        handle_z = self.POT_HALF_HEIGHT - 0.015
        return [
            CylinderPart(self.POT_RADIUS, floor_half, color, (0.0, 0.0, -self.POT_HALF_HEIGHT + floor_half)),
            *ring_wall(self.POT_RADIUS, 0.006, wall_half, floor_half, color, segments=16),
            BoxPart(handle, color, (handle_x, 0.0, handle_z)),
            BoxPart(handle, color, (-handle_x, 0.0, handle_z)),
        ]

    def place_objects(self):
        top = self.room.table_top_z
        pot_yaw = np.pi + self.rng.uniform(-np.pi / 8, np.pi / 8)
        self.pot.set_pose(sapien.Pose(p=[0.0, 0.0, top + self.POT_HALF_HEIGHT], q=yaw_quaternion(pot_yaw)))
        for _ in range(LAYOUT_TRIES):
            can_xy = np.array([self.rng.uniform(-0.3, 0.3), self.rng.uniform(0.05, 0.15)])
            if abs(can_xy[0]) >= 0.2 and np.linalg.norm(can_xy) >= 0.3:
                break
        else:
            raise LayoutError("no layout for the can")
        self.can.set_pose(sapien.Pose(p=[*can_xy, top + self.can_half], q=yaw_quaternion(self.rng.uniform(-np.pi, np.pi))))
        # The side is part of the task, fixed by where the can starts (RoboTwin: the arm that holds it).
        self.side = -1 if can_xy[0] < 0 else 1
        self.goal_xy = np.array([self.side * self.PLACE_OFFSET, 0.0])

    def object_actors(self):
        return {"can": self.can}

    def clear_zones(self):
        return [(self.goal_xy, 0.06)]

    def instruction_slots(self) -> dict[str, str]:
        return {
            "can": f"{self.colors['can']} can",
            "pot": f"{self.colors['pot']} pot",
            "side": "left" if self.side < 0 else "right",
        }

    def check_success(self) -> bool:
        pot, can = actor_position(self.pot), actor_position(self.can)
        beside = 0 < self.side * (can[0] - pot[0]) < 0.2 and abs(can[1] - pot[1]) < 0.035
        upright = tilt_deg(self.can) < UPRIGHT_TILT_DEG
        on_table = can[2] - self.can_half < self.room.table_top_z + 0.01
        return bool(beside and upright and on_table and self.gripper_open("left") and self.gripper_open("right"))
