"""The learned architectures by policy name: (config class, model class)."""

from __future__ import annotations

from core.errors import InputError
from policies.gigaworld.configuration import GigaWorldConfig
from policies.gigaworld.modeling import GigaWorldModel
from policies.motus.configuration import MotusConfig
from policies.motus.modeling import MotusModel
from policies.pi05.configuration import Pi05Config
from policies.pi05.modeling import Pi05Model

ARCHITECTURES = {
    "gigaworld": (GigaWorldConfig, GigaWorldModel),
    "motus": (MotusConfig, MotusModel),
    "pi05": (Pi05Config, Pi05Model),
}


def check_architecture(name: str) -> str:
    if name not in ARCHITECTURES:
        raise InputError(f"unknown architecture '{name}'; known: {', '.join(ARCHITECTURES)}")
    return name


def build_model(name: str, config=None):
    """A freshly initialised model of architecture `name` (default configuration unless given)."""
    config_class, model_class = ARCHITECTURES[check_architecture(name)]
    return model_class(config if config is not None else config_class())
