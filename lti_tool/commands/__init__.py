"""Groups of ``chemins`` commands; each module exposes ``COMMANDS``."""
