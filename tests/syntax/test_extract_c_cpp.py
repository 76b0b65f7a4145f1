"""C and C++ units from the real tree-sitter grammars."""

from __future__ import annotations

from ctxlens.syntax import extract_units

Row = tuple[str, str, int, int, int]

C = b"""\
#include <stdlib.h>

struct node { int value; struct node *next; };

static int count;

static struct node *push(struct node *head, int value)
{
    struct node *n = malloc(sizeof *n);
    n->value = value;
    return n;
}

#ifdef DEBUG
void dump(const struct node *n) { }
#endif

int main(void) { return push(NULL, 1) == NULL; }
"""

CPP = b"""\
#include <string>

namespace geo {
namespace detail { inline int sq(int x) { return x * x; } }

class Shape {
 public:
  Shape() : id_(0) {}
  virtual ~Shape() {}
  virtual double area() const = 0;
  int id() const { return id_; }
  struct Tag { const char *name() const { return "t"; } };
 private:
  int id_;
};

double Shape::area() const { return 0; }
Shape::Shape(int id) : id_(id) {}

template <typename T>
T clamp(T v) { return v; }
}  // namespace geo

int main() { return geo::detail::sq(2); }
"""


def rows(data: bytes, language: str) -> list[Row]:
    return [(u.kind, u.name, u.start_line, u.end_line, u.parent)
            for u in extract_units(data, language).units]


def test_c_units_are_function_definitions_only() -> None:
    assert rows(C, "c") == [
        ("module", "<module>", 1, 16, -1),
        ("function", "push", 7, 12, -1),  # name found through the pointer declarator
        ("function", "dump", 15, 15, -1),  # inside #ifdef
        ("function", "main", 18, 18, -1),
    ]


def test_c_module_unit_holds_structs_globals_and_preprocessor() -> None:
    module = extract_units(C, "c").units[0]
    assert module.text(C) == (
        "#include <stdlib.h>\n\nstruct node { int value; struct node *next; };\n\n"
        "static int count;\n\n\n\n#ifdef DEBUG\n\n#endif\n\n"
    )


def test_cpp_units() -> None:
    assert rows(CPP, "cpp") == [
        ("module", "<module>", 1, 22, -1),
        ("function", "geo.detail.sq", 4, 4, -1),
        ("class", "geo.Shape", 6, 15, -1),
        ("constructor", "geo.Shape.Shape", 8, 8, 2),
        ("method", "geo.Shape.~Shape", 9, 9, 2),
        ("method", "geo.Shape.id", 11, 11, 2),  # not the pure virtual area()
        ("class", "geo.Shape.Tag", 12, 12, 2),
        ("method", "geo.Shape.Tag.name", 12, 12, 6),
        ("method", "geo.Shape.area", 17, 17, -1),  # out-of-line `Shape::area`
        ("constructor", "geo.Shape.Shape", 18, 18, -1),
        ("function", "geo.clamp", 20, 21, -1),  # from `template <...>`
        ("function", "main", 24, 24, -1),
    ]


def test_cpp_module_unit_is_namespace_shell_and_includes() -> None:
    module = extract_units(CPP, "cpp").units[0]
    # The `;` after `class Shape {...}` belongs to the class, not to the module.
    assert module.text(CPP) == (
        "#include <string>\n\nnamespace geo {\nnamespace detail {  }\n\n\n}  // namespace geo\n\n"
    )


def test_cpp_qualified_out_of_line_names() -> None:
    data = b"void ns::A::f() {}\ntemplate<> void B<int>::g() {}\nA::operator bool() const {}\n"
    assert rows(data, "cpp") == [
        ("method", "ns.A.f", 1, 1, -1),
        ("method", "B.g", 2, 2, -1),
        ("method", "A.operator bool", 3, 3, -1),
    ]


def test_c_missing_token_is_counted_and_units_kept() -> None:
    data = b"int a() { return 1 }\nint b() { return 2; }\n"
    result = extract_units(data, "c")
    assert result.error_nodes == 1  # the MISSING `;`
    assert [u.name for u in result.units] == ["a", "b"]
