"""Fuzz-case generator `rings`: a tiny ring 0 / ring 3 kernel (tests/system_kernels.py) with random
gates, TSS stacks, IRET frames, paging bits and table pokes, so the campaign also compares the JIT's
native INT n / INT3 / #DE / #PF delivery and IRETD (bt/backend/delivery_ir.py) with the interpreter.
Registered in generators.KINDS. Test-time only.
"""
from tests import system_kernels
from tests.fuzz.harness import CODE_GPA, Case

assert system_kernels.IMAGE_GPA == CODE_GPA and system_kernels.RAM_SIZE <= 2 << 20


def rings(rnd):
    scn = system_kernels.random_scenario(rnd)
    image = system_kernels.assemble(system_kernels.source(scn))
    return Case(image, max_insns=scn.max_insns, timeout=8.0, label="rings")
