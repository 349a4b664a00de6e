"""``python -m experiments.ui [--host H] [--port P] [--idle-minutes M]`` starts the web UI."""

import sys

from experiments.ui.cli import main

if __name__ == "__main__":
    sys.exit(main())
