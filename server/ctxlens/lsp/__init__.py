"""The language server (`ctxlens serve`): a thin LSP shell over the engine.

See docs/protocol.md for what it speaks and docs/architecture.md ("Language server") for
how its threads share the work.
"""
