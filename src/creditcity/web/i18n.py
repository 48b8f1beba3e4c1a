"""The reader's language: gettext catalogues, local dates, yuan and percentages.

Message ids are English (the templates read as English); the Chinese
catalogue is ``locale/zh_CN/LC_MESSAGES/messages.po``. It is compiled in
memory the first time a page is rendered, so a fresh clone needs no build
step and no ``.mo`` file can fall out of date with its ``.po``. Update the
catalogue after changing strings with::

    pybabel extract -F src/creditcity/web/babel.cfg -o /tmp/portal.pot src/creditcity/web
    pybabel update -i /tmp/portal.pot -d src/creditcity/web/locale -l zh_CN

and fill in every empty ``msgstr`` (a test fails while one is empty).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from markupsafe import Markup, escape

from creditcity.web import words

__all__ = ["DEFAULT_LANG", "LANGS", "Speaker", "catalogue_path", "speaker", "translations"]

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LOCALES = {"zh": "zh_CN", "en": "en"}
#: the city's clock: times are shown as people there read them
ZONE = ZoneInfo("Asia/Shanghai")
DATETIME_PATTERNS = {"zh": "y年M月d日 HH:mm", "en": "d MMM y, HH:mm"}


def catalogue_path() -> Any:
    """The Chinese catalogue (a Traversable inside the installed package)."""
    return files("creditcity.web") / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang``; English needs none (the ids are English)."""
    if lang != "zh":
        return NullTranslations()
    with catalogue_path().open("rb") as source:
        catalog = read_po(source, locale="zh_CN")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


class Speaker:
    """Everything a page says, in one language: messages, ids in words, dates, money."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self.locale = Locale.parse(LOCALES[self.lang])
        self.locale_tag = "zh-CN" if self.lang == "zh" else "en"
        self._t = translations(self.lang)

    def gettext(self, message: str, **values: Any) -> str:
        text = self._t.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        text = self._t.ngettext(singular, plural, n)
        return text % {"num": n, **values}

    def word(self, table: str, key: str | None) -> str:
        """An id in words (``word('KINDS', 'pay_later_paid')``); an unknown id as written."""
        if key is None:
            return "—"
        found = getattr(words, table).get(key)
        return self.gettext(found) if found else key

    def source(self, source: str | None) -> str:
        """``bank:west-lake`` as the organisation's kind in words (the id part is a name)."""
        if not source:
            return "—"
        role, _, _name = source.partition(":")
        return self.word("SOURCE_ROLES", role)

    def purpose(self, purpose: str | None, action: str | None) -> str:
        """Why someone looked, in words: a known purpose, else what they did."""
        found = words.PURPOSES.get(purpose or "")
        return self.gettext(found) if found else self.word("ACTIONS", action)

    def decision_reason(self, code: str) -> str:
        """A decision's reason code in words (a score reason by its dimension)."""
        found = words.DECISION_CODES.get(code) or words.DECISION_CODES.get(code.split("-", 1)[0])
        return self.gettext(found) if found else self.gettext(words.DECISION_CODES["GN"])

    def who(self, actor: str | None, me: str | None = None) -> str:
        """Who read or wrote: you, the credit office, or an organisation by its kind."""
        if actor is None:
            return "—"
        if me is not None and actor.endswith(me):
            return self.word("SOURCE_ROLES", "resident")
        return self.source(actor)

    # before date(): inside the class, 'date' below it names the method
    def month(self, value: date | datetime | str | None) -> str:
        """A calendar month as people write it: 2026年6月, June 2026."""
        day = _as_date(value)
        return "—" if day is None else format_skeleton("yMMMM", day, locale=self.locale)

    def date(self, value: date | datetime | str | None) -> str:
        """A calendar day as people write it: 2026年6月30日, June 30, 2026."""
        day = _as_date(value)
        return "—" if day is None else format_date(day, format="long", locale=self.locale)

    def datetime(self, value: datetime | str | None) -> str:
        """A moment in the city's time: 2026年6月30日 14:05, 30 Jun 2026, 14:05."""
        moment = _as_datetime(value)
        if moment is None:
            return "—"
        pattern = DATETIME_PATTERNS[self.lang]
        return format_datetime(moment, format=pattern, tzinfo=ZONE, locale=self.locale)

    def money(self, value: object) -> Markup:
        """Yuan: ¥1,300 or ¥40.30, never broken across lines."""
        if _as_decimal(value) is None:
            return Markup("—")
        return Markup('<span class="num">{}</span>').format(escape(self.money_text(value)))

    def money_text(self, value: object) -> str:
        """:meth:`money` as plain text, for a chart's labels (SVG holds no HTML)."""
        amount = _as_decimal(value)
        if amount is None:
            return "—"
        pattern = "#,##0" if amount == amount.to_integral_value() else "#,##0.00"
        return "¥" + format_decimal(amount, format=pattern, locale=self.locale)

    def number(self, value: object) -> Markup:
        amount = _as_decimal(value)
        if amount is None:
            return Markup("—")
        text = format_decimal(amount, locale=self.locale)
        return Markup('<span class="num">{}</span>').format(escape(text))

    def percent(self, share: float | None, digits: int = 0) -> Markup:
        """A share (0.13) as a percentage (13%)."""
        if share is None:
            return Markup("—")
        pattern = "#,##0%" if digits == 0 else "#,##0." + "0" * digits + "%"
        text = format_percent(share, format=pattern, locale=self.locale)
        return Markup('<span class="num">{}</span>').format(escape(text))


@cache
def speaker(lang: str) -> Speaker:
    return Speaker(lang)


def _as_date(value: date | datetime | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_datetime(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    # the ledger stores UTC without a zone
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


def _as_decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
