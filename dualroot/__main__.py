"""`python3 -m dualroot` runs the command line."""

import sys

from dualroot.cli import main

sys.exit(main())
