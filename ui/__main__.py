"""``python -m orglearn.ui [options]`` is ``orglearn ui [options]``: it starts the web UI."""

import sys

from orglearn.ui.cli import main

if __name__ == "__main__":
    sys.exit(main())
