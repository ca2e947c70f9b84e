"""``python -m sozialanalyse``: see :mod:`sozialanalyse.cli`."""

import sys

from sozialanalyse.cli import main

if __name__ == "__main__":
    sys.exit(main())
