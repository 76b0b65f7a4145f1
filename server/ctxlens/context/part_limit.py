"""The default size of a pack's parts, and where it comes from.

First the model's stable limit from the stability probe — only a value already cached by an
earlier `ctxlens check` (or the language server's background probe): packing never runs the
probe and never imports torch. Else the effective context the registry states for the model
(with its source). Else a quarter of the model's window: long-context benchmarks put the
length at which quality starts to drop well below the advertised window.
"""

from __future__ import annotations

from ctxlens.config import Config
from ctxlens.tokens import ModelInfo


def default_part_limit(model: ModelInfo, config: Config) -> tuple[int, str]:
    """(tokens, where that number comes from) for parts of a pack for `model`."""
    # Imported here: the pack comes before the preflight in the flow, and only this
    # function of the pack reads what the preflight stage left behind.
    from ctxlens.stability import ProfileError, cached_limit, get_profile
    from ctxlens.tokens import RegistryError, UnknownModelError

    try:
        profile = get_profile(model.name, config)
        cached = cached_limit(profile)
    except (ProfileError, UnknownModelError, RegistryError):
        cached = None
    if cached is not None and cached > 0:
        return cached, (f"the stable limit of the {profile.name} profile, from the stability "
                        "probe's cache")
    if model.effective_context is not None:
        eff = model.effective_context
        return eff.tokens, f"the effective context of {model.name} ({eff.source})"
    window = model.context_window
    return window // 4, f"a quarter of the {window:,}-token window of {model.name}"
