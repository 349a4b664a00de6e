"""``python -m orglearn ...`` is the ``orglearn`` command."""

import sys

from orglearn.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
