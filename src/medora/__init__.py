"""Medora: cited, structured answers to clinical questions from guidelines and trusted sources.

Usage example::

    from medora import ask
    answer = ask("How is uncomplicated cystitis treated?", audience="clinician")
    print(answer.summary.text)
"""

from __future__ import annotations

__version__ = "0.1.0"

from medora.models import Answer, Audience  # noqa: E402
from medora.settings import Settings, get_settings  # noqa: E402


def ask(question: str, **kwargs: object) -> Answer:
    """See `medora.qa.ask`."""
    from medora.qa import ask as _ask

    return _ask(question, **kwargs)  # type: ignore[arg-type]


__all__ = ["Answer", "Audience", "Settings", "__version__", "ask", "get_settings"]
