"""Deprecated import path of the glossary's Markdown extension, kept for the ``mkdocs.yml`` and
``zensical.yml`` files that name it: use ``glossary_gen.engines.markdown``."""

from __future__ import annotations

import warnings

from glossary_gen.engines.markdown import makeExtension

__all__ = ["makeExtension"]

warnings.warn(
    "the Markdown extension 'glossary_gen.markdown_ext' is now 'glossary_gen.engines.markdown'; "
    "update markdown_extensions in mkdocs.yml or zensical.yml",
    DeprecationWarning,
    stacklevel=2,
)
