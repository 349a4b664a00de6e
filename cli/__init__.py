"""The ``orglearn`` command line: arguments wired to the packages' functions (`main`)."""
