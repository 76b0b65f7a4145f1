"""The stability probe: is a context past what the model's attention handles stably?

Public API (no torch is imported until a measurement runs):
    get_profile(name, config)        -> Profile      model profile joined with the registry
    check_context(profile, n, ...)   -> CheckResult  every check, the verdict, content mode
    stable_limit(profile)            -> int          largest n with every check ≤ warn (cached)
    find_stable_limit(profile)       -> StableLimit  the same, with how it was obtained
    result_json / result_lines                       the report, as JSON or console lines
"""

from ctxlens.stability.checks import Check, Status, evaluate, worst
from ctxlens.stability.limit import StableLimit, cached_limit, find_stable_limit, stable_limit
from ctxlens.stability.measurements import ContentReport, Measurements
from ctxlens.stability.probe import PROBE_VERSION, CheckResult, check_context, measure
from ctxlens.stability.profiles import (
    Profile,
    ProfileError,
    Profiles,
    get_profile,
    load_profiles,
)
from ctxlens.stability.report import result_json, result_lines
from ctxlens.stability.torch_support import INSTALL_HINT, ProbeUnavailable

__all__ = [
    "INSTALL_HINT",
    "PROBE_VERSION",
    "Check",
    "CheckResult",
    "ContentReport",
    "Measurements",
    "ProbeUnavailable",
    "Profile",
    "ProfileError",
    "Profiles",
    "StableLimit",
    "Status",
    "cached_limit",
    "check_context",
    "evaluate",
    "find_stable_limit",
    "get_profile",
    "load_profiles",
    "measure",
    "result_json",
    "result_lines",
    "stable_limit",
    "worst",
]
