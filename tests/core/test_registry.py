"""core.registry: one-line unknown-name errors, lazy filling."""

import pytest

from core.errors import UnknownNameError
from core.registry import Registry


def test_unknown_name_names_the_value_the_choices_and_the_nearest():
    registry = Registry("widget")
    registry.register("stack_blocks_two", 1)
    registry.register("handover_block", 2)
    with pytest.raises(UnknownNameError) as error:
        registry.get("stack_block_two")
    message = str(error.value)
    assert "'stack_block_two'" in message
    assert "did you mean 'stack_blocks_two'" in message
    assert "handover_block, stack_blocks_two" in message
    assert "\n" not in message


def test_duplicate_registration_is_refused():
    registry = Registry("widget")
    registry.register("a", 1)
    with pytest.raises(ValueError, match="twice"):
        registry.register("a", 2)


def test_a_lazy_registry_fills_itself_once_on_first_read():
    loads = []

    def load(registry):
        loads.append(1)
        registry.register("a", 1)

    registry = Registry("widget", loader=load)
    assert loads == []  # making it loads nothing
    assert registry.get("a") == 1 and "a" in registry and registry.names() == ["a"] and len(registry) == 1
    assert loads == [1]


def test_a_failed_load_is_retried_by_the_next_read():
    attempts = []

    def load(registry):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("simulator missing")
        registry.register("a", 1)

    registry = Registry("widget", loader=load)
    with pytest.raises(RuntimeError):
        registry.names()
    assert registry.names() == ["a"] and len(attempts) == 2
