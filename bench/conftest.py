import sys
from pathlib import Path

# The benches reuse the tests' bare machine harness.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
