"""The one place that knows torch is optional.

The probe's kernels need torch; nothing else in ctxlens does. Modules that import torch
(`kernels`, `rope`, `content`) are imported only from inside functions, after
`require_torch()`, so `import ctxlens` and the language server's start-up never pay for
it (≈ 1 s and ≈ 200 MB), and a machine without torch keeps every other feature.
"""

from __future__ import annotations

TORCH_VERSION = "2.13.0"
INSTALL_HINT = (
    f"the stability probe needs PyTorch; install it with: pip install torch=={TORCH_VERSION} "
    f"(the CPU build is enough: add --index-url https://download.pytorch.org/whl/cpu)"
)


class ProbeUnavailable(RuntimeError):
    """torch cannot be imported, so the probe cannot run."""


def require_torch() -> None:
    """Import torch or raise ProbeUnavailable with the command that installs it."""
    try:
        import torch  # noqa: F401
    except ImportError as err:
        raise ProbeUnavailable(f"{INSTALL_HINT} ({err})") from err
