"""The password page: one small, self-contained HTML document, in the citizen's language.

`password.html` is a template; its CSS and JavaScript (`password.css`,
`password.js`) are inlined in tags carrying the response's CSP nonce, so
the page needs no other request than Telegram's optional script and its
own POST. Every word the citizen reads comes from `PAGE_TEXTS`, translated
by the caller: the labels go into the HTML (escaped), and what the script
shows later goes into a JSON block (`#strings`) that it reads.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path

from conversations.fields.password import MAX_LENGTH, MIN_LENGTH
from conversations.text import Text, _

_HERE = Path(__file__).resolve().parent
_PLACEHOLDER = re.compile(r"\{\{(\w+)(?::(\w+))?\}\}")
# What the script shows after load; the rest is written into the HTML.
_SCRIPT_TEXTS = ("rule_met", "rule_unmet", "rules_unmet", "problems_heading", "submit", "sending", "network_error",
                 "server_error", "pairing_heading", "waiting")

PAGE_TEXTS: dict[str, Text] = {
    "title": _("Set your portal password"),
    "intro": _("Choose the password for your account on the National Public Service Portal (dichvucong.gov.vn). "
               "It goes straight to the portal and is never stored by this bot."),
    "password_label": _("Password"),
    "confirmation_label": _("Type the password again"),
    "show": _("Show password"),
    "rules_heading": _("Password requirements:"),
    "rule_length": _("{min} to {max} characters", min=MIN_LENGTH, max=MAX_LENGTH),
    "rule_lower": _("a lower-case letter (a–z)"),
    "rule_upper": _("an upper-case letter (A–Z)"),
    "rule_digit": _("a digit (0–9)"),
    "rule_special": _("a special character such as ! @ # $ %"),
    "rule_match": _("both passwords match"),
    "rule_met": _("done:"),
    "rule_unmet": _("still needed:"),
    "rules_unmet": _("Your password does not meet all the requirements yet: see the list above."),
    "problems_heading": _("Please fix this:"),
    "pairing_heading": _("Your code:"),
    "waiting": _("Waiting for the code in the chat…"),
    "submit": _("Register"),
    "sending": _("Sending…"),
    "network_error": _("Could not reach the server. Check your connection and try again."),
    "server_error": _("Something went wrong. Please try again in a moment."),
    "no_script_hint": _("This form needs JavaScript. Please open it from the chat with the bot in Telegram."),
}


@cache
def _assets() -> tuple[str, str, str]:
    """The template, its stylesheet and its script, read on first use."""
    page, style, script = ((_HERE / name).read_text(encoding="utf-8")
                           for name in ("password.html", "password.css", "password.js"))
    style, script = _compact(style), _compact(script)
    if "</style" in style.lower() or "</script" in script.lower() or "<!--" in script:
        raise ValueError("password.css/password.js must not close their own inline tag")
    return page, style, script


def _compact(source: str) -> str:
    """Drop indentation, blank lines and whole-line `//` comments: a few hundred bytes on a slow network."""
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def _json_for_script(texts: dict[str, str]) -> str:
    """JSON that cannot end its `<script>` element or open a comment inside it."""
    encoded = json.dumps(texts, ensure_ascii=False, sort_keys=True)
    return encoded.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render_password_page(texts: dict[str, str], language: str, csp_nonce: str) -> str:
    """The full page: `texts` holds every key of `PAGE_TEXTS`, already in `language`."""
    missing = PAGE_TEXTS.keys() - texts.keys()
    if missing:
        raise KeyError(f"password page texts missing: {sorted(missing)}")
    page, style, script = _assets()
    values = {
        "lang": html.escape(language),
        "nonce": html.escape(csp_nonce),
        "style": style,
        "script": script,
        "strings": _json_for_script({name: texts[name] for name in _SCRIPT_TEXTS}),
        "min": str(MIN_LENGTH),
        "max": str(MAX_LENGTH),
    }

    def fill(match: re.Match[str]) -> str:
        kind, key = match.group(1), match.group(2)
        if kind == "t" and key is not None:
            return html.escape(texts[key])
        return values[kind]

    return _PLACEHOLDER.sub(fill, page)
