"""Fence kinds beyond doctests (plots, playgrounds): each parses its options, evaluates through
:mod:`glossary_gen.run` and formats its HTML, registered with the core's fence registry."""

# Importing the package registers its kinds.
from glossary_gen.fences import live

__all__ = ["live"]
