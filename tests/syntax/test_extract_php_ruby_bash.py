"""PHP, Ruby and Bash units from the real tree-sitter grammars."""

from __future__ import annotations

from ctxlens.syntax import extract_units

Row = tuple[str, str, int, int, int]

PHP = b"""\
<?php
namespace App\\Shop;

use App\\Models\\Item;

function helper(array $items): int { return count($items); }

abstract class Cart implements Countable
{
    private array $items = [];

    public function __construct(array $items) { $this->items = $items; }

    abstract protected function total(): int;

    public function count(): int
    {
        $f = function ($x) { return $x; };
        return helper($this->items);
    }
}

interface Priced { public function price(): int; }

trait Loggable { public function log(string $m): void {} }

if (!function_exists('legacy')) {
    function legacy() {}
}
"""

RUBY = b"""\
require "json"

module Shop
  class Cart < Base
    attr_reader :items

    def initialize(items)
      @items = items
    end

    def self.empty
      new([])
    end

    class << self
      def build; end
    end

    def total
      items.sum(&:price)
    end

    private def secret; end

    class Line; def qty; 1; end; end
  end
end

def helper; end

class Shop::Api; def call; end; end
"""

BASH = b"""\
#!/usr/bin/env bash
set -euo pipefail

log() { echo "$*" >&2; }

function deploy {
  cleanup() { rm -rf "$tmp"; }
  trap cleanup EXIT
  log "deploying"
}

if [[ -n "${DEBUG:-}" ]]; then
  debug() { set -x; }
fi

deploy "$@"
"""


def rows(data: bytes, language: str) -> list[Row]:
    return [(u.kind, u.name, u.start_line, u.end_line, u.parent)
            for u in extract_units(data, language).units]


def test_php_units() -> None:
    assert rows(PHP, "php") == [
        ("module", "<module>", 1, 29, -1),
        ("function", "helper", 6, 6, -1),
        ("class", "Cart", 8, 21, -1),  # the namespace is not in names
        ("constructor", "Cart.__construct", 12, 12, 2),
        ("method", "Cart.count", 16, 20, 2),  # the abstract total() has no body
        ("class", "Priced", 23, 23, -1),
        ("class", "Loggable", 25, 25, -1),
        ("method", "Loggable.log", 25, 25, 6),
        ("function", "legacy", 28, 28, -1),  # inside `if (!function_exists(...))`
    ]


def test_php_module_unit() -> None:
    module = extract_units(PHP, "php").units[0]
    assert module.text(PHP) == (
        "<?php\nnamespace App\\Shop;\n\nuse App\\Models\\Item;\n\n\n\n"
        "if (!function_exists('legacy')) {\n    \n}\n"
    )


def test_ruby_units() -> None:
    assert rows(RUBY, "ruby") == [
        ("module", "<module>", 1, 27, -1),
        ("class", "Shop.Cart", 4, 26, -1),  # modules qualify but are not units
        ("constructor", "Shop.Cart.initialize", 7, 9, 1),
        ("method", "Shop.Cart.empty", 11, 13, 1),  # def self.empty
        ("method", "Shop.Cart.build", 16, 16, 1),  # inside class << self
        ("method", "Shop.Cart.total", 19, 21, 1),
        ("method", "Shop.Cart.secret", 23, 23, 1),  # an argument of `private`
        ("class", "Shop.Cart.Line", 25, 25, 1),
        ("method", "Shop.Cart.Line.qty", 25, 25, 7),
        ("function", "helper", 29, 29, -1),
        ("class", "Shop.Api", 31, 31, -1),  # class Shop::Api
        ("method", "Shop.Api.call", 31, 31, 10),
    ]


def test_ruby_module_unit() -> None:
    module = extract_units(RUBY, "ruby").units[0]
    assert module.text(RUBY) == 'require "json"\n\nmodule Shop\n  \nend\n\n'


def test_ruby_defs_inside_blocks() -> None:
    data = b'describe "cart" do\n  def build_cart; end\nend\n'
    assert rows(data, "ruby") == [
        ("module", "<module>", 1, 3, -1),
        ("function", "build_cart", 2, 2, -1),
    ]


def test_bash_units() -> None:
    assert rows(BASH, "bash") == [
        ("module", "<module>", 1, 16, -1),
        ("function", "log", 4, 4, -1),
        ("function", "deploy", 6, 10, -1),
        ("function", "deploy.cleanup", 7, 7, 2),
        ("function", "debug", 13, 13, -1),  # inside an if
    ]


def test_bash_module_unit() -> None:
    module = extract_units(BASH, "bash").units[0]
    assert module.text(BASH) == (
        '#!/usr/bin/env bash\nset -euo pipefail\n\n\n\n'
        'if [[ -n "${DEBUG:-}" ]]; then\n  \nfi\n\ndeploy "$@"\n'
    )
