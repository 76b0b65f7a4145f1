"""Syntax units: functions, methods, constructors, classes and the module code around them.

`extract_units(data, language)` is the whole API; see its docstring for naming and order.
"""

from ctxlens.syntax.extract import (
    DEFAULT_WINDOW_LINES,
    MODULE_NAME,
    count_error_nodes,
    extract_units,
    module_unit,
    parse,
    window_units,
)
from ctxlens.syntax.grammars import get_language, get_parser
from ctxlens.syntax.units import UNIT_KINDS, ParseResult, UnitSpan

__all__ = [
    "DEFAULT_WINDOW_LINES",
    "MODULE_NAME",
    "UNIT_KINDS",
    "ParseResult",
    "UnitSpan",
    "count_error_nodes",
    "extract_units",
    "get_language",
    "get_parser",
    "module_unit",
    "parse",
    "window_units",
]
