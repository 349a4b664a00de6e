"""``python -m orglearn.ui [--host H] [--port P] [--idle-minutes M]`` starts the web UI."""

import sys

from orglearn.ui.cli import main

if __name__ == "__main__":
    sys.exit(main())
