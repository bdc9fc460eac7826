"""Starting and growing a glossary: ``init``, ``new``, the Hugo import and ``check --changed``."""
