"""The model's stable context limit for the budget, found by the stability probe in the
background (it imports torch, so never during start-up) or read from the probe's cache."""

from __future__ import annotations

import importlib.util
import logging
from typing import TYPE_CHECKING

from ctxlens.config import Config

if TYPE_CHECKING:
    from ctxlens.lsp.server import CtxlensServer

log = logging.getLogger(__name__)


def find_limit(config: Config) -> int | None:
    """The cached limit when there is one, else the probe's when torch is installed."""
    from ctxlens.stability import ProbeUnavailable, ProfileError, cached_limit, get_profile

    try:
        profile = get_profile(config.model, config)
    except ProfileError as err:
        log.warning("no stability profile for %s: %s", config.model, err)
        return None
    hit = cached_limit(profile)
    if hit is not None or importlib.util.find_spec("torch") is None:
        return hit
    from ctxlens.stability import stable_limit

    try:
        return stable_limit(profile)
    except ProbeUnavailable as err:
        log.warning("stability probe unavailable: %s", err)
        return None


def start_probe(ls: CtxlensServer) -> None:
    config = ls.state.config

    def run() -> None:
        try:
            limit = find_limit(config)
        except Exception as err:  # the budget goes on without a stable limit
            log.error("stability probe failed: %s", err)
            return
        ls.to_loop(installed, limit)

    def installed(limit: int | None) -> None:
        if limit is not None and limit != ls.state.stable_limit:
            ls.state.stable_limit = limit
            ls.schedule_budget()

    ls.heavy.submit(run)
