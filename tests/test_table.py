"""The instruction table is complete and every row is implemented by the reference interpreter."""
from bt.frontend import table
from bt.tools.table_report import engine_coverage, format_table


def test_every_table_row_has_an_interpreter_handler():
    missing = sorted(set(table.TABLE) - engine_coverage()["interp"])
    assert not missing, f"instructions in the table without an interpreter handler: {missing}"


def test_no_handler_outside_the_table():
    extra = sorted(engine_coverage()["interp"] - set(table.TABLE))
    assert not extra, f"handlers for names the table does not list: {extra}"


def test_condition_codes_follow_the_encoding_order():
    # Jcc opcodes 0x70..0x7F in order (SDM Vol. 2, Jcc).
    assert [table.condition_of("j" + c) for c in table.CONDITIONS] == list(range(16))
    assert table.condition_of("jmp") is None and table.condition_of("sete") == 4


def test_undefined_flags_are_a_subset_of_written_flags():
    for row in table.TABLE.values():
        assert row.undefined & ~row.writes == 0, row.name


def test_table_report_lists_every_row():
    text = format_table()
    for name in table.TABLE:
        assert f"\n{name} " in text
