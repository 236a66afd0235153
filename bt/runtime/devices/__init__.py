"""Port-mapped devices of the btvm pc-like machine; bt/runtime/machine.py creates and attaches them."""
