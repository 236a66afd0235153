"""`python -m bt` runs the btvm command line (bt/cli.py)."""
import sys

from bt.cli import main

sys.exit(main())
