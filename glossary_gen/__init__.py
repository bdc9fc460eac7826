"""glossary_gen: a glossary site generator whose entries are checked like code.

The data path is readable from the module names:
``loader`` -> ``validate`` -> ``links`` -> ``doctests`` -> ``render`` (+ ``plugin`` for MkDocs),
with ``pipeline`` tying the steps together for the CLI and the plugin alike.
"""

__version__ = "0.1.0"
