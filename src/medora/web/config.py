"""Web-only settings: `medora.settings.WebSettings`, nested in the one settings root as `Settings.web` (#11).

Kept importable from here for the web app's modules."""

from __future__ import annotations

from medora.settings import EXAMPLES, WebSettings

__all__ = ["EXAMPLES", "WebSettings"]
