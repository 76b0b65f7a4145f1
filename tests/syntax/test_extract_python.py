"""Python units from the real tree-sitter-python grammar."""

from __future__ import annotations

from ctxlens.syntax import extract_units

Row = tuple[str, str, int, int, int]

SOURCE = b'''\
"""Doc."""
import os


@decorator
def top(a):
    def helper():
        return a
    return helper


class Outer(Base):
    limit = 3

    def __init__(self):
        self.x = 1

    @property
    def size(self):
        return 1

    class Inner:
        async def run(self):
            pass


if __name__ == "__main__":
    top(1)
'''


def rows(data: bytes, language: str = "python") -> list[Row]:
    return [(u.kind, u.name, u.start_line, u.end_line, u.parent)
            for u in extract_units(data, language).units]


def test_units_names_kinds_lines_and_parents() -> None:
    assert rows(SOURCE) == [
        ("module", "<module>", 1, 28, -1),
        ("function", "top", 5, 9, -1),  # from its decorator
        ("function", "top.helper", 7, 8, 1),
        ("class", "Outer", 12, 24, -1),
        ("constructor", "Outer.__init__", 15, 16, 3),
        ("method", "Outer.size", 18, 20, 3),
        ("class", "Outer.Inner", 22, 24, 3),
        ("method", "Outer.Inner.run", 23, 24, 6),
    ]


def test_byte_offsets_are_the_nodes_own() -> None:
    units = extract_units(SOURCE, "python").units
    top, helper = units[1], units[2]
    assert SOURCE[top.start_byte : top.end_byte].startswith(b"@decorator\ndef top(a):")
    assert SOURCE[top.start_byte : top.end_byte].endswith(b"return helper")
    assert SOURCE[helper.start_byte : helper.end_byte] == b"def helper():\n        return a"


def test_module_unit_is_the_code_between_top_level_units() -> None:
    module = extract_units(SOURCE, "python").units[0]
    assert module.text(SOURCE) == (
        '"""Doc."""\nimport os\n\n\n' '\n\n\nif __name__ == "__main__":\n    top(1)\n'
    )
    assert "def " not in module.text(SOURCE)
    assert len(module.segments) == 2  # the blank run between top() and Outer is dropped
    assert (module.start_byte, module.end_byte) == (0, len(SOURCE))


def test_module_lines_span_its_code_not_the_blank_lines_around_it() -> None:
    data = b"def f():\n    pass\n\n\nx = 1\n\n\ndef g():\n    pass\n"
    module = extract_units(data, "python").units[0]
    assert (module.kind, module.start_line, module.end_line) == ("module", 5, 5)
    assert module.text(data) == "\n\n\nx = 1\n\n\n"


def test_only_units_means_no_module_unit() -> None:
    data = b"def f():\n    pass\n\n\nclass A:\n    pass\n"
    assert rows(data) == [("function", "f", 1, 2, -1), ("class", "A", 5, 6, -1)]


def test_a_file_without_units_is_all_module() -> None:
    data = b"import os\nprint(os.sep)\n"
    (module,) = extract_units(data, "python").units
    assert (module.kind, module.start_line, module.end_line) == ("module", 1, 2)
    assert module.text(data) == data.decode()


def test_blank_file_has_no_units() -> None:
    assert extract_units(b"", "python").units == ()
    assert extract_units(b"\n  \n\t\n", "python").units == ()


def test_definitions_inside_blocks_and_nested_classes_in_functions() -> None:
    data = (
        b"try:\n"
        b"    import fast\n"
        b"except ImportError:\n"
        b"    def fast():\n"
        b"        pass\n"
        b"def make():\n"
        b"    class Local:\n"
        b"        def m(self):\n"
        b"            pass\n"
        b"    return Local\n"
    )
    assert rows(data) == [
        ("module", "<module>", 1, 3, -1),
        ("function", "fast", 4, 5, -1),
        ("function", "make", 6, 10, -1),
        ("class", "make.Local", 7, 9, 2),
        ("method", "make.Local.m", 8, 9, 3),
    ]


def test_init_outside_a_class_is_a_plain_function() -> None:
    assert rows(b"def __init__():\n    pass\n") == [("function", "__init__", 1, 2, -1)]


def test_syntax_error_between_two_functions_keeps_both() -> None:
    data = b"def a():\n    return 1\n\nx = = 2\n\ndef b():\n    return 2\n"
    result = extract_units(data, "python")
    assert result.error_nodes >= 1
    assert [(u.kind, u.name, u.start_line) for u in result.units] == [
        ("module", "<module>", 4),
        ("function", "a", 1),
        ("function", "b", 6),
    ]


def test_units_inside_an_error_node_are_found() -> None:
    # The stray `else:` wraps both functions in an ERROR node.
    data = b"def a():\n    return 1\nelse:\n    def b():\n        return 2\n"
    result = extract_units(data, "python")
    assert result.error_nodes >= 1
    names = [u.name for u in result.units if u.kind == "function"]
    assert names == ["a", "b"]


def test_clean_parse_has_no_error_nodes() -> None:
    assert extract_units(SOURCE, "python").error_nodes == 0
