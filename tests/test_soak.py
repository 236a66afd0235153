"""A bounded slice of the differential soak (tests/soak.py; the long run is `python -m tests.soak`)."""
import tests.soak as soak

SLICE_SECONDS = 8


def test_soak_slice_finds_no_divergence():
    tally, _ = soak.soak(SLICE_SECONDS, first_seed=0, batch=10, log=lambda text: None)
    assert tally.divergences == [], "\n\n".join(tally.divergences)
    assert all(n > 0 for n, _ in tally.by_mode.values())       # every mode ran
    assert tally.insns > tally.programs                         # instructions were counted


def test_soak_reports_a_divergence(monkeypatch):
    real = soak._run

    def wrong_jit(engine_cls, *args):
        result = real(engine_cls, *args)
        if engine_cls is not soak.Interpreter:
            result.regs[0] ^= 1                                 # a JIT that gets EAX wrong
        return result

    monkeypatch.setattr(soak, "_run", wrong_jit)
    tally, _ = soak.soak(0.01, first_seed=0, modes=("blocks",), batch=2, log=lambda text: None)
    assert tally.programs == 2 and len(tally.divergences) == 2
    assert "eax: jit" in tally.divergences[0] and "program " in tally.divergences[0]
