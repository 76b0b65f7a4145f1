"""JavaScript, TypeScript and TSX units from the real tree-sitter grammars."""

from __future__ import annotations

from ctxlens.syntax import extract_units

Row = tuple[str, str, int, int, int]

JS = b"""\
import { api } from "./api";

export function top(a) {
  function helper() { return a; }
  return helper();
}

export default class Shape extends Base {
  static count = 0;
  onClick = () => this.draw();
  constructor(size) {
    super();
    this.size = size;
  }
  area() { return this.size ** 2; }
}

const double = (x) => x * 2;
Shape.prototype.draw = function () {};
const handlers = {
  save() {},
  "load": function () {},
};
(function () {
  function hidden() {}
})();
"""

TS = b"""\
import type { Config } from "./config";

interface Greeter { greet(): string; }
type Id = string;
enum Color { Red }

namespace Geometry.Shapes {
  export function area(r: number): number { return r * r; }
}

export abstract class Base<T> implements Greeter {
  private cache = new Map<Id, T>();
  handler = (e: Event): void => {};
  constructor(private readonly cfg: Config) {}
  abstract render(): void;
  greet(): string { return "hi"; }
}

export const load = async (id: Id): Promise<void> => {};
function overload(a: string): void;
function overload(a: unknown) {}
"""

TSX = b"""\
import React from "react";

export function App({ items }: Props) {
  const [open, setOpen] = React.useState(false);
  const toggle = () => setOpen(!open);
  return <ul onClick={toggle}>{items.map((i) => <li key={i}>{i}</li>)}</ul>;
}

export class Panel extends React.Component<Props> {
  render() { return <div />; }
}
"""


def rows(data: bytes, language: str) -> list[Row]:
    return [(u.kind, u.name, u.start_line, u.end_line, u.parent)
            for u in extract_units(data, language).units]


def test_javascript_units() -> None:
    assert rows(JS, "javascript") == [
        ("module", "<module>", 1, 26, -1),
        ("function", "top", 3, 6, -1),
        ("function", "top.helper", 4, 4, 1),
        ("class", "Shape", 8, 16, -1),
        ("method", "Shape.onClick", 10, 10, 3),  # a class field holding an arrow function
        ("constructor", "Shape.constructor", 11, 14, 3),
        ("method", "Shape.area", 15, 15, 3),
        ("function", "double", 18, 18, -1),
        ("function", "Shape.prototype.draw", 19, 19, -1),
        ("method", "handlers.save", 21, 21, -1),
        ("method", "handlers.load", 22, 22, -1),
        ("function", "hidden", 25, 25, -1),  # inside an anonymous IIFE
    ]


def test_javascript_unit_ranges_take_export_and_declaration() -> None:
    units = extract_units(JS, "javascript").units
    top, shape, double = units[1], units[3], units[7]
    assert JS[top.start_byte : top.end_byte].startswith(b"export function top(a) {")
    assert JS[shape.start_byte : shape.end_byte].startswith(b"export default class Shape")
    assert JS[double.start_byte : double.end_byte] == b"const double = (x) => x * 2;"


def test_javascript_module_unit_excludes_every_body() -> None:
    module = extract_units(JS, "javascript").units[0]
    assert module.text(JS) == (
        'import { api } from "./api";\n\n\n'
        "const handlers = {\n  ,\n  ,\n};\n"
        "(function () {\n  \n})();\n"
    )


def test_nested_arrow_function_in_a_function() -> None:
    data = b"function outer() {\n  const inner = function () {};\n  return inner;\n}\n"
    assert rows(data, "javascript") == [
        ("function", "outer", 1, 4, -1),
        ("function", "outer.inner", 2, 2, 0),
    ]


def test_javascript_syntax_error_between_two_functions() -> None:
    data = b"function a() { return 1; }\n}}\nfunction b() { return 2; }\n"
    result = extract_units(data, "javascript")
    assert result.error_nodes >= 1
    assert [(u.kind, u.name) for u in result.units] == [
        ("module", "<module>"), ("function", "a"), ("function", "b"),
    ]


def test_typescript_units() -> None:
    assert rows(TS, "typescript") == [
        ("module", "<module>", 1, 20, -1),  # ends with the overload signature
        ("function", "Geometry.Shapes.area", 8, 8, -1),
        ("class", "Base", 11, 17, -1),  # abstract
        ("method", "Base.handler", 13, 13, 2),
        ("constructor", "Base.constructor", 14, 14, 2),
        ("method", "Base.greet", 16, 16, 2),  # not the bodiless abstract render()
        ("function", "load", 19, 19, -1),
        ("function", "overload", 21, 21, -1),  # the implementation, not the signature
    ]


def test_typescript_types_stay_in_the_module_unit() -> None:
    module = extract_units(TS, "typescript").units[0]
    text = module.text(TS)
    assert "interface Greeter { greet(): string; }" in text
    assert "type Id = string;" in text
    assert "enum Color { Red }" in text
    assert "function overload(a: string): void;" in text
    assert "return r * r" not in text and "greet(): string {" not in text


def test_tsx_units() -> None:
    assert rows(TSX, "tsx") == [
        ("module", "<module>", 1, 1, -1),
        ("function", "App", 3, 7, -1),
        ("function", "App.toggle", 5, 5, 1),
        ("class", "Panel", 9, 11, -1),
        ("method", "Panel.render", 10, 10, 3),
    ]


def test_object_literal_methods_need_no_function_keyword() -> None:
    # Only `m() {` marks these: the walk must still reach them.
    data = b'export default {\n  data() { return {}; },\n  methods: { go() {} },\n};\n'
    assert [(u.kind, u.name) for u in extract_units(data, "javascript").units[1:]] == [
        ("method", "default.data"),
        ("method", "default.methods.go"),
    ]


def test_decorators_belong_to_their_class_and_method() -> None:
    data = (
        b"@Component({ selector: 'x' })\n"
        b"export class Panel {\n"
        b"  @HostListener('click')\n"
        b"  @Throttle(10)\n"
        b"  onClick(): void {}\n"
        b"  get title(): string { return ''; }\n"
        b"  set title(v: string) {}\n"
        b"}\n"
    )
    units = extract_units(data, "typescript").units
    assert [(u.kind, u.name, u.start_line, u.end_line, u.parent) for u in units] == [
        ("class", "Panel", 1, 8, -1),
        ("method", "Panel.onClick", 3, 5, 0),
        ("method", "Panel.title", 6, 6, 0),  # getter and setter share a name
        ("method", "Panel.title", 7, 7, 0),
    ]
    assert data[units[1].start_byte : units[1].end_byte].startswith(b"@HostListener")
