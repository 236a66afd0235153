"""The reference interpreter. Importing this package registers every handler module."""
from bt.runtime.interp.core import Interpreter
from bt.runtime.interp import ops_move, ops_control  # noqa: F401  (registration)
from bt.runtime.interp import ops_string, ops_misc  # noqa: F401  (registration)
from bt.runtime.interp import ops_system, ops_x87  # noqa: F401
from bt.runtime.interp import ops_alu, ops_shift, ops_muldiv, ops_bits, ops_bcd  # noqa: F401  (registration)

__all__ = ["Interpreter"]
