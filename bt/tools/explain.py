"""`btvm explain IMAGE [--addr EIP] [--tier quick|hot]`: one translated block as guest assembly,
LLVM IR and host assembly, for people learning or debugging the translator. Cold (a CLI command).

The block is translated from the image as loaded (before the guest runs), in the boot mode.
"""
from bt.backend.compiler import NativeCompiler
from bt.backend.translator import translate
from bt.frontend.decoder import Decoder
from bt.runtime.machine import Machine


def explain(image, addr=None, tier="quick", memory_size=None, sections=("guest", "ir", "host")):
    machine = Machine(memory_size) if memory_size else Machine()
    with machine:
        machine.load(image)
        eip = machine.state.cpu.eip if addr is None else addr
        block = translate(lambda a, n: machine.mem.read(a, n), Decoder(), eip, tier=tier)
        out = [f"; block at {eip:#010x}, tier {tier}: {len(block.insns)} guest instruction(s), "
               f"{block.native_insns} native" + (f", ends with a {block.callout} callout" if block.callout else "")]
        if "guest" in sections:
            out.append("; ---- guest ----")
            for i, insn in enumerate(block.insns):
                note = "   <- callout to the VMM" if block.callout and i == len(block.insns) - 1 else ""
                out.append(f"{insn.address:08x}  {insn.raw.hex(' '):<30} {insn.text}{note}")
        if "ir" in sections:
            out.append("; ---- LLVM IR ----")
            out.append(block.ir)
        if "host" in sections:
            out.append("; ---- host assembly ----")
            asm = NativeCompiler().assembly([block.ir], tier="hot" if tier != "quick" else "quick")
            out.append("\n".join(line for line in asm.splitlines()
                                 if not line.lstrip().startswith((".cfi", ".p2align", ".file", ".section",
                                                                  ".ident", ".addrsig"))))
        return "\n".join(out)
