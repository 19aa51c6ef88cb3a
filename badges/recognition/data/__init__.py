"""Reference data shipped with the recognition domain (read with :mod:`importlib.resources`)."""
