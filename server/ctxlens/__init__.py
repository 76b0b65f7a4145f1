"""ctxlens: see, shrink and safely send codebases far larger than any LLM context window."""

__version__ = "0.1.0"
