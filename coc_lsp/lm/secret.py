"""The API key: a value that never shows itself, and the scrubber for text that may echo it.

`Secret` hides its value from repr(), str() and f-strings. `Secret.scrub(text)` blanks the key out
of text that came from outside (an endpoint may echo the key in an error, a refusal, a header or
an answer), and also any run of MIN_PREFIX or more of its first characters, because an endpoint
may cut its own text short in the middle of the key. Scrub before truncating: a cut made here
could leave a prefix that no longer matches the whole key.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MIN_PREFIX = 8
MASK = "***"


class Secret:
    """A string that does not show itself; `scrub` removes it from other text."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__

    def scrub(self, text: str) -> str:
        """`text` with the secret, and any prefix of it of MIN_PREFIX characters or more, masked.
        A secret shorter than MIN_PREFIX is masked only where it appears whole."""
        key = self._value
        if not key:
            return text
        head = key[:MIN_PREFIX]
        pieces: list[str] = []
        start = 0
        while (found := text.find(head, start)) != -1:
            end = found + len(head)
            while end < len(text) and end - found < len(key) and text[end] == key[end - found]:
                end += 1
            pieces += [text[start:found], MASK]
            start = end
        return "".join(pieces) + text[start:]


def split_url(url: str) -> tuple[str, list[str]]:
    """`url` as it may be shown, and the secrets it carried: credentials in it
    (`https://user:KEY@host`) and the values of its query (`?api-key=KEY`) are masked, since an
    endpoint's URL is printed in summaries, traces, cache identities and error messages."""
    parts = urlsplit(url)
    secrets: list[str] = []
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, netloc = netloc.rsplit("@", 1)
        secrets += [userinfo, userinfo.partition(":")[2]]  # a password, or a token alone
        netloc = f"{MASK}@{netloc}"
    query = parse_qsl(parts.query, keep_blank_values=True)
    secrets += [value for _, value in query if value]
    shown_query = urlencode([(name, MASK if value else value) for name, value in query], safe="*")
    shown = urlunsplit((parts.scheme, netloc, parts.path, shown_query, parts.fragment))
    return shown, sorted({secret for secret in secrets if secret}, key=len, reverse=True)
