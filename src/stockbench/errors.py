"""The one exception tree of stockbench.

::

    StockbenchError
    ├── FetchError          .url, .status (None when no HTTP response arrived)
    │   └── FetchTimeout    connect or read timed out after the configured retries
    ├── ParseError          .source, .field: bytes that are not what they claim to be
    ├── ConfigError         .setting: a setting, option or environment variable is unusable
    └── FleetError          .code (AWS's error code, or None), .action: a fleet step on AWS failed

Foreign exceptions (``requests``, ``urllib3``, ``json``, ``UnicodeDecodeError``,
botocore's) are translated into these at exactly one boundary each (``net.fetch`` for
the network, the parser modules for content, ``fleet.aws.call`` for AWS), always with
``raise ... from exc``, through a table of what each foreign class means
(``ForeignErrors``, read by ``parse_error``; ``fleet.aws`` has AWS's codes). Programming
mistakes stay ``TypeError``/``ValueError``.

Messages stay short whatever the input: a value quoted from a document or a URL goes
through ``clip`` first, so one hostile answer cannot turn a reason into a dump.
"""

from __future__ import annotations

from collections.abc import Mapping

# Foreign exception class -> what it means, in the user's words; the first class that
# matches wins, so list subclasses before their bases.
ForeignErrors = Mapping[type[BaseException], str]

CLIP_CHARS = 80


def clip(text: object, limit: int = CLIP_CHARS) -> str:
    """``text`` as a string of at most ``limit`` characters (an ellipsis marks a cut)."""
    s = str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


class StockbenchError(Exception):
    """Base of every error stockbench raises on purpose."""


class FetchError(StockbenchError):
    """A request failed: no response, or a response with an error status."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class FetchTimeout(FetchError):
    """The server did not answer within the timeout, retries included."""


class ParseError(StockbenchError):
    """Content could not be parsed; names the source and the field that failed."""

    def __init__(self, message: str, *, source: str, field: str | None = None) -> None:
        where = f"{source}: {field}: " if field else f"{source}: "
        super().__init__(where + message)
        self.source = source
        self.field = field


class ConfigError(StockbenchError):
    """A configuration value (option, environment variable, file) is unusable.

    ``setting`` names the value the way the library calls it (``limit``, ``prices``);
    the command line maps it to its own flag (``--limit``), so library messages never
    speak of flags.
    """

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(f"{setting}: {message}" if setting else message)
        self.message = message
        self.setting = setting


def parse_error(
    exc: BaseException, table: ForeignErrors, *, source: str, field: str | None = None
) -> ParseError:
    """The ``ParseError`` a foreign ``exc`` stands for, looked up in ``table``."""
    for kind, meaning in table.items():
        if isinstance(exc, kind):
            return ParseError(f"{meaning} ({clip(exc)})", source=source, field=field)
    raise TypeError(f"{type(exc).__name__} is not in the table") from exc


class FleetError(StockbenchError):
    """A step of ``stockbench fleet`` on AWS failed; ``code`` is AWS's error code if any."""

    def __init__(self, message: str, *, action: str, code: str | None = None) -> None:
        super().__init__(message)
        self.action = action
        self.code = code
