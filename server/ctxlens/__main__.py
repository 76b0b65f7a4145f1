"""`python -m ctxlens …`: the same as the `ctxlens` console script."""

from ctxlens.cli import main

raise SystemExit(main())
