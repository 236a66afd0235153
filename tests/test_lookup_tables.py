"""The JIT's per-mode lookup tables (bt/runtime/lookup_tables.py): a mode switch keeps each mode's
entries, and after a mapping flush only entries on pages that now map elsewhere are dropped."""
from bt.backend.context import EMPTY_TAG, lookup_index
from bt.runtime.lookup_tables import MAX_TABLES, LookupTable, LookupTables

MISS = 0xDEAD


def entry(table, eip):
    slot = lookup_index(eip)
    return (int(table.tags[slot]), int(table.fns[slot]))


def test_tables_are_kept_per_mode_and_least_recently_used_goes_first():
    tables = LookupTables(MISS)
    t0, created = tables.table_for(0)
    assert created
    t0.install(0x1000, 0x5000)
    t1, created = tables.table_for(1)
    assert created and t1 is not t0
    again, created = tables.table_for(0)
    assert again is t0 and not created and entry(t0, 0x1000) == (0x1000, 0x5000)
    for mode in range(2, MAX_TABLES + 1):      # mode 1 is now the least recently used
        tables.table_for(mode)
    assert tables.get(1) is None and tables.get(0) is t0


def test_drop_keeps_the_current_and_the_unselected_modes():
    tables = LookupTables(MISS)
    for mode in range(4):
        tables.table_for(mode)
    tables.drop(keep=2, only={1, 2, 3}.__contains__)
    assert [m for m in range(4) if tables.get(m) is not None] == [0, 2]


def test_keep_mapped_drops_only_moved_pages_and_their_spanning_entries():
    t = LookupTable(MISS, cs_base=0)
    t.install(0x400010, 0x1, [(0x400, 0x9000)])
    t.install(0x400ffe, 0x2, [(0x400, 0x9000), (0x401, 0x7000)])   # its last bytes are on page 0x401
    t.install(0x500000, 0x3, [(0x500, 0xA000)])
    mapping = {0x400: 0x9000, 0x401: 0x8000, 0x500: 0xA000}          # page 0x401 moved
    assert t.keep_mapped(mapping.get) == 1
    assert entry(t, 0x400010) == (0x400010, 0x1)
    assert entry(t, 0x400ffe) == (EMPTY_TAG, MISS)
    assert entry(t, 0x500000) == (0x500000, 0x3)
    mapping[0x500] = None                                            # unmapped
    assert t.keep_mapped(mapping.get) == 1
    assert entry(t, 0x500000) == (EMPTY_TAG, MISS) and entry(t, 0x400010) == (0x400010, 0x1)


def test_keep_mapped_uses_linear_pages_of_the_mode_cs_base():
    t = LookupTable(MISS, cs_base=0x1000)
    t.install(0x10, 0x1, [(0x1, 0x3000)])          # linear 0x1010
    assert t.keep_mapped({0x1: 0x4000}.get) == 1
    assert entry(t, 0x10) == (EMPTY_TAG, MISS)
