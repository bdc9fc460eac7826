"""Site-engine adapters: the MkDocs plugin (with its incremental serve) and the Zensical writer."""
