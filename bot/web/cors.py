"""Which web pages may call the widget's endpoints: the same origin always, others only when listed in
``SHOUZI_WEB_ORIGINS``; everything else is refused before any work is done.

CORS is what a browser enforces; the signed session is what protects a conversation. The allow-list
keeps other sites from embedding the district's assistant (and spending its capacity) in their pages.

The widget sends only "simple" requests (POST with a ``text/plain`` JSON body, the token inside it), so
browsers never need a preflight: the server reads ``Origin`` on every request and refuses unlisted
origins with 403 before any work, and answers listed ones with ``Access-Control-Allow-Origin``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(raw: str) -> str:
    """``scheme://host[:port]`` in lower case without a default port or path; ValueError otherwise."""
    text = raw.strip().lower().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path or parts.query or parts.fragment:
        raise ValueError(f"not a web origin (scheme://host[:port]): {raw!r}")
    if parts.username or parts.password:
        raise ValueError(f"a web origin carries no user name or password: {raw!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in web origin {raw!r}") from exc
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if port is None or port == DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def parse_origins(raw: str | None) -> frozenset[str]:
    """The allow-list from ``SHOUZI_WEB_ORIGINS`` (comma- or space-separated origins)."""
    if not raw:
        return frozenset()
    items = [p for chunk in raw.split(",") for p in chunk.split()]
    bad = []
    out = set()
    for item in items:
        try:
            out.add(normalise_origin(item))
        except ValueError as exc:
            bad.append(str(exc))
    if bad:
        raise ValueError("SHOUZI_WEB_ORIGINS: " + "; ".join(bad))
    return frozenset(out)


def same_origin(origin: str, host: str | None) -> bool:
    """Whether ``origin`` names the server the request reached (its ``Host`` header)."""
    if not host:
        return False
    try:
        mine = normalise_origin(origin)
    except ValueError:
        return False
    scheme = mine.split("://", 1)[0]
    try:
        theirs = normalise_origin(f"{scheme}://{host.strip()}")
    except ValueError:
        return False
    return mine == theirs


@dataclass(frozen=True)
class CorsDecision:
    allowed: bool
    headers: dict[str, str] = field(default_factory=dict)


def decide(origin: str | None, host: str | None, allowed: Iterable[str]) -> CorsDecision:
    """Allow requests without ``Origin`` (not a cross-site browser call), from the same origin, and from
    listed origins (with the headers a browser needs to let the page read the answer); refuse the rest,
    including the opaque ``null`` origin of sandboxed frames and local files."""
    if origin is None:
        return CorsDecision(True)
    if origin.strip().lower() == "null":
        return CorsDecision(False)
    if same_origin(origin, host):
        return CorsDecision(True)
    try:
        key = normalise_origin(origin)
    except ValueError:
        return CorsDecision(False)
    if key not in set(allowed):
        return CorsDecision(False)
    return CorsDecision(True, {"Access-Control-Allow-Origin": origin.strip(), "Vary": "Origin"})
