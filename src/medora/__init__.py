"""Medora: cited, structured answers to clinical questions from guidelines and trusted sources.

Usage example::

    from medora import ask
    answer = ask("How is uncomplicated cystitis treated?", audience="clinician")
    print(answer.summary.text)
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

from medora.models import Answer, Audience  # noqa: E402
from medora.settings import Settings, get_settings  # noqa: E402


def ask(question: str, **kwargs: Any) -> Answer:  # noqa: ANN401 - passed through to medora.qa.ask, which checks them
    """See `medora.qa.ask`."""
    from medora.qa import ask as _ask

    return _ask(question, **kwargs)


__all__ = ["Answer", "Audience", "Settings", "__version__", "ask", "get_settings"]
