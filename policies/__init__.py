"""Policy adapters behind one protocol (policies.base.Policy), found by name or address (policies.registry).

Importing this package is light: adapters (and torch, for the learned ones) load when first asked for.
"""

from policies.base import Policy, PolicyError, PolicyOutput, PolicyRequirements, TaskInfo
from policies.registry import POLICIES, POLICY_SCHEMES, make_policy

__all__ = ["POLICIES", "POLICY_SCHEMES", "Policy", "PolicyError", "PolicyOutput", "PolicyRequirements", "TaskInfo",
           "make_policy"]
