"""The errors gwbench's layers raise, typed so that each is handled in one place.

- InputError: the user asked for something that cannot be: a bad name, option, file or number. The
  message is one line naming the bad value and what is accepted. Only the CLI turns it into exit
  status 2 (gwbench.cli); library code raises it and never prints or exits.
- PolicyError: a policy could not produce an action chunk. The episode fails with this reason and
  the run goes on (gwbench.episode).
- SimulationFault: the physics broke mid-episode (an object exploded or passed through the table).
  It says nothing about the policy: the episode is skipped, counted in neither rate.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad input, reported in one line (the bad value and what is accepted).

    A ValueError too, so code that validates with `except ValueError` keeps working."""


class UnknownNameError(InputError):
    """A lookup of a name that is not registered (see core.registry)."""


class PolicyError(RuntimeError):
    """A policy could not produce an action chunk; the episode fails with this reason."""


class ServerUnreachableError(PolicyError, InputError):
    """No policy server answered at the address: an episode's failure mid-run, bad input at start."""


class SimulationFault(RuntimeError):
    """The physics broke mid-episode: not the policy's failure, so the episode is skipped."""


def one_line(error: BaseException) -> str:
    """`Type: first line of the message`: how an error is stored with an episode or shown to a user."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
