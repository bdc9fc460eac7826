"""Fence kinds beyond doctests (plots, playgrounds): each parses its options, evaluates through
:mod:`glossary_gen.run` and formats its HTML, registered with the core's fence registry.

One module per kind (:mod:`~glossary_gen.fences.plot`, :mod:`~glossary_gen.fences.playground`),
on shared parts: the fence's options (:mod:`~glossary_gen.fences.options`,
:mod:`~glossary_gen.fences.request`), the entry's code (:mod:`~glossary_gen.fences.entry_code`),
its evaluation in the sandbox (:mod:`~glossary_gen.fences.evaluate`) and the drawing
(:mod:`~glossary_gen.fences.svg`). Where the browser's Pyodide comes from is
:mod:`~glossary_gen.fences.pyodide`.
"""

# Importing the package registers its kinds.
from glossary_gen.fences import playground, plot

__all__ = ["playground", "plot"]
