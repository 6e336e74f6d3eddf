"""What the CLI prints of a server's text: never a control character a terminal would obey.

A `msg` can carry escape sequences (retitle the window, erase and rewrite a line) or a newline
that forges a line of our own output; every character that is not printable (`str.isprintable`:
controls, format characters such as bidi overrides, separators other than the space) is shown
as its Python escape instead.
"""

from __future__ import annotations


def printable(value: object) -> str:
    """`str(value)` with each non-printable character written as its Python escape (`\\n`,
    `\\x1b`, `\\u202e`, ...)."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )
