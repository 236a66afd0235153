"""The guest state a block's IR holds at an instruction boundary (used by the emitter's exits). Cold."""


class Snapshot:
    """The guest state at an instruction boundary: what a side exit stores."""
    __slots__ = ("regs", "dirty", "flags", "done", "eip")

    def __init__(self, regs, dirty, flags, done, eip):
        self.regs, self.dirty, self.flags, self.done, self.eip = regs, dirty, flags, done, eip
