"""A name -> object registry whose lookups fail with one helpful line, and that may fill itself lazily.

Used for tasks, experts, embodiments, policies and backends alike, so every "unknown NAME" error in
gwbench reads the same way: the bad value, what is accepted, and a "did you mean".

A registry made with a `loader` runs it once, on its first read: that is how the task suite registers
its tasks on first use instead of on `import tasks` (which would load the simulator).
"""

from __future__ import annotations

import difflib
import threading
from typing import Callable, Generic, Iterator, TypeVar

from core.errors import UnknownNameError

T = TypeVar("T")


def unknown_name_message(kind: str, name: str, known: list[str]) -> str:
    """One line: the bad value, the accepted values, and the closest match if any."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown {kind} '{name}'{hint}; known: {', '.join(sorted(known))}"


class Registry(Generic[T]):
    """Ordered mapping of unique names to registered objects."""

    def __init__(self, kind: str, loader: Callable[["Registry[T]"], None] | None = None):
        self.kind = kind
        self._items: dict[str, T] = {}
        self._loader = loader
        self._loading = threading.RLock()

    def register(self, name: str, item: T) -> T:
        if name in self._items:
            raise ValueError(f"{self.kind} '{name}' is registered twice")
        self._items[name] = item
        return item

    def decorator(self, name: str) -> Callable[[T], T]:
        """`@registry.decorator("name")` registers the decorated object."""
        return lambda item: self.register(name, item)

    def _loaded(self) -> dict[str, T]:
        if self._loader is not None:
            with self._loading:
                loader, self._loader = self._loader, None
                if loader is not None:
                    before = dict(self._items)
                    try:
                        loader(self)
                    except BaseException:
                        self._items, self._loader = before, loader  # a failed load is undone and retried next read
                        raise
        return self._items

    def get(self, name: str) -> T:
        items = self._loaded()
        try:
            return items[name]
        except KeyError:
            raise UnknownNameError(unknown_name_message(self.kind, name, self.names())) from None

    def names(self) -> list[str]:
        return list(self._loaded())

    def __contains__(self, name: object) -> bool:
        return name in self._loaded()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._loaded()))

    def __len__(self) -> int:
        return len(self._loaded())
