"""LLVM IR text -> native code, with llvmlite's MCJIT (cold: translation-cache misses).

One NativeCompiler per JIT engine. `compile(functions_ir)` takes the text of several functions (a
batch of blocks), wraps it in one module with the declarations blocks use, verifies it (the PyPI
llvmlite has LLVM assertions on: malformed IR must never reach codegen), runs the tier's passes, adds
it to the execution engine and returns the native address of each function.

Tiers (decided from the measurements in ../shared/notes/jit-costs.md and bench/):
- quick: no IR passes and codegen at -O0 (FastISel): ~10x cheaper than -O1 codegen on our blocks, and
  the emitter keeps quick IR within what FastISel selects (emitter.py). The cheap path for cold code.
- hot: six chosen IR passes (`optimize`) and codegen at O2, for blocks that ran HOT_THRESHOLD times:
  ~12-20 ms per block, which pays off after ~10^6 executions (bench/results/REPORT.md).

Memory: a module's IR is dropped from the engine once its code is finalized (MCJIT would otherwise
keep it: ~4.5x the memory of the code); `footprint` estimates the host memory the engine holds for
the code it has compiled (see module_footprint), and `reset()` replaces the engines with fresh ones,
which frees all of it (the JIT's translation-cache bound, bt/runtime/jit_engine.py).
"""
import ctypes
import ctypes.util
import time

import llvmlite.binding as llvm

QUICK_CODEGEN_OPT = 0
HOT_CODEGEN_OPT = 2

_PRELUDE = """
declare i8 @llvm.ctpop.i8(i8)
declare i8 @llvm.fshl.i8(i8, i8, i8)
declare i16 @llvm.fshl.i16(i16, i16, i16)
declare i32 @llvm.fshl.i32(i32, i32, i32)
declare i8 @llvm.fshr.i8(i8, i8, i8)
declare i16 @llvm.fshr.i16(i16, i16, i16)
declare i32 @llvm.fshr.i32(i32, i32, i32)
declare i16 @llvm.cttz.i16(i16, i1)
declare i32 @llvm.cttz.i32(i32, i1)
declare i16 @llvm.ctlz.i16(i16, i1)
declare i32 @llvm.ctlz.i32(i32, i1)
declare i32 @llvm.bswap.i32(i32)
"""
_EPILOGUE = """
!0 = !{!"branch_weights", i32 2000, i32 1}
"""

_initialized = False

# Host memory an MCJIT engine keeps per module once its IR is dropped (native code, relocated object
# buffer, RuntimeDyld symbol tables), measured as process RSS growth over thousands of quick-tier
# modules of 1-16 blocks of 1-21 guest instructions (65-10,000 IR lines): ~10 KB per module plus
# ~42-47 bytes per IR line. Rounded up here, so it errs on the side of flushing early.
MODULE_BYTES = 12 << 10
IR_LINE_BYTES = 48


def module_footprint(text):
    """Conservative estimate of the host bytes an engine holds for the module compiled from `text`."""
    return MODULE_BYTES + IR_LINE_BYTES * text.count("\n")


def _malloc_trim():
    """Give freed heap back to the OS (glibc keeps it otherwise, so RSS would not drop)."""
    name = ctypes.util.find_library("c")
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        pass


def _init_llvm():
    global _initialized
    if not _initialized:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        _initialized = True


class CompileTimes:
    """Accumulated seconds per compilation step (for --stats and bench/)."""

    def __init__(self):
        self.parse = self.optimize = self.codegen = 0.0
        self.modules = self.functions = 0


class NativeCompiler:
    def __init__(self):
        _init_llvm()
        self.triple = llvm.get_process_triple()
        target = llvm.Target.from_triple(self.triple)
        self._target = target
        self.engines = {}
        self._new_engines()
        self._asm_tms = {tier: target.create_target_machine(opt=level) for tier, level in (("quick", QUICK_CODEGEN_OPT), ("hot", HOT_CODEGEN_OPT))}
        self.times = CompileTimes()                 # both tiers
        self.times_by_tier = {"quick": CompileTimes(), "hot": CompileTimes()}
        self.last_module_text = ""

    def _new_engines(self):
        for tier, level in (("quick", QUICK_CODEGEN_OPT), ("hot", HOT_CODEGEN_OPT)):
            tm = self._target.create_target_machine(opt=level, jit=True)
            self.engines[tier] = llvm.create_mcjit_compiler(llvm.parse_assembly(""), tm)
        self.footprint = 0

    def reset(self):
        """Free every function compiled so far (their addresses become invalid) and start new engines.
        The caller guarantees none of that code is running or referenced any more."""
        for engine in self.engines.values():
            engine.close()
        self.engines = {}
        _malloc_trim()          # no gc.collect(): closing frees LLVM's memory; a full collection cost ~0.1 s
        self._new_engines()

    def module_text(self, functions_ir):
        body = "\n\n".join(functions_ir)
        return f'target triple = "{self.triple}"\n{_PRELUDE}\n' + body + _EPILOGUE

    def compile(self, functions_ir, names, tier="quick"):
        """Compile a batch of functions; returns {name: native address}."""
        t0 = time.perf_counter()
        text = self.module_text(functions_ir)
        module = llvm.parse_assembly(text)
        module.verify()
        t1 = time.perf_counter()
        if tier == "hot":
            self.optimize(module, 2)
        t2 = time.perf_counter()
        engine = self.engines[tier]
        engine.add_module(module)
        engine.finalize_object()
        addresses = {name: engine.get_function_address(name) for name in names}
        engine.remove_module(module)            # the code stays; its IR is freed with `module`
        self.footprint += module_footprint(text)
        t3 = time.perf_counter()
        for times in (self.times, self.times_by_tier[tier]):
            times.parse += t1 - t0
            times.optimize += t2 - t1
            times.codegen += t3 - t2
            times.modules += 1
            times.functions += len(names)
        self.last_module_text = text
        return addresses

    def optimize(self, module, level):
        """The hot tier's IR passes. Not the whole O2 pipeline: its ~100 passes cost ~11 ms on a
        typical hot block, and these six (SSA clean-up, combining, CFG simplification, value
        numbering, dead stores and dead code) ~3 ms for the same code in bench/. Blocks arrive in SSA
        form with no calls to inline and loops already in registers, which is what O2 would mostly do."""
        tm = self._target.create_target_machine(opt=level)
        pb = llvm.create_pass_builder(tm, llvm.create_pipeline_tuning_options(speed_level=level))
        fpm = llvm.create_new_function_pass_manager()
        fpm.add_sroa_pass()
        fpm.add_instruction_combine_pass()
        fpm.add_simplify_cfg_pass()
        fpm.add_new_gvn_pass()
        fpm.add_dead_store_elimination_pass()
        fpm.add_aggressive_dce_pass()
        for function in module.functions:
            if not function.is_declaration:
                fpm.run(function, pb)

    def assembly(self, functions_ir, tier="quick"):
        """Host assembly of functions (for `btvm explain`); compiles a throwaway module."""
        module = llvm.parse_assembly(self.module_text(functions_ir))
        module.verify()
        if tier == "hot":
            self.optimize(module, 2)
        return self._asm_tms[tier].emit_assembly(module)
