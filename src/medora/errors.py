"""Errors that tell the operator what went wrong and what to do next."""

from __future__ import annotations


class MedoraError(Exception):
    """Base error. `status` maps to an HTTP status; `hint` says what to do next."""

    status: int = 500
    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InvalidRequest(MedoraError):
    status = 400
    hint = "Check the request and try again."


class QuestionTooLong(InvalidRequest):
    status = 413
    hint = "Shorten the question; ask about one problem at a time."


class NotFound(MedoraError):
    status = 404
    hint = "Check the id; it may have been removed or never existed."


class SourceFileError(MedoraError):
    """A corpus file could not be read; the ingest goes on with the other files."""

    status = 422
    hint = "Fix or remove the file and run `medora ingest` again; other files were still indexed."

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class KnowledgeBaseError(SourceFileError):
    hint = "Fix the topic file so it matches the schema in docs (see `medora kb check`)."


class IndexMissing(MedoraError):
    status = 503
    hint = "Build it first with `medora ingest` (or `medora ask`, which builds the default index)."


class IndexCorrupt(MedoraError):
    status = 503
    hint = "Rebuild the index with `medora ingest --rebuild`."


class StorageError(MedoraError):
    """The data folder refused a write (disk full, read-only, no permission); what was serving is unchanged."""

    status = 507
    hint = "Free disk space or make the data folder writable, then run the command again."


class BackupError(MedoraError):
    """A backup archive is damaged, incomplete or not a Medora backup; nothing was restored."""

    status = 422
    hint = "Nothing was restored. Use another backup (`medora backup` writes one with a checksum for every file)."


class Unauthorized(MedoraError):
    status = 401
    hint = "Log in at /login (API clients: POST /api/login and send the token as `Authorization: Bearer ...`)."


class TooManyRequests(MedoraError):
    status = 429
    hint = "Wait and try again."

    def __init__(self, message: str, *, retry_after: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class Forbidden(MedoraError):
    status = 403
    hint = "Log in with an account whose role allows this."


class Conflict(MedoraError):
    status = 409
    hint = "Reload and try again."
