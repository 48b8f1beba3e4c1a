"""The words of the reason catalogue: per feature, what a person reads, in Chinese and English.

Data only; :mod:`creditcity.domain.reason_catalogue` explains the format and
renders it. Each entry gives a feature's stable code stem (letters only, so no
code can carry a number), the unit its value is shown in, a title, and a
wording per *direction* the reason may be given in:

- ``HI``: the value is high and a lower one would score more (late payments);
- ``LO``: the value is low and a higher one would score more (history length);
- ``NA``: nothing on file, phrased as what the person can do.

A direction with no wording is never given as a reason. That is how the
catalogue keeps its promise never to tell anyone to borrow more: new
obligations, card balances and card limits have no ``LO`` wording, and card
features no ``NA`` (the only remedy would be to take a card).

In a template ``{value}`` is the person's value, ``{target}`` the value of the
nearest better band, ``{points}`` what reaching it adds; ``{n|one|other}``
picks a word by the plural rule of the language for placeholder ``n``.
``advice_any`` replaces ``advice`` when any value of the better band will do
(it has no ``{target}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ENTRIES", "Direction", "Entry", "Unit", "Wording"]


class Unit(StrEnum):
    COUNT = "count"
    MONTHS = "months"
    YUAN = "yuan"
    SHARE = "share"  #: a ratio shown as a percentage
    PLAIN = "plain"  #: a feature the catalogue does not know (tabular mode)


class Direction(StrEnum):
    HIGH = "HI"  #: a lower value would score more
    LOW = "LO"  #: a higher value would score more
    MISSING = "NA"  #: nothing on file
    SPECIAL = "SP"  #: a declared special value (tabular mode)
    BAND = "CAT"  #: a band of categories (tabular mode)


@dataclass(frozen=True, slots=True)
class Wording:
    """One language's sentences for one feature and direction."""

    text: str
    advice: str
    advice_any: str | None = None


#: (Chinese, English)
Pair = tuple[Wording, Wording]


@dataclass(frozen=True, slots=True)
class Entry:
    """One feature of the catalogue."""

    feature: str
    stem: str
    unit: Unit
    title: tuple[str, str]  #: (Chinese, English)
    wordings: dict[Direction, Pair]
    #: for ``NA``: the direction whose bound names the target (LO: "at least", HI: "at most")
    missing_target: Direction | None = None

    @property
    def family(self) -> str:
        """The stem without its span: features saying the same over different spans share it.

        ``LATE_MILD_RECENT`` and ``LATE_MILD_EVER`` are one family, so a person
        is not given the same reason twice, once per span.
        """
        return re.sub(r"_(RECENT|EVER|HALF_YEAR|YEAR)$", "", self.stem)


_POINTS_EN = "{points} {points|point|points}"
_COUNT_HI_EN = "at most {target} would add " + _POINTS_EN


def _w(zh_text: str, zh_advice: str, en_text: str, en_advice: str) -> Pair:
    return Wording(zh_text, zh_advice), Wording(en_text, en_advice)


_SEVERITIES = (
    ("1_29", "MILD", "1–29天", "1–29 days"),
    ("30_59", "MODERATE", "30–59天", "30–59 days"),
    ("60_89", "SERIOUS", "60–89天", "60–89 days"),
    ("90_plus", "SEVERE", "90天以上", "90+ days"),
)


def _late(label: str, stem: str, days_zh: str, days: str, recent: bool) -> Entry:
    if recent:
        span_zh, span_en = "近12个月", "in the last 12 months"
        advice_zh = "今后按时还款：近12个月不超过{target}次可加{points}分"
        advice_en = (
            "Pay on time from now on: at most {target} in the last 12 months would add "
            + _POINTS_EN
        )
    else:
        span_zh, span_en = "档案中", "on file"
        advice_zh = "逾期记录五年后移除；不超过{target}次可加{points}分"
        advice_en = "Late payments leave the file after five years: " + _COUNT_HI_EN
    return Entry(
        f"late_{label}_days_{'12m' if recent else 'ever'}",
        f"LATE_{stem}_{'RECENT' if recent else 'EVER'}",
        Unit.COUNT,
        (f"{span_zh}逾期{days_zh}的还款", f"Payments {days} late {span_en}"),
        {
            Direction.HIGH: _w(
                f"{span_zh}有{{value}}次还款逾期{days_zh}",
                advice_zh,
                f"{{value}} {{value|payment|payments}} {days} late {span_en}",
                advice_en,
            )
        },
    )


def _on_time(recent: bool) -> Entry:
    span_zh, span_en = ("近12个月", "in the last 12 months") if recent else ("档案中", "on file")
    return Entry(
        f"on_time_obligations_{'12m' if recent else 'ever'}",
        f"ON_TIME_{'RECENT' if recent else 'EVER'}",
        Unit.COUNT,
        (f"{span_zh}按时履约次数", f"Obligations met on time {span_en}"),
        {
            Direction.LOW: _w(
                f"{span_zh}按时履约{{value}}次",
                "按时缴纳水电费、话费和房租等账单（经报送机构记录），达到至少{target}次可加{points}分",
                f"{{value}} {{value|obligation|obligations}} met on time {span_en}",
                "Keep paying utility and phone bills and rent on time through a reporting source: "
                "at least {target} "
                f"{span_en} would add " + _POINTS_EN,
            )
        },
    )


def _hi(
    feature: str, stem: str, title: tuple[str, str], zh: tuple[str, str], en: tuple[str, str]
) -> Entry:
    """A count of bad things: only ever a reason when it is high."""
    return Entry(feature, stem, Unit.COUNT, title, {Direction.HIGH: _w(*zh, *en)})


_EXPIRES_ZH = "记录到期后移除：不超过{target}项可加{points}分；如记录有误，可以提出异议"
_EXPIRES_EN = (
    "It leaves the file when it expires: at most {target} would add "
    + _POINTS_EN
    + "; if the record is wrong, dispute it"
)

ENTRIES: tuple[Entry, ...] = (
    _on_time(recent=True),
    _on_time(recent=False),
    *(_late(label, stem, days_zh, days, recent=True) for label, stem, days_zh, days in _SEVERITIES),
    *(
        _late(label, stem, days_zh, days, recent=False)
        for label, stem, days_zh, days in _SEVERITIES
    ),
    Entry(
        "months_since_last_delinquency",
        "DELINQUENCY_RECENT",
        Unit.MONTHS,
        ("距最近一次严重逾期的月数", "Months since the last serious late payment"),
        {
            Direction.LOW: _w(
                "最近一次严重逾期或违约在{value}个月前",
                "不再发生严重逾期，满{target}个月后可加{points}分",
                "The last serious late payment or default was {value} {value|month|months} ago",
                "With no new serious late payment, after {target} {target|month|months} "
                "the score rises by " + _POINTS_EN,
            )
        },
    ),
    _hi(
        "loan_defaults",
        "LOAN_DEFAULT",
        ("违约贷款", "Loans in default"),
        ("档案中有{value}笔贷款违约", "违约记录五年后移除；不超过{target}笔可加{points}分"),
        (
            "{value} {value|loan|loans} in default on file",
            "A default leaves the file after five years: " + _COUNT_HI_EN,
        ),
    ),
    Entry(
        "loan_defaults_settled",
        "DEFAULT_SETTLED",
        Unit.COUNT,
        ("已结清的违约贷款", "Defaulted loans settled"),
        {
            Direction.LOW: _w(
                "已结清违约贷款{value}笔",
                "结清违约贷款，达到至少{target}笔可加{points}分",
                "{value} defaulted {value|loan|loans} settled",
                "Settling defaulted loans (at least {target} settled) would add " + _POINTS_EN,
            )
        },
    ),
    _hi(
        "borrowings_returned_late",
        "RETURNED_LATE",
        ("逾期归还的借用物品", "Borrowed items returned late"),
        ("借用物品逾期归还{value}次", "按时归还借用物品：不超过{target}次可加{points}分"),
        (
            "{value} borrowed {value|item|items} returned late",
            "Return borrowed items on time: " + _COUNT_HI_EN,
        ),
    ),
    _hi(
        "borrowings_lost",
        "ITEM_LOST",
        ("丢失或未归还的借用物品", "Borrowed items lost or not returned"),
        ("借用物品丢失或未归还{value}次", "不超过{target}次可加{points}分"),
        (
            "{value} borrowed {value|item|items} lost or not returned",
            "Return what you borrow: " + _COUNT_HI_EN,
        ),
    ),
    _hi(
        "pay_later_overdue",
        "PAY_LATER_OVERDUE",
        ("逾期的先享后付账单", "Pay-later charges overdue"),
        ("先享后付逾期{value}笔", "按期支付先享后付账单：不超过{target}笔可加{points}分"),
        (
            "{value} pay-later {value|charge|charges} overdue",
            "Pay pay-later charges by their due date: " + _COUNT_HI_EN,
        ),
    ),
    Entry(
        "card_utilisation",
        "CARD_UTILISATION",
        Unit.SHARE,
        ("信用卡额度使用率", "Card balances over card limits"),
        {
            Direction.HIGH: _w(
                "信用卡已用额度占总额度的{value}",
                "把信用卡余额还到额度的{target}以内，可加{points}分",
                "Card balances are {value} of their limits",
                "Paying card balances down to at most {target} of the limits would add "
                + _POINTS_EN,
            )
        },
    ),
    Entry(
        "card_outstanding_total",
        "CARD_BALANCE",
        Unit.YUAN,
        ("信用卡欠款余额", "Outstanding card balances"),
        {
            Direction.HIGH: _w(
                "信用卡欠款余额{value}",
                "把信用卡余额还到{target}以内，可加{points}分",
                "{value} outstanding on cards",
                "Paying card balances down to at most {target} would add " + _POINTS_EN,
            )
        },
    ),
    # a higher limit means more credit: never a reason, in either direction
    Entry("card_limit_total", "CARD_LIMIT", Unit.YUAN, ("信用卡总额度", "Card limits"), {}),
    Entry(
        "investment_holdings_total",
        "HOLDINGS_SHARED",
        Unit.YUAN,
        ("共享的投资持仓（自愿）", "Investment holdings shared (voluntary)"),
        {
            Direction.LOW: _w(
                "共享的投资持仓为{value}",
                "共享的持仓超过{target}可加{points}分",
                "Investment holdings of {value} shared",
                "Shared holdings above {target} would add " + _POINTS_EN,
            ),
            Direction.MISSING: (
                Wording(
                    "未共享投资持仓（自愿）",
                    "自愿共享投资持仓（可随时撤回），持仓超过{target}可加{points}分",
                    "自愿共享投资持仓（可随时撤回）可加{points}分",
                ),
                Wording(
                    "No investment holdings shared (voluntary)",
                    "Sharing holdings above {target} (voluntary, withdraw any time) would add "
                    + _POINTS_EN,
                    "Sharing your holdings (voluntary, withdraw any time) would add " + _POINTS_EN,
                ),
            ),
        },
        missing_target=Direction.LOW,
    ),
    Entry(
        "monthly_spending_variation",
        "SPENDING_VARIATION",
        Unit.SHARE,
        ("共享的月度消费波动（自愿）", "Variation of shared monthly spending (voluntary)"),
        {
            Direction.HIGH: _w(
                "共享的月度消费波动为平均值的{value}",
                "月度消费波动在{target}以内可加{points}分",
                "Shared monthly spending varies by {value} of its average",
                "Monthly spending varying by at most {target} would add " + _POINTS_EN,
            ),
            Direction.MISSING: (
                Wording(
                    "未共享月度消费总额（自愿）",
                    "自愿共享月度消费总额（可随时撤回），波动在{target}以内可加{points}分",
                    "自愿共享月度消费总额（可随时撤回）可加{points}分",
                ),
                Wording(
                    "No monthly spending totals shared (voluntary)",
                    "Sharing spending totals (voluntary, withdraw any time) that vary by at "
                    "most {target} would add " + _POINTS_EN,
                    "Sharing monthly spending totals (voluntary, withdraw any time) would add "
                    + _POINTS_EN,
                ),
            ),
        },
        missing_target=Direction.HIGH,
    ),
    Entry(
        "history_length_months",
        "HISTORY_LENGTH",
        Unit.MONTHS,
        ("信用历史长度", "Length of credit history"),
        {
            Direction.LOW: _w(
                "信用历史{value}个月",
                "信用历史随时间增长：满{target}个月可加{points}分",
                "A history of {value} {value|month|months}",
                "Your history grows by itself: at {target} {target|month|months} it adds "
                + _POINTS_EN,
            ),
            Direction.MISSING: (
                Wording(
                    "档案中还没有记录",
                    "按时缴纳水电费或房租（经报送机构）即可开始积累信用历史，满{target}个月可加{points}分",
                    "按时缴纳水电费或房租（经报送机构）即可开始积累信用历史，可加{points}分",
                ),
                Wording(
                    "No record on file yet",
                    "A bill or rent paid on time through a reporting source starts your "
                    "history; at {target} {target|month|months} it adds " + _POINTS_EN,
                    "A bill or rent paid on time through a reporting source starts your "
                    "history and adds " + _POINTS_EN,
                ),
            ),
        },
        missing_target=Direction.LOW,
    ),
    *(
        _hi(
            f"new_obligations_{span}",
            f"NEW_OBLIGATIONS_{stem}",
            (f"近{zh}新增负债", f"New obligations in the last {en}"),
            (f"近{zh}新增负债{{value}}笔", f"少借新债：{zh}内不超过{{target}}笔可加{{points}}分"),
            (
                f"{{value}} new {{value|obligation|obligations}} in the last {en}",
                f"Fewer new loans and borrowings: at most {{target}} in {en} would add "
                + _POINTS_EN,
            ),
        )
        for span, stem, zh, en in (
            ("6m", "HALF_YEAR", "6个月", "6 months"),
            ("12m", "YEAR", "12个月", "12 months"),
        )
    ),
    _hi(
        "traffic_fines_unpaid",
        "FINE_UNPAID",
        ("未缴的交通罚款", "Unpaid traffic fines"),
        ("未缴交通罚款{value}笔", "缴清逾期罚款，未缴不超过{target}笔可加{points}分"),
        (
            "{value} unpaid traffic {value|fine|fines}",
            "Paying overdue fines, leaving at most {target} unpaid, would add " + _POINTS_EN,
        ),
    ),
    _hi(
        "tax_arrears_unpaid",
        "TAX_ARREARS",
        ("欠缴的税款", "Unpaid tax arrears"),
        ("欠缴税款{value}笔", "补缴欠税，未缴不超过{target}笔可加{points}分"),
        (
            "{value} unpaid tax {value|bill|bills} in arrears",
            "Paying tax arrears, leaving at most {target} unpaid, would add " + _POINTS_EN,
        ),
    ),
    _hi(
        "court_judgments_active",
        "JUDGMENT_UNPAID",
        ("未履行的法院判决", "Unpaid court judgments"),
        ("未履行的法院判决{value}件", "履行法院判决，未履行不超过{target}件可加{points}分"),
        (
            "{value} unpaid court {value|judgment|judgments}",
            "Paying court judgments, leaving at most {target} unpaid, would add " + _POINTS_EN,
        ),
    ),
    Entry(
        "court_judgments_satisfied",
        "JUDGMENT_SATISFIED",
        Unit.COUNT,
        ("已履行的法院判决", "Court judgments satisfied"),
        {
            Direction.LOW: _w(
                "已履行的法院判决{value}件",
                "履行法院判决，达到至少{target}件可加{points}分",
                "{value} court {value|judgment|judgments} satisfied",
                "Satisfying court judgments (at least {target} satisfied) would add " + _POINTS_EN,
            )
        },
    ),
    _hi(
        "proven_fraud_count",
        "FRAUD",
        ("经法院认定的欺诈", "Frauds proven by a court"),
        (
            "档案中有{value}项经法院认定的欺诈",
            _EXPIRES_ZH,
        ),
        (
            "{value} proven {value|fraud|frauds} on file",
            _EXPIRES_EN,
        ),
    ),
    _hi(
        "credential_fraud_count",
        "CREDENTIAL_FRAUD",
        ("学历或资格造假", "Fraudulent credentials"),
        (
            "档案中有{value}项学历或资格造假",
            _EXPIRES_ZH,
        ),
        (
            "{value} fraudulent {value|credential|credentials} on file",
            _EXPIRES_EN,
        ),
    ),
    _hi(
        "licence_disciplinary_count",
        "LICENCE_DISCIPLINARY",
        ("执业纪律处分", "Licence disciplinary decisions"),
        ("执业纪律处分{value}项", _EXPIRES_ZH),
        (
            "{value} licence disciplinary {value|decision|decisions}",
            _EXPIRES_EN,
        ),
    ),
)
