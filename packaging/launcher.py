"""The bundle's entry point: the same ``msgcopy-viewer`` command as the installed script."""

import multiprocessing
import sys

from msgcopy_viewer.cli import main

if __name__ == "__main__":
    # Import worker processes are started from this executable too (spawn); they must run
    # the worker, not the app.
    multiprocessing.freeze_support()
    sys.exit(main())
