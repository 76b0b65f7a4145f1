"""Build step for the one native part: the clone lexer's tree walk (server/ctxlens/_native).

Everything else is in pyproject.toml. The extension is optional: without a C compiler the
install still succeeds and ctxlens lexes in Python (ctxlens/clones/lexwalk.py), slower.
"""

from __future__ import annotations

import sys

from setuptools import Extension, setup

NATIVE = "server/ctxlens/_native"
CORE = f"{NATIVE}/vendor/tree-sitter"

compile_args = ([] if sys.platform == "win32" else
                ["-std=c11", "-O2", "-fvisibility=hidden", "-Wno-cast-function-type",
                 "-Wno-unused-parameter"])

setup(
    ext_modules=[
        Extension(
            name="ctxlens._lexwalk",
            sources=[f"{NATIVE}/lexwalk.c", f"{CORE}/src/lib.c"],
            include_dirs=[f"{CORE}/include", f"{CORE}/src"],
            define_macros=[("_POSIX_C_SOURCE", "200112L"), ("_DEFAULT_SOURCE", None),
                           ("TREE_SITTER_HIDE_SYMBOLS", None)],
            extra_compile_args=compile_args,
            optional=True,
        )
    ],
)
