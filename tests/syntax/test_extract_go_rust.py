"""Go and Rust units from the real tree-sitter grammars."""

from __future__ import annotations

from ctxlens.syntax import extract_units

Row = tuple[str, str, int, int, int]

GO = b"""\
package server

import "net/http"

// Server serves.
type Server struct {
\taddr string
}

type Handler interface{ Serve() }

type (
\tOptions struct{ Port int }
\tID      string
)

func New(addr string) *Server {
\treturn &Server{addr: addr}
}

func (s *Server) Run() error {
\thandle := func() {}
\thandle()
\treturn http.ListenAndServe(s.addr, nil)
}

func (c Cache[K]) Get(k K) {}
"""

RUST = b"""\
use std::fmt;

pub struct Point<T> { x: T }

impl<T: Copy> Point<T> {
    pub fn new(x: T) -> Self {
        fn check() {}
        check();
        Point { x }
    }
}

impl fmt::Display for Point<i32> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { write!(f, "{}", self.x) }
}

pub trait Shape {
    fn area(&self) -> f64;
    fn describe(&self) -> String { String::new() }
}

pub fn free() {}

#[cfg(test)]
mod tests {
    #[test]
    fn it_works() {}
}
"""


def rows(data: bytes, language: str) -> list[Row]:
    return [(u.kind, u.name, u.start_line, u.end_line, u.parent)
            for u in extract_units(data, language).units]


def test_go_units() -> None:
    assert rows(GO, "go") == [
        ("module", "<module>", 1, 15, -1),
        ("class", "Server", 6, 8, -1),
        ("class", "Options", 13, 13, -1),  # a struct inside a grouped `type (...)`
        ("function", "New", 17, 19, -1),
        ("method", "Server.Run", 21, 25, -1),  # pointer receiver
        ("method", "Cache.Get", 27, 27, -1),  # generic receiver
    ]


def test_go_module_unit_keeps_interfaces_and_other_types() -> None:
    module = extract_units(GO, "go").units[0]
    assert module.text(GO) == (
        'package server\n\nimport "net/http"\n\n// Server serves.\n\n\n'
        "type Handler interface{ Serve() }\n\ntype (\n\t\n\tID      string\n)\n\n"
    )


def test_rust_units() -> None:
    assert rows(RUST, "rust") == [
        ("module", "<module>", 1, 28, -1),
        ("method", "Point.new", 6, 10, -1),  # impl blocks qualify but are not units
        ("function", "Point.new.check", 7, 7, 1),
        ("method", "Point.fmt", 14, 14, -1),  # `impl Trait for Type`: the type
        ("method", "Shape.describe", 19, 19, -1),  # a trait's default method
        ("function", "free", 22, 22, -1),
        ("function", "tests.it_works", 26, 27, -1),  # with its #[test]
    ]


def test_rust_module_unit_is_everything_but_function_bodies() -> None:
    module = extract_units(RUST, "rust").units[0]
    assert module.text(RUST) == (
        "use std::fmt;\n\npub struct Point<T> { x: T }\n\n"
        "impl<T: Copy> Point<T> {\n    \n}\n\n"
        "impl fmt::Display for Point<i32> {\n    \n}\n\n"
        "pub trait Shape {\n    fn area(&self) -> f64;\n    \n}\n\n\n\n"
        "#[cfg(test)]\nmod tests {\n    \n}\n"
    )
