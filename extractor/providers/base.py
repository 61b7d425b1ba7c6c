"""What every provider implements, and the project's own names for what can go wrong in a call.

A provider's SDK raises its own exceptions; each provider translates them, in one table, into
the :class:`CallError` classes below (as httpx maps httpcore's exceptions to its own), so that
retry and abort decisions elsewhere never name another library's classes.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel

from extractor.errors import ConfigError
from extractor.pricing import Price
from extractor.redact import one_line, redact_logs
from extractor.retrying import retry_after_seconds
from extractor.settings import Settings
from extractor.usage import Usage

# --- what can go wrong in a call -------------------------------------------------------------


class CallError(Exception):
    """A provider call failed; the message is already one redacted line."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        usage: Usage | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        #: seconds the provider asked us to wait before trying again, if it said
        self.retry_after = retry_after
        #: tokens spent by the calls that led here (instructor's re-asks before the failure)
        self.usage = usage or Usage()


class TransientError(CallError):
    """Another attempt may cure it: 408, 409, 429, 5xx, a timeout, a dropped connection."""


class CallTimeout(TransientError):
    """An attempt outlasted ``--timeout``."""


class OutputTruncated(CallError):
    """The model ran out of output tokens (finish_reason ``length``): its answer is not whole."""

    def __init__(self, message: str, *, usage: Usage | None = None, answers: Sequence[str] = ()):
        super().__init__(message, usage=usage)
        #: the raw text of every whole answer before the cut-off one, then the cut-off one
        self.answers = list(answers)


class ModeRefused(CallError):
    """The server does not support the structured-output mode asked for (``--mode``)."""


class AuthFailure(CallError):
    """The provider refused the setup (401, 403, 404): every article would fail the same way."""


class RequestRejected(CallError):
    """The provider refused this request (another 4xx, an unreadable answer): the article fails."""


def status_error(status: int) -> type[CallError]:
    """The class of an HTTP error status no SDK class more specific than "status error" covers."""
    if status in {408, 409, 429} or status >= 500:
        return TransientError
    if status in {401, 403, 404}:
        return AuthFailure
    return RequestRejected


class ReasksExhausted(Exception):
    """Every answer failed validation, the last re-ask included."""

    def __init__(
        self,
        message: str,
        *,
        usage: Usage,
        last_arguments: str | None,
        answers: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage
        #: the last answer's raw tool arguments (JSON text), to salvage or report
        self.last_arguments = last_arguments
        #: the raw text of every answer, re-asks included, in order (the best may not be the last)
        self.answers = list(answers) or ([last_arguments] if last_arguments else [])


@dataclass(slots=True)
class Answer:
    """A validated answer to one structured call and the tokens it spent, re-asks included."""

    parsed: BaseModel
    usage: Usage = field(default_factory=Usage)
    #: the raw text of every answer before the valid one (re-asked), to weigh against it
    earlier: list[str] = field(default_factory=list)


# --- the provider ----------------------------------------------------------------------------


class Provider(abc.ABC):
    """One model API: builds its client, makes one structured call, classifies its failures.

    Subclasses set the class attributes and implement :meth:`structured` and :attr:`error_map`;
    they are registered by prefix in :mod:`extractor.providers`.
    """

    #: The prefix of ``--model``: ``openai`` for ``openai/gpt-4o-mini``.
    name: ClassVar[str]
    #: The provider's own key variables, after the generic ``EXTRACTOR_API_KEY``.
    key_env_vars: ClassVar[tuple[str, ...]] = ()
    #: Whether a call needs a key (a local server given by --base-url may not).
    needs_key: ClassVar[bool] = True
    #: Loggers of the SDKs it uses that may log an error body (which can echo the key).
    loggers: ClassVar[tuple[str, ...]] = ("instructor", "instructor.v2.retry")
    #: Articles in progress per unit of ``--concurrency`` (see ``Backend.workers_per_slot``).
    workers_per_slot: ClassVar[int] = 4

    def __init__(self, model: str, settings: Settings) -> None:
        self.model = model
        self.model_name = model.partition("/")[2]
        self.settings = settings
        secret = settings.key_for(self.key_env_vars)
        self.api_key = secret.get_secret_value() if secret is not None else None
        redact_logs(self.loggers, self.secrets())
        if self.needs_key and self.api_key is None and not settings.base_url:
            raise ConfigError(
                f"model {model!r} needs an API key",
                hint=f"set {self.key_variables()} (or EXTRACTOR_API_KEY), or --base-url for a "
                "local server",
            )

    # --- configuration ------------------------------------------------------------------------

    @classmethod
    def key_variables(cls) -> str:
        """The provider's own key variables, for messages: ``OPENAI_API_KEY``."""
        return " or ".join(cls.key_env_vars) or "EXTRACTOR_API_KEY"

    @property
    def max_connections(self) -> int:
        """Requests in flight at once, and so the connection pool's size."""
        return self.settings.concurrency

    @classmethod
    def price_in(cls, model: str, prices: Mapping[str, Price]) -> Price | None:
        """``model``'s entry in the price table (keyed ``prefix/name``), if it has one."""
        return prices.get(model)

    def secrets(self) -> Sequence[str]:
        """Values that must never appear in a message, a log or a file."""
        return (self.api_key,) if self.api_key else ()

    def redact(self, text: str) -> str:
        """``text`` as one line with the configured key (and anything key-like) removed."""
        return one_line(text, self.secrets())

    # --- the call -----------------------------------------------------------------------------

    @abc.abstractmethod
    async def structured(
        self,
        messages: list[dict[str, str]],
        response_model: type[BaseModel],
        *,
        max_retries: int,
        params: Mapping[str, Any],
        on_call: Callable[[], None],
    ) -> Answer:
        """One structured call: the model fills ``response_model``; invalid answers are re-asked.

        ``on_call`` runs once per request sent (the first and every re-ask).

        Raises:
            CallError: the provider failed (translated with :meth:`translate`).
            ReasksExhausted: no answer passed validation within ``max_retries`` re-asks.
        """

    # --- what its failures mean ---------------------------------------------------------------

    #: The SDK's exception classes and ours, most specific first. A class mapped to None is an
    #: HTTP status error judged by its status (:func:`status_error`).
    error_map: ClassVar[tuple[tuple[type[BaseException], type[CallError] | None], ...]] = ()

    def classify(self, exc: BaseException) -> type[CallError] | None:
        """Which of our errors ``exc`` is, by the one table; None: not a provider failure."""
        if isinstance(exc, CallError):
            return type(exc)
        for theirs, ours in self.error_map:
            if isinstance(exc, theirs):
                return ours if ours is not None else status_error(self.status_of(exc) or 0)
        return None

    def translate(self, exc: BaseException, usage: Usage | None = None) -> CallError | None:
        """``exc`` as one of our errors, with a redacted message; None: not a provider failure."""
        if isinstance(exc, CallError):
            return exc
        kind = self.classify(exc)
        if kind is None:
            return None
        status = self.status_of(exc)
        return kind(
            self.redact(self.describe(exc)),
            status=status,
            retry_after=self.retry_after_of(exc),
            usage=usage,
        )

    def is_retryable(self, exc: BaseException) -> bool:
        """True for failures another attempt may cure."""
        kind = self.classify(exc)
        return kind is not None and issubclass(kind, TransientError)

    def is_auth_failure(self, exc: BaseException) -> bool:
        """True when the provider refused the key, the access or the model: stop the batch."""
        kind = self.classify(exc)
        return kind is not None and issubclass(kind, AuthFailure)

    def describe(self, exc: BaseException) -> str:
        """What an SDK exception says, for the one-line message (before redaction)."""
        return str(exc)

    def status_of(self, exc: BaseException) -> int | None:
        """The HTTP status of an SDK exception, if it has one."""
        status = getattr(exc, "status_code", None)
        return status if isinstance(status, int) else None

    def retry_after_of(self, exc: BaseException) -> float | None:
        """The wait the provider asked for in an SDK exception, if it said."""
        headers = getattr(getattr(exc, "response", None), "headers", None)
        return retry_after_seconds(headers)

    async def context_window(self) -> int | None:
        """The model's context window in tokens as the server reports it; None: it does not say."""
        return None

    async def aclose(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections; called once when the batch ends."""
