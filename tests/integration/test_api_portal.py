"""The portal over HTTP: both languages, signing in, the resident's and operator's pages,
forms guarded by a token (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.support.api import KEYS, NATIONAL_ID, RESIDENT, Api, give_score, running_api
from tests.support.latin import latin_words


@pytest.fixture
def api(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[Api]:
    with running_api(db_url, engine, tmp_path) as running:
        yield running


def sign_in(api: Api, role: str) -> None:
    token = csrf(api.client.get("/sign-in").text)
    answer = api.client.post(
        "/sign-in", data={"key": KEYS[role], "csrf": token}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "the form carries no token"
    return found.group(1)


@pytest.mark.parametrize("path", ["/", "/scorecard", "/policy", "/sign-in"])
def test_public_pages_speak_chinese_and_english(api: Api, path: str) -> None:
    chinese = api.client.get(f"{path}?lang=zh")
    assert chinese.status_code == 200 and 'lang="zh-CN"' in chinese.text
    assert "城市信用" in chinese.text
    english = api.client.get(f"{path}?lang=en")
    assert 'lang="en"' in english.text and "CreditCity" in english.text
    # the choice sticks without the parameter
    assert 'lang="en"' in api.client.get(path).text


def test_the_policy_page_shows_what_each_tier_unlocks(api: Api) -> None:
    page = api.client.get("/policy?lang=en").text
    assert "Excellent" in page and "700–950" in page and "¥2,600" in page
    assert "Appeal" in page


def test_the_policy_page_says_the_policy_files_own_words_in_the_readers_language(
    api: Api,
) -> None:
    english = api.client.get("/policy?lang=en").text
    chinese = api.client.get("/policy?lang=zh").text
    # a tier, a service and a restriction rule, each in its own language only
    assert "Part of a rental deposit and the agency fee" in english
    assert "免部分租房押金，并免中介费" in chinese and "agency fee" not in chinese
    assert "Ride first, pay later on buses and metro" in english
    assert "公交地铁先乘车、后付费" in chinese and "公交地铁" not in english
    assert "A court found the person committed fraud" in english
    assert "经法院认定有欺诈行为" in chinese
    # the appeal route too, worded for people: no command line in either language
    assert "向作出判决的法院上诉" in chinese and "Appeal to the issuing court" in english
    assert "creditcity dispute" not in english + chinese and latin_words(chinese) == []


def test_signing_in_with_a_resident_key_shows_my_score_and_its_dimension_chart(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    sign_in(api, "resident")
    page = api.client.get("/me?lang=zh").text
    assert 'data-score="720"' in page
    dimensions = page[page.index('id="dimensions"') :]
    chart = dimensions[dimensions.index("<svg") : dimensions.index("</svg>")]
    assert chart.count('class="bar ') == 5
    assert "还款与履约" in chart and "信用历史长度" in chart
    reasons = page[page.index('id="reasons-h"') :]
    assert "信用历史长度" in reasons and "最多可再得 31 分" in reasons


def test_a_wrong_key_cannot_sign_in(api: Api) -> None:
    token = csrf(api.client.get("/sign-in").text)
    wrong = api.client.post("/sign-in", data={"key": "nope-nope-nope-nope", "csrf": token})
    assert wrong.status_code == 401
    assert "cc_session" not in api.client.cookies


def test_resident_pages_need_a_signed_in_resident(api: Api) -> None:
    answer = api.client.get("/me", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")
    sign_in(api, "resident")
    assert api.client.get("/operator").status_code == 403
    api.client.cookies.clear()
    api.client.cookies.set("cc_session", "forged.0000")
    assert api.client.get("/me", follow_redirects=False).status_code == 303


def test_a_form_without_the_session_token_is_refused(api: Api) -> None:
    api.post("/v1/records", "bank", [_record("r-1")])
    sign_in(api, "resident")
    refused = api.client.post("/me/dispute", data={"entry": "1", "statement": "paid"})
    assert refused.status_code == 403


def _record(key: str) -> dict[str, object]:
    return {
        "idempotency_key": key,
        "national_id": NATIONAL_ID,
        "kind": "utility_bill",
        "occurred_at": "2026-02-01",
        "ref": "bill-9",
        "amount": 88,
        "days_late": 40,
    }


def test_a_resident_disputes_a_record_inline_from_their_file_and_the_page_says_so(
    api: Api,
) -> None:
    sign_in(api, "resident")
    give_score(api.engine, RESIDENT, 610)
    api.post("/v1/records", "bank", [dict(_record("l-1"), kind="loan_instalment_paid")])
    page = api.client.get("/me/file?lang=en").text
    entry = re.search(r'name="entry" value="(\d+)"', page)
    assert entry and "credit you took" in page and "Loan instalment paid" in page
    opened = api.client.post(
        "/me/dispute?lang=en",
        data={"entry": entry.group(1), "statement": "paid", "csrf": csrf(page)},
        follow_redirects=False,
    )
    assert opened.status_code == 303 and "/me/file" in opened.headers["location"]
    after = api.client.get(opened.headers["location"]).text
    assert "Dispute opened" in after and "being looked at" in after and "Excluded" in after


def test_a_refused_dispute_is_shown_next_to_its_record_keeping_what_was_typed(api: Api) -> None:
    sign_in(api, "resident")
    give_score(api.engine, RESIDENT, 610)
    api.post("/v1/records", "bank", [dict(_record("l-1"), kind="loan_instalment_paid")])
    page = api.client.get("/me/file?lang=zh").text
    entry = re.search(r'name="entry" value="(\d+)"', page)
    assert entry
    typed = "x" * 4001  # longer than a statement may be
    refused = api.client.post(
        "/me/dispute?lang=zh",
        data={"entry": entry.group(1), "statement": typed, "csrf": csrf(page)},
    )
    assert refused.status_code == 422
    assert typed in refused.text and 'role="alert"' in refused.text
    assert 'href="/me/file?lang=en"' in refused.text  # the language switch goes to a GET page


def test_consents_and_certificates_from_the_portal(api: Api) -> None:
    give_score(api.engine, RESIDENT, 700)
    sign_in(api, "resident")
    token = csrf(api.client.get("/me/consents").text)
    page = api.client.post(
        "/me/consents?lang=en",
        data={"source": "card_issuer:unionpay", "action": "grant", "csrf": token},
        follow_redirects=False,
    )
    assert page.status_code == 303 and page.headers["location"].startswith("/me/consents")
    switch = re.search(
        r'aria-checked="(\w+)"[^>]*data-source="card_issuer:unionpay"',
        api.client.get("/me/consents?lang=en").text,
    )
    assert switch and switch.group(1) == "true"
    bad = api.client.post(
        "/me/consents?lang=en", data={"source": "court:x", "action": "grant", "csrf": token}
    )
    assert bad.status_code == 422 and "Source" in bad.text


def test_the_operator_dashboard_draws_the_figures_and_resolves_disputes(
    api: Api, tmp_path: Path
) -> None:
    give_score(api.engine, RESIDENT, 720)
    api.post(
        "/v1/decisions",
        "provider",
        {"subject": RESIDENT, "service": "bike_deposit", "amount": 99, "purpose": "ride"},
    )
    api.post("/v1/records", "bank", [dict(_record("l-1"), kind="loan_instalment_paid")])
    entry = api.get("/v1/me/report", "resident").json()["records"][-1]["entry_id"]
    api.post("/v1/me/disputes", "resident", {"entry_id": entry, "statement": "not mine"})
    sign_in(api, "operator")
    page = api.client.get("/operator?lang=en").text
    assert page.count("<svg") >= 3 and "¥99" in page and "not mine" in page
    queue = page[page.index('id="disputes"') :]
    assert "Days left to answer: " in queue and "bank:" in queue  # the record's source
    assert RESIDENT[:14] in queue and "waiting for an answer" in queue
    dispute_id = re.search(r'action="/operator/disputes/(\d+)', page)
    assert dispute_id
    done = api.client.post(
        f"/operator/disputes/{dispute_id.group(1)}?lang=en",
        data={"outcome": "reject", "note": "the bank has proof", "csrf": csrf(page)},
    )
    assert done.status_code == 200 and "rejected" in done.text
    groups = f"national_id,group\n{NATIONAL_ID},north\n".encode()
    fair = api.client.post(
        "/operator/fairness?lang=en",
        data={"attribute": "group", "csrf": csrf(page)},
        files={"groups": ("groups.csv", groups, "text/csv")},
    )
    assert fair.status_code == 200 and "north" in fair.text
    assert "Eligibility under the policy" in fair.text  # every labelled resident, not decisions


def test_the_fairness_form_takes_an_upload_and_never_reads_a_server_path(
    api: Api, tmp_path: Path
) -> None:
    on_server = tmp_path / "groups.csv"
    on_server.write_text(f"national_id,group\n{NATIONAL_ID},north\n", encoding="utf-8")
    sign_in(api, "operator")
    page = api.client.get("/operator?lang=en").text
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page
    for path in (str(on_server), "/etc/passwd", "/nonexistent"):  # the same answer for each
        probe = api.client.post(
            "/operator/fairness?lang=en",
            data={"path": path, "attribute": "group", "csrf": csrf(page)},
            files={"other": ("x.txt", b"x", "text/plain")},
        )
        assert probe.status_code == 422 and "Choose a file" in probe.text
        assert "north" not in probe.text and path not in probe.text


def test_chinese_pages_hold_no_latin_words_beyond_the_allow_list(api: Api) -> None:
    give_score(api.engine, RESIDENT, 610)
    api.post("/v1/records", "bank", [dict(_record("l-1"), kind="loan_instalment_paid")])
    sign_in(api, "resident")
    found = {
        path: latin_words(api.client.get(f"{path}?lang=zh").text)
        for path in ("/", "/sign-in", "/policy", "/me", "/me/file", "/me/consents", "/me/report")
    }
    assert found == {path: [] for path in found}


def test_the_full_report_has_the_site_header_and_one_language_a_page(
    api: Api, tmp_path: Path
) -> None:
    give_score(api.engine, RESIDENT, 700)
    _judgment(api, tmp_path, "J-79", "2026-03-01")
    sign_in(api, "resident")
    chinese = api.client.get("/me/report?lang=zh").text
    assert 'lang="zh-CN"' in chinese and 'class="skip"' in chinese
    assert "<nav" in chinese and 'href="/me/file?lang=zh"' in chinese
    assert '<main id="main"' in chinese and "/static/print.css" in chinese
    assert "个人信用报告" in chinese and "法院判决的款项尚未支付" in chinese
    assert "在“我的档案”页对该记录提出异议" in chinese
    assert latin_words(chinese) == [] and RESIDENT not in chinese
    english = api.client.get("/me/report?lang=en").text
    assert 'lang="en"' in english and "My credit file report" in english
    assert "dispute the record on your file page" in english
    assert "个人信用报告" not in english and "creditcity dispute" not in english
    assert "court_judgment" not in english and "Court judgment to pay" in english


def test_a_certificate_comes_with_a_qr_code_and_a_link_that_verify_accepts_until_revoked(
    api: Api,
) -> None:
    give_score(api.engine, RESIDENT, 700)
    sign_in(api, "resident")
    form = api.client.get("/me/certificate?lang=en").text
    issued = api.client.post(
        "/me/certificate?lang=en", data={"days": "7", "csrf": csrf(form)}, follow_redirects=False
    )
    assert issued.status_code == 303
    page = api.client.get(issued.headers["location"]).text
    assert '<svg role="img" aria-label="QR code of the certificate link"' in page
    link = re.search(r'href="(http://[^"]+/verify\?lang=en#([^"]+))"', page)
    assert link, "no link to /verify with the token in the fragment"
    token = link.group(2)
    api.client.cookies.clear()  # a landlord has no account
    valid = api.client.post("/verify?lang=en", data={"token": token})
    assert valid.status_code == 200 and 'data-valid="yes"' in valid.text
    assert "Excellent" in valid.text and "Hangzhou" in valid.text and "杭州" not in valid.text
    assert "有效：本市签发的真实证明" in valid.text  # the verdict in the other language too
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    refused = api.client.post("/verify?lang=zh", data={"token": tampered})
    assert refused.status_code == 422 and "签名不符" in refused.text
    sign_in(api, "resident")
    listed = api.client.get("/me/certificate?lang=en").text
    jti = re.search(r'data-jti="([^"]+)"', listed)
    assert jti
    api.client.post("/me/certificate/revoke", data={"jti": jti.group(1), "csrf": csrf(listed)})
    revoked = api.client.post("/verify?lang=en", data={"token": token})
    assert revoked.status_code == 422 and "holder revoked it" in revoked.text


def test_unknown_portal_addresses_answer_a_page_with_a_way_back_and_api_ones_json(
    api: Api,
) -> None:
    page = api.client.get("/no-such-page?lang=zh", headers={"accept": "text/html"})
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "没有这个页面" in page.text and 'href="/?lang=zh"' in page.text
    wrong_method = api.client.get("/me/certificate/revoke", headers={"accept": "text/html"})
    assert wrong_method.status_code == 404 and "<html" in wrong_method.text
    api_answer = api.client.get("/v1/no-such-route")
    assert api_answer.status_code == 404 and "json" in api_answer.headers["content-type"]
    sign_in(api, "resident")
    forbidden = api.client.get("/operator?lang=en")
    assert forbidden.status_code == 403 and "This account may not see this page." in forbidden.text


def _judgment(api: Api, tmp_path: Path, ref: str, on: str) -> None:
    import json

    from creditcity.config import Settings
    from creditcity.services.ingest import ingest_files

    path = tmp_path / f"{ref}.jsonl"
    row = {
        "source": "court:west-lake",
        "idempotency_key": ref,
        "subject": RESIDENT,
        "kind": "court_judgment",
        "occurred_at": on,
        "ref": ref,
        "amount": 5000,
    }
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert ingest_files([path], engine=api.engine, settings=Settings()).ok


def test_the_office_lists_restrictions_in_force_filtered_by_rule_and_date(
    api: Api, tmp_path: Path
) -> None:
    _judgment(api, tmp_path, "J-77", "2026-03-01")
    sign_in(api, "operator")
    page = api.client.get("/operator/restrictions?lang=en")
    assert page.status_code == 200
    table = page.text[page.text.index('id="restrictions"') :]
    assert RESIDENT[:14] in table and "1 in all" in table
    later = api.client.get("/operator/restrictions?lang=en&since=2026-04-01").text
    assert "0 in all" in later and RESIDENT[:14] not in later
    bad = api.client.get("/operator/restrictions?lang=en&since=yesterday")
    assert bad.status_code == 422 and "not a date" in bad.text
    unknown = api.client.get("/operator/restrictions?lang=en&rule=nope")
    assert unknown.status_code == 422 and "unknown restriction rule" in unknown.text
    chinese = api.client.get("/operator/restrictions?lang=zh").text
    assert latin_words(chinese) == []


def test_the_office_model_page_says_when_no_model_exists_in_both_languages(api: Api) -> None:
    sign_in(api, "operator")
    english = api.client.get("/operator/model?lang=en")
    assert english.status_code == 200 and "No model has been trained yet." in english.text
    chinese = api.client.get("/operator/model?lang=zh").text
    assert "尚未训练任何模型" in chinese and latin_words(chinese) == []
    assert api.client.get("/operator/model?lang=en&version=nope").status_code == 404
    sign_in(api, "resident")
    assert api.client.get("/operator/model?lang=en").status_code == 403


def test_a_restricted_resident_reads_what_the_rule_is_for_in_their_language(
    api: Api, tmp_path: Path
) -> None:
    give_score(api.engine, RESIDENT, 700)
    _judgment(api, tmp_path, "J-78", "2026-03-01")
    sign_in(api, "resident")
    chinese = api.client.get("/me?lang=zh").text
    restricted = chinese[chinese.index('id="restr-h"') :]
    assert "法院判决的款项尚未支付" in restricted and latin_words(chinese) == []
    english = api.client.get("/me?lang=en").text
    assert "A court ordered a payment that is still unpaid" in english


def test_the_office_shows_rates_by_tier_and_service_and_months_in_chinese(api: Api) -> None:
    give_score(api.engine, RESIDENT, 720)
    asked = {"subject": RESIDENT, "service": "bike_deposit", "amount": 99, "purpose": "ride"}
    api.post("/v1/decisions", "provider", asked)
    sign_in(api, "operator")
    page = api.client.get("/operator?lang=zh").text
    rates = page[page.index('id="rates"') : page.index('id="months"')]
    tier_row = rates[rates.index('data-key="excellent"') :]
    assert "极好" in tier_row.split("</tr>")[0] and ">100%<" in tier_row.split("</tr>")[0]
    assert 'data-key="bike_deposit"' in rates and rates.count('tabindex="0"') == 2
    months = page[page.index('id="months"') :]
    assert "年" in months and "月" in months and "¥99" in months and "<svg" in months
    assert latin_words(page) == []
    english = api.client.get("/operator?lang=en").text
    assert "Approval and loss rates" in english and "Owed at month end" in english


def test_the_office_filters_restrictions_by_appeal_and_pages_keep_the_filter(
    api: Api, tmp_path: Path
) -> None:
    for n in range(21):  # one more than a page
        _judgment(api, tmp_path, f"J-{n}", "2026-03-01")
    sign_in(api, "operator")
    first = api.client.get("/operator/restrictions?lang=en&appeal=none").text
    assert "21 in all, page 1 of 2" in first and 'value="none" selected' in first
    assert first.count('data-appeal="none"') == 20 and "No dispute" in first
    older = re.search(r'href="(/operator/restrictions\?[^"]*page=2)"', first)
    assert older and "appeal=none" in older.group(1)
    second = api.client.get(older.group(1).replace("&amp;", "&")).text
    assert "page 2 of 2" in second and second.count('data-appeal="none"') == 1
    upheld = api.client.get("/operator/restrictions?lang=en&appeal=upheld").text
    assert "0 in all" in upheld
    bad = api.client.get("/operator/restrictions?lang=en&appeal=maybe")
    assert bad.status_code == 422 and "unknown appeal state" in bad.text
    chinese = api.client.get("/operator/restrictions?lang=zh&appeal=none").text
    assert "无异议" in chinese and latin_words(chinese) == []
