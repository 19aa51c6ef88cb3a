"""``python -m demo_lms``: see :mod:`demo_lms.run`."""

from demo_lms.run import main

main()
