import sys

from msgcopy_viewer.cli import main

sys.exit(main())
