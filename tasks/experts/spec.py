"""What an expert is, and how an expert module declares which tasks it solves.

    @expert("stack_blocks_two")
    @expert("stack_blocks_three")
    def stack_blocks(env) -> Iterator[np.ndarray]: ...

Declaring only marks the function; tasks.experts registers the marked ones on first use.
"""

from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

Expert = Callable[[object], Iterator[np.ndarray]]
MARK = "expert_tasks"  # the attribute holding the tasks a function is declared for


def expert(task: str) -> Callable[[Expert], Expert]:
    def declare(function: Expert) -> Expert:
        setattr(function, MARK, (*getattr(function, MARK, ()), task))
        return function

    return declare
