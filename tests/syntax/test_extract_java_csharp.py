"""Java and C# units from the real tree-sitter grammars."""

from __future__ import annotations

from ctxlens.syntax import extract_units

Row = tuple[str, str, int, int, int]

JAVA = b"""\
package com.example.shop;

import java.util.List;

@Service
public class Cart<T> extends Base {
    private final List<T> items;

    public Cart(List<T> items) {
        this.items = items;
    }

    @Override
    public int size() {
        Runnable r = new Runnable() { public void run() {} };
        return items.size();
    }

    static class Line {
        int qty() { return 1; }
    }

    interface Priced {
        int price();
        default int discounted() { return price(); }
    }

    enum State { OPEN, CLOSED; boolean done() { return this == CLOSED; } }

    record Pair(int a, int b) {
        Pair { }
    }
}
"""

CSHARP = b"""\
using System;

namespace Example.Shop
{
    public class Cart : IDisposable
    {
        private int count;

        public Cart(int count) { this.count = count; }

        ~Cart() { }

        public int Total(int price)
        {
            int Twice(int x) => x * 2;
            return Twice(price);
        }

        public int Count { get; set; }

        public void Dispose() { }

        public struct Line { public int Qty() => 1; }

        public interface IPriced { int Price(); }

        public record Pair(int A, int B);
    }
}
"""


def rows(data: bytes, language: str) -> list[Row]:
    return [(u.kind, u.name, u.start_line, u.end_line, u.parent)
            for u in extract_units(data, language).units]


def test_java_units() -> None:
    assert rows(JAVA, "java") == [
        ("module", "<module>", 1, 3, -1),
        ("class", "Cart", 5, 33, -1),  # from its annotation; the package is not in names
        ("constructor", "Cart.Cart", 9, 11, 1),
        ("method", "Cart.size", 13, 17, 1),
        ("class", "Cart.Line", 19, 21, 1),
        ("method", "Cart.Line.qty", 20, 20, 4),
        ("class", "Cart.Priced", 23, 26, 1),
        ("method", "Cart.Priced.discounted", 25, 25, 6),  # not the abstract price()
        ("class", "Cart.State", 28, 28, 1),
        ("method", "Cart.State.done", 28, 28, 8),
        ("class", "Cart.Pair", 30, 32, 1),
        ("constructor", "Cart.Pair.Pair", 31, 31, 10),
    ]


def test_java_module_unit_is_package_and_imports() -> None:
    module = extract_units(JAVA, "java").units[0]
    assert module.text(JAVA) == "package com.example.shop;\n\nimport java.util.List;\n\n"


def test_java_local_class_in_a_method() -> None:
    data = b"class A {\n  void m() {\n    class L { void n() {} }\n  }\n}\n"
    assert rows(data, "java") == [
        ("class", "A", 1, 5, -1),
        ("method", "A.m", 2, 4, 0),
        ("class", "A.m.L", 3, 3, 1),
        ("method", "A.m.L.n", 3, 3, 2),
    ]


def test_csharp_units() -> None:
    assert rows(CSHARP, "csharp") == [
        ("module", "<module>", 1, 29, -1),
        ("class", "Cart", 5, 28, -1),  # the namespace is not in names
        ("constructor", "Cart.Cart", 9, 9, 1),
        ("method", "Cart.~Cart", 11, 11, 1),
        ("method", "Cart.Total", 13, 17, 1),
        ("function", "Cart.Total.Twice", 15, 15, 4),  # a local function
        ("method", "Cart.Dispose", 21, 21, 1),
        ("class", "Cart.Line", 23, 23, 1),  # struct
        ("method", "Cart.Line.Qty", 23, 23, 7),
        ("class", "Cart.IPriced", 25, 25, 1),  # interface; Price() has no body
        ("class", "Cart.Pair", 27, 27, 1),  # record
    ]


def test_csharp_module_unit_is_usings_and_namespace_braces() -> None:
    module = extract_units(CSHARP, "csharp").units[0]
    assert module.text(CSHARP) == "using System;\n\nnamespace Example.Shop\n{\n    \n}\n"


def test_csharp_file_scoped_namespace() -> None:
    data = b"namespace A.B;\n\nclass C { void M() { } }\n"
    assert rows(data, "csharp") == [
        ("module", "<module>", 1, 1, -1),
        ("class", "C", 3, 3, -1),
        ("method", "C.M", 3, 3, 1),
    ]
