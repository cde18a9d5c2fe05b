"""Objects onto stands and scales: place_object_stand, place_object_scale, place_phone_stand (place_fan:
`tasks/robotwin2/fan.py`).

Sizes, spawn ranges and thresholds follow RoboTwin 2.0's tasks (`robotwin2-tasks.md` items 21-23), in
its world frame: table top z=0.74, x from the left arm to the right arm, y away from the arms. The
carried objects come from the small-object library (`tasks/scene/objects.py`); the display stand,
electronic scale and phone stand from `tasks/scene/stands.py`.
"""

from __future__ import annotations

import numpy as np
import sapien

from tasks.base import RoboTwinTaskEnv
from tasks.language import InstructionTemplates, named_rgba, side_word
from tasks.robotwin2.articulated import pick
from tasks.robotwin2.cabinet import ObjectKind
from tasks.scene.layout import sample_points
from tasks.scene.objects import SmallObject, build_object
from tasks.scene.primitives import HIDDEN, yaw_quaternion
from tasks.scene.stands import build_display_stand, build_electronic_scale, build_phone_stand
from tasks.spec import task

# RoboTwin's object kinds for the stand, less its bell: the library's bell is 11 cm across and its
# upper dome 6.4 cm, too wide for the Aloha's 6.9 cm grip to close on safely. The Rubik's cube is 6 cm
# (RoboTwin's 6-7 cm), as in put_object_cabinet, for the same grip.
STAND_OBJECTS = (
    ObjectKind("mouse", "mouse"),
    ObjectKind("stapler", "stapler"),
    ObjectKind("rubiks_cube", "Rubik's cube", (("edge", 0.06),)),
    ObjectKind("toy_car", "toy car"),
    ObjectKind("remote", "remote control"),
)
SCALE_OBJECTS = STAND_OBJECTS[:2]  # RoboTwin's mouse and stapler (its bell: see STAND_OBJECTS)
OBJECT_COLORS = ("red", "blue", "green", "yellow", "gray", "black", "white")
STAND_COLORS = ("white", "black", "brown", "gray")
SCALE_COLORS = ("white", "black", "gray", "blue")
COLOURED_DESIGNS = ("mouse", "stapler", "toy_car")  # the library designs that take a body colour


class ObjectOntoProp(RoboTwinTaskEnv):
    """One library object is carried onto a prop on the same side of the table by the arm on that side."""

    OBJECT_KINDS: tuple[ObjectKind, ...] = ()
    OBJECT_MASS = 0.01  # kg
    CLUTTER_EXCLUDES = ("slab",)  # a coloured slab on the table reads as a second stand or scale

    def build_object(self) -> None:
        """Draw the carried object's kind and colour and build it."""
        rng = self.rng
        self.kind = self.OBJECT_KINDS[int(rng.integers(len(self.OBJECT_KINDS)))]
        options = dict(self.kind.options)
        self.object_color = ""
        if self.kind.design in COLOURED_DESIGNS:
            self.object_color = pick(rng, OBJECT_COLORS)
            options["color"] = named_rgba(self.object_color)
        self.object: SmallObject = build_object(self.scene, self.kind.design, "object", mass=self.OBJECT_MASS,
                                                **options)

    def object_words(self) -> str:
        return f"{self.object_color} {self.kind.words}".strip()

    def object_actors(self):
        return {"object": self.object.actor, "prop": self.prop.actor}

    def object_position(self) -> np.ndarray:
        """The object's origin: its bottom centre, as RoboTwin's mesh origin."""
        return np.asarray(self.object.pose().p, dtype=np.float64)


@task("place_object_stand", max_episode_steps=400, arms="one", category="stands")
class PlaceObjectStand(ObjectOntoProp):
    """Put the object on the display stand.

    Task: the arm on the object's side picks it up, lifts it 6 cm and sets it down on the top of the
    display stand in front of it, then lets go.
    Randomizations: the object one of five library kinds (mouse, stapler, Rubik's cube, toy car,
    remote control; mouse, stapler and car in one of seven colours) at |x| in [0.2, 0.28], y[-0.05,
    0.05], turned by yaw +-pi/3; the stand 19.3 cm wide, 4.3-7.4 cm high, 6-14 cm deep, its body and
    top colours, on the object's side at |x| in [0, 0.05], y[-0.15, -0.1], yaw +-pi/6, facing the arms.
    Success: the object's origin (its bottom centre) within 3 cm in x and in y of the stand's origin
    (no height check), both grippers open; as RoboTwin's.
    Differs from RoboTwin: the stand is a plinth with a dark foot and a contrasting top board (its five
    meshes are not available); the bell is left out of the object kinds (11 cm across, wider than the
    Aloha's grip). Both weigh 0.01 kg, as RoboTwin's.
    """

    WIDTH = 0.193
    HEIGHT = (0.043, 0.074)
    DEPTH = (0.06, 0.14)
    STAND_MASS = 0.01  # kg, RoboTwin's
    XY_TOLERANCE = 0.03
    OBJECT_KINDS = STAND_OBJECTS

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "put the {object} on the {stand}",
            "place the {object} on top of the {stand}",
            "pick up the {object} on the {side} and set it on the {stand}",
            "move the {object} onto the {stand} in front of it",
            "use the {arm} arm to put the {object} on the {stand}",
            "grab the {object} and display it on the {stand}",
        ),
        unseen=(
            "set the {object} down on the {stand}",
            "lift the {object} and leave it on top of the {stand}",
            "the {object} belongs on the {stand}: put it there",
            "with the {arm} hand, place the {object} onto the {stand}",
        ),
    )

    def build_objects(self):
        rng = self.rng
        self.build_object()
        self.stand_color = pick(rng, STAND_COLORS)
        self.top_color = pick(rng, STAND_COLORS, avoid=self.stand_color)
        self.stand_height = float(rng.uniform(*self.HEIGHT))
        self.stand_depth = float(rng.uniform(*self.DEPTH))
        self.prop = build_display_stand(
            self.scene, "display_stand", width=self.WIDTH, depth=self.stand_depth, height=self.stand_height,
            color=named_rgba(self.stand_color), top_color=named_rgba(self.top_color), mass=self.STAND_MASS,
        )

    def place_objects(self):
        rng, top = self.rng, self.room.table_top_z
        side = rng.choice([-1.0, 1.0])
        x = side * rng.uniform(0.2, 0.28)
        self.object.set_pose(sapien.Pose(p=[x, rng.uniform(-0.05, 0.05), top],
                                         q=yaw_quaternion(rng.uniform(-np.pi / 3, np.pi / 3))))
        stand_x = side * rng.uniform(0.0, 0.05)
        self.prop.set_pose(sapien.Pose(p=[stand_x, rng.uniform(-0.15, -0.1), top],
                                       q=yaw_quaternion(rng.uniform(-np.pi / 6, np.pi / 6))))
        self.arm = "right" if side > 0 else "left"  # RoboTwin's arm: the object's side

    def instruction_slots(self) -> dict[str, str]:
        return {
            "object": self.object_words(),
            "stand": f"{self.stand_color} display stand",
            "side": side_word(float(self.object_position()[0])),
            "arm": self.arm,
        }

    def target(self) -> np.ndarray:
        """Where the object's origin goes: the top centre of the stand (RoboTwin's FP0)."""
        return self.prop.point("top")

    def check_success(self) -> bool:
        offset = self.object_position()[:2] - np.asarray(self.prop.pose().p)[:2]
        on_stand = np.all(np.abs(offset) < self.XY_TOLERANCE)
        return bool(on_stand and self.gripper_open("left") and self.gripper_open("right"))


@task("place_object_scale", max_episode_steps=400, arms="one", category="stands")
class PlaceObjectScale(ObjectOntoProp):
    """Put the object on the electronic scale's pan.

    Task: the arm on the object's side picks it up, lifts it 15 cm and sets it down on the scale's
    pan on the same side, then lets go.
    Randomizations: the object a mouse or a stapler, in one of seven colours, at x[-0.25, 0.25] with
    |x| >= 0.02, y[-0.15, 0.05], any yaw; the scale 10-15.5 cm wide, 13-15.6 cm deep, 2.4-6.4 cm high,
    its colour, on the same side at |x| in [0.02, 0.25], y[-0.15, 0.05], any yaw, at least 15 cm from
    the object. (RoboTwin's y reaches -0.2, where a Panda cannot point its hand straight down at the
    table's sides; gwbench stops at -0.15, as its other pad tasks.)
    Success: the object's origin (its bottom centre) within 3.5 cm (xy, Euclidean) of the centre of the
    pan's top (RoboTwin's FP0) and above it less 1 cm, the gripper of the arm on the object's side
    open; as RoboTwin's. RoboTwin reads the arm from an attribute its expert sets (`arm_tag`); here it
    is fixed at reset from the object's side, as that expert picks it.
    Differs from RoboTwin: the scale is a slab with a raised silver pan behind a drawn readout (its
    four meshes are not available; the pan's centre lies 1.45 cm behind the body's); the bell is
    left out of the object kinds (11 cm across, wider than the Aloha's grip).
    """

    WIDTH = (0.10, 0.155)
    DEPTH = (0.13, 0.156)
    HEIGHT = (0.024, 0.064)
    SCALE_MASS = 0.05  # kg, RoboTwin's
    XY_TOLERANCE = 0.035
    BELOW_PAN = 0.01
    OBJECT_KINDS = SCALE_OBJECTS

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "put the {object} on the {scale}",
            "place the {object} on the {scale} to weigh it",
            "pick up the {object} on the {side} and set it on the pan of the {scale}",
            "weigh the {object} by putting it on the {scale}",
            "use the {arm} arm to move the {object} onto the {scale}",
            "lift the {object} and lay it on the {scale}",
        ),
        unseen=(
            "set the {object} down on the {scale}'s pan",
            "move the {object} onto the {scale} next to it",
            "the {object} needs weighing: put it on the {scale}",
            "with the {arm} hand, place the {object} on the {scale}",
        ),
    )

    def build_objects(self):
        rng = self.rng
        self.build_object()
        self.scale_color = pick(rng, SCALE_COLORS, avoid=self.object_color)
        size = [float(rng.uniform(*limits)) for limits in (self.WIDTH, self.DEPTH, self.HEIGHT)]
        self.scale_size = tuple(size)
        self.prop = build_electronic_scale(self.scene, "scale", width=size[0], depth=size[1], height=size[2],
                                           color=named_rgba(self.scale_color), mass=self.SCALE_MASS)

    def place_objects(self):
        rng, top = self.rng, self.room.table_top_z
        away_from_middle = lambda xy: abs(xy[0]) >= 0.02  # noqa: E731
        object_xy = sample_points(rng, 1, (-0.25, 0.25), (-0.15, 0.05), 0.0, away_from_middle)[0]
        side = float(np.sign(object_xy[0]))
        apart = lambda xy: np.linalg.norm(xy - object_xy) >= 0.15  # noqa: E731
        scale_xy = sample_points(rng, 1, tuple(sorted((side * 0.02, side * 0.25))), (-0.15, 0.05), 0.0, apart)[0]
        self.object.set_pose(sapien.Pose(p=[*object_xy, top], q=yaw_quaternion(rng.uniform(-np.pi, np.pi))))
        self.prop.set_pose(sapien.Pose(p=[*scale_xy, top], q=yaw_quaternion(rng.uniform(-np.pi, np.pi))))
        self.arm = "right" if side > 0 else "left"  # RoboTwin's `arm_tag`: the object's side

    def instruction_slots(self) -> dict[str, str]:
        return {
            "object": self.object_words(),
            "scale": f"{self.scale_color} electronic scale",
            "side": side_word(float(self.object_position()[0])),
            "arm": self.arm,
        }

    def target(self) -> np.ndarray:
        """Where the object's origin goes: the centre of the pan's top (RoboTwin's FP0)."""
        return self.prop.point("pan")

    def check_success(self) -> bool:
        position, pan = self.object_position(), self.target()
        near = np.linalg.norm(position[:2] - pan[:2]) < self.XY_TOLERANCE
        return bool(near and position[2] > pan[2] - self.BELOW_PAN and self.gripper_open(self.arm))



PHONE_COLORS = ("black", "white", "blue", "red", "gray")
PHONE_STAND_COLORS = ("white", "black", "gray")
PHONE_STAND_PADS = ("orange", "green", "blue", "red")


@task("place_phone_stand", max_episode_steps=400, arms="one", category="stands")
class PlacePhoneStand(RoboTwinTaskEnv):
    """Stand the phone on the phone stand, leaning back in its cradle.

    Task: the arm on the phone's side picks the lying phone up by its top end, turns it upright,
    sets its bottom edge on the stand's seat and lets go; the phone leans back against the backrest.
    Randomizations: side 50/50; the phone (15 x 6.2 x 1.5 cm, one of five colours) lying screen up at
    |x| in [0.05, 0.25], y[-0.2, 0], its bottom edge towards the arms, turned by yaw +-0.7 rad; the
    stand on the same side at |x| in [0, 0.15], y[0, 0.2], facing the arms, at least 15 cm from the
    phone; its colour and its backrest pad's.
    Success: the middle of the phone's bottom edge (RoboTwin's phone FP0) within 4.5 cm in x, 4 cm in
    y and 4 cm in z of the stand's rest point (its FP0, 9.9 cm up, 3.5 cm in front of its origin),
    both grippers open; as RoboTwin's. The phone's bottom edge is that high only when the cradle holds it.
    Differs from RoboTwin: the stand is a base plate, a post and a cradle tilted back 27.5 deg (a seat
    with a lip, a backrest), at the size of RoboTwin's model 2 (8.5 W x 17 H x 13 D cm); the phone is
    6.2 cm wide, not 7.5 cm, so that the Aloha's 6.9 cm grip closes across it.
    """

    PHONE_WIDTH = 0.062
    PHONE_MASS = 0.01  # kg, RoboTwin's
    TOLERANCE = (0.045, 0.04, 0.04)

    INSTRUCTIONS = InstructionTemplates(
        seen=(
            "put the {phone} on the {stand}",
            "stand the {phone} up on the {stand}",
            "pick up the {phone} on the {side} and lean it on the {stand}",
            "place the {phone} upright in the cradle of the {stand}",
            "use the {arm} arm to set the {phone} on the {stand}",
            "move the {phone} from the table onto the {stand}",
        ),
        unseen=(
            "rest the {phone} on the {stand}",
            "lift the {phone} and prop it up on the {stand}",
            "the {phone} belongs on the {stand}: put it there",
            "with the {arm} hand, stand the {phone} in the {stand}",
        ),
    )

    def build_objects(self):
        rng = self.rng
        self.phone_color = pick(rng, PHONE_COLORS)
        self.stand_color = pick(rng, PHONE_STAND_COLORS, avoid=self.phone_color)
        pad = pick(rng, PHONE_STAND_PADS)
        self.phone: SmallObject = build_object(self.scene, "phone", "phone", mass=self.PHONE_MASS,
                                               color=named_rgba(self.phone_color), width=self.PHONE_WIDTH)
        self.stand = build_phone_stand(self.scene, "phone_stand", HIDDEN, color=named_rgba(self.stand_color),
                                       pad_color=named_rgba(pad))

    def place_objects(self):
        rng, top = self.rng, self.room.table_top_z
        side = rng.choice([-1.0, 1.0])
        phone_xy = np.array([side * rng.uniform(0.05, 0.25), rng.uniform(-0.2, 0.0)])
        apart = lambda xy: np.linalg.norm(xy - phone_xy) >= 0.15  # noqa: E731
        stand_xy = sample_points(rng, 1, tuple(sorted((0.0, side * 0.15))), (0.0, 0.2), 0.0, apart)[0]
        yaw = np.pi / 2 + rng.uniform(-0.7, 0.7)  # the phone's top (+x) away from the arms
        self.phone.set_pose(sapien.Pose(p=[*phone_xy, top], q=yaw_quaternion(yaw)))
        self.stand.set_pose(sapien.Pose(p=[*stand_xy, top]))
        self.arm = "right" if side > 0 else "left"  # RoboTwin's arm: the phone's side

    def object_actors(self):
        return {"phone": self.phone.actor}

    def clear_zones(self):
        return [(self.stand.point("rest")[:2] - [0.0, 0.08], 0.08)]  # in front of the stand: the hand's way in

    def instruction_slots(self) -> dict[str, str]:
        return {
            "phone": f"{self.phone_color} phone",
            "stand": f"{self.stand_color} phone stand",
            "side": side_word(float(self.phone.pose().p[0])),
            "arm": self.arm,
        }

    def check_success(self) -> bool:
        offset = np.abs(self.phone.point("bottom_edge") - self.stand.point("rest"))
        return bool(np.all(offset < self.TOLERANCE) and self.gripper_open("left") and self.gripper_open("right"))
