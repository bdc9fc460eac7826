"""The core of the data path: the entry model, loading (with the untrusted-YAML reader),
configuration, validation rules, links and diagnostics. It imports nothing above it; features
extend it through its registries."""
