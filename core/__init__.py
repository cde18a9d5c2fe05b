"""gwbench's core: what every layer shares, and nothing else.

A leaf package: it imports nothing of tasks/, policies/ or gwbench/, and nothing heavy (no
simulator, no torch), so any module may import it.

    core.registry   name -> object registries with one-line "unknown NAME" errors, lazily filled
    core.errors     the typed errors layers raise (InputError, PolicyError, SimulationFault)
    core.paths      where the checkout, the cache and the results live
    core.contract   the observation/action contract: arms, cameras, an embodiment's action layout
"""
