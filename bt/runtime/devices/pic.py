"""The 8259A programmable interrupt controller pair of the pc machine: master at 0x20/0x21, slave at
0xA0/0xA1 cascaded on the master's IR2, and the edge/level control registers (ELCR) at 0x4D0/0x4D1.

Written from the Intel 8259A datasheet; where it leaves a choice, QEMU's i8259 decides (the platform's
oracle). Attached by bt/runtime/machine.py; devices call `set_irq(n, level)` (0..15), the CPU side
(bt/runtime/external_interrupts.py) reads `intr` (O(1): kept up to date on every change) and calls
`acknowledge()` for the vector, as the INTA cycles do. Warm: a timer kernel writes an EOI per tick.

Model:
- IRR is latched on a rising edge of a line (edge-triggered, the default) or follows the line while its
  ELCR bit is set (level-triggered). An edge-triggered request stays in IRR until acknowledged, as in
  QEMU (the datasheet wants it held high until the first INTA; QEMU does not).
- Priorities rotate through `lowest`: the IR with the highest priority is (lowest + 1) & 7. A request
  is passed to the CPU only if it has a higher priority than every IR in service (special mask mode
  ignores the masked in-service ones; special fully nested mode lets the slave interrupt the master's IR2).
- Acknowledging with nothing requested any more (the request went away, or was masked, after INTR)
  gives the spurious vector of IR7 of the chip asked, with no ISR bit set.
- Poll command (OCW3 P=1): the next read of the even port acknowledges and returns 0x80 | level, or 0.
Not modelled: buffered mode and the cascade bus of more than one slave (ICW3 is read and ignored),
8080/8085 mode (ICW1 IC4=0 with ADI/interval bits), LTIM (QEMU ignores it too: use the ELCR).
"""

MASTER_PORT, SLAVE_PORT, ELCR_PORT = 0x20, 0xA0, 0x4D0
CASCADE_IRQ = 2
SPURIOUS_IR = 7


class Pic8259:
    """One 8259A chip."""

    def __init__(self, name, elcr_mask, on_change):
        self.name = name
        self.elcr = 0
        self.elcr_mask = elcr_mask           # IRs whose trigger mode the ELCR may set (QEMU's pc values)
        self.on_change = on_change           # called after any change of IRR/ISR/IMR/priorities
        self.reset()

    def reset(self):
        """ICW1 (re)starts initialisation: IMR, ISR, IRR cleared, IR7 lowest priority, IRR readable."""
        self.irr = self.isr = self.imr = 0
        self.lines = 0                       # current levels of the IR inputs
        self.lowest = 7
        self.vector_base = 0
        self.read_isr = False
        self.poll = False
        self.special_mask = False
        self.init_step = 0                   # 0: operational; 2, 3, 4: expecting that ICW
        self.needs_icw4 = False
        self.single = False
        self.auto_eoi = False
        self.rotate_auto_eoi = False
        self.special_fully_nested = False

    # -- priorities ------------------------------------------------------------------------------
    def _priority(self, bits):
        """Priority rank (0 highest .. 7) of the highest-priority IR in `bits`, 8 if none."""
        if not bits:
            return 8
        for rank in range(8):
            if bits & (1 << ((rank + self.lowest + 1) & 7)):
                return rank
        return 8

    def pending(self):
        """The IR this chip would pass to the CPU now, or -1."""
        rank = self._priority(self.irr & ~self.imr)
        if rank == 8:
            return -1
        in_service = self.isr
        if self.special_mask:
            in_service &= ~self.imr
        if self.special_fully_nested and self.name == "master":
            in_service &= ~(1 << CASCADE_IRQ)
        if rank < self._priority(in_service):
            return (rank + self.lowest + 1) & 7
        return -1

    # -- lines -----------------------------------------------------------------------------------
    def set_line(self, ir, level):
        bit = 1 << ir
        if self.elcr & bit:                  # level-triggered: IRR follows the line
            if level:
                self.irr |= bit
            else:
                self.irr &= ~bit
        elif level and not self.lines & bit:  # edge-triggered: latch the rising edge
            self.irr |= bit
        self.lines = (self.lines | bit) if level else (self.lines & ~bit)
        self.on_change()

    def take(self, ir):
        """INTA for `ir`: IRR -> ISR (or auto-EOI)."""
        bit = 1 << ir
        if not self.elcr & bit:
            self.irr &= ~bit
        if self.auto_eoi:
            if self.rotate_auto_eoi:
                self.lowest = ir
        else:
            self.isr |= bit

    # -- ports ---------------------------------------------------------------------------------------
    def read(self, a0):
        if self.poll:
            self.poll = False
            ir = self.pending()
            if ir < 0:
                return 0
            self.take(ir)
            self.on_change()
            return 0x80 | ir
        if a0:
            return self.imr
        return self.isr if self.read_isr else self.irr

    def write(self, a0, value):
        if not a0:
            if value & 0x10:
                self._icw1(value)
            elif value & 0x08:
                self._ocw3(value)
            else:
                self._ocw2(value)
        elif self.init_step == 0:
            self.imr = value                  # OCW1
        elif self.init_step == 2:             # ICW2: vector base (T7..T3)
            self.vector_base = value & 0xF8
            self.init_step = 4 if self.single and self.needs_icw4 else (0 if self.single else 3)
        elif self.init_step == 3:             # ICW3: cascade wiring (one slave on IR2: nothing to keep)
            self.init_step = 4 if self.needs_icw4 else 0
        else:                                 # ICW4
            self.special_fully_nested = bool(value & 0x10)
            self.auto_eoi = bool(value & 0x02)
            self.init_step = 0
        self.on_change()

    def _icw1(self, value):
        elcr = self.elcr
        self.reset()
        self.elcr = elcr
        self.needs_icw4 = bool(value & 0x01)
        self.single = bool(value & 0x02)
        self.init_step = 2

    def _ocw2(self, value):
        command = value >> 5
        if command in (0, 4):                 # clear / set rotate in automatic EOI mode
            self.rotate_auto_eoi = command == 4
        elif command in (1, 5):               # non-specific EOI (5: and rotate)
            rank = self._priority(self.isr)
            if rank < 8:
                ir = (rank + self.lowest + 1) & 7
                self.isr &= ~(1 << ir)
                if command == 5:
                    self.lowest = ir
        elif command in (3, 7):               # specific EOI (7: and rotate)
            ir = value & 7
            self.isr &= ~(1 << ir)
            if command == 7:
                self.lowest = ir
        elif command == 6:                    # set priority: L2..L0 becomes the lowest
            self.lowest = value & 7

    def _ocw3(self, value):
        if value & 0x04:
            self.poll = True
        if value & 0x02:
            self.read_isr = bool(value & 0x01)
        if value & 0x40:
            self.special_mask = bool(value & 0x20)


class PicPair:
    """Master and slave cascaded on IR2; `intr` is the master's INT output."""

    def __init__(self):
        self.intr = False
        self.listeners = []                   # called with the new INTR level when it changes
        self._updating = False
        self.master = Pic8259("master", 0xF8, self._update)
        self.slave = Pic8259("slave", 0xDE, self._update)
        self.ports = {MASTER_PORT: _ChipPorts(self.master), SLAVE_PORT: _ChipPorts(self.slave),
                      ELCR_PORT: _ElcrPorts(self)}

    def bios_state(self):
        """As QEMU's SeaBIOS leaves the pair at the Multiboot entry (measured: probe_entry.asm in
        tests/guests_irq): vectors 0x08 and 0x70, IRQ 0, 1, 2, 6, 8, 12, 13, 14 unmasked."""
        for chip, base, imr in ((self.master, 0x08, 0xB8), (self.slave, 0x70, 0x8E)):
            chip.reset()
            chip.vector_base, chip.imr = base, imr
        self._update()

    def set_irq(self, n, level):
        """Drive IRQ line `n` (0..15) to `level`."""
        (self.master if n < 8 else self.slave).set_line(n & 7, bool(level))

    def raise_irq(self, n):
        self.set_irq(n, True)

    def lower_irq(self, n):
        self.set_irq(n, False)

    def pulse_irq(self, n):
        """A rising edge on an edge-triggered line, then the line low again."""
        self.set_irq(n, True)
        self.set_irq(n, False)

    def _update(self):
        if self._updating:
            return
        self._updating = True
        try:
            self.master.set_line(CASCADE_IRQ, self.slave.pending() >= 0)
        finally:
            self._updating = False
        intr = self.master.pending() >= 0
        if intr != self.intr:
            self.intr = intr
            for listener in self.listeners:
                listener(intr)

    def acknowledge(self):
        """The two INTA cycles: the vector of the highest-priority request, which goes in service.
        With no request any more, the spurious vector of IR7 (IR15 if it was the slave's)."""
        m = self.master
        ir = m.pending()
        if ir < 0:
            vector = m.vector_base | SPURIOUS_IR
        elif ir == CASCADE_IRQ:
            s = self.slave
            sir = s.pending()
            if sir >= 0:
                s.take(sir)
            vector = s.vector_base | (sir if sir >= 0 else SPURIOUS_IR)
            m.take(ir)
        else:
            m.take(ir)
            vector = m.vector_base | ir
        self._update()
        return vector

    def masked(self, n):
        """Whether IRQ `n` is masked on its way to the CPU (in its chip, or the slave's cascade)."""
        if n < 8:
            return bool(self.master.imr & (1 << n))
        return bool(self.slave.imr & (1 << (n - 8)) or self.master.imr & (1 << CASCADE_IRQ))


class _ChipPorts:
    port_count = 2
    access_sizes = (1,)

    def __init__(self, chip):
        self.chip = chip

    def io_read(self, offset, size):
        return self.chip.read(offset)

    def io_write(self, offset, size, value):
        self.chip.write(offset, value & 0xFF)

    def __repr__(self):
        return f"Pic8259({self.chip.name})"


class _ElcrPorts:
    port_count = 2
    access_sizes = (1,)

    def __init__(self, pair):
        self.chips = (pair.master, pair.slave)

    def io_read(self, offset, size):
        return self.chips[offset].elcr

    def io_write(self, offset, size, value):
        chip = self.chips[offset]
        chip.elcr = value & chip.elcr_mask
        chip.on_change()

    def __repr__(self):
        return "Elcr"
