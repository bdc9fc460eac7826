"""Everything that executes an entry's code: the sandbox, doctests, packages and the
authenticated result caches. It renders nothing."""
