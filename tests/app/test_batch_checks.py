"""The pieces of a batch check on their own: e-mail addresses, prefectures, columns, CSV."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from app import spreadsheets
from app.batches.checking import EmailChecker
from app.batches.columns import HeaderError, read_header
from app.batches.prefectures import PREFECTURES, parse_prefecture
from app.credentials.schemas import RecipientIn

_EMAIL = TypeAdapter(RecipientIn)


def _api(address: str) -> str | None:
    """What the single-credential API makes of an address (None: it refuses it)."""
    try:
        return _EMAIL.validate_python({"email": address}).email
    except ValidationError:
        return None


def _batch(checker: EmailChecker, address: str) -> str | None:
    try:
        return checker.normalise(address)
    except ValueError:
        return None


_LOCAL = st.text("abcXYZ019._%+-", min_size=1, max_size=70)
_LABEL = st.text("abcXYZ019-", min_size=1, max_size=70)
_TLD = st.sampled_from(["jp", "COM", "co.jp", "local", "test", "x", "c0m", "xn--p1ai", "example"])


@settings(max_examples=400, deadline=None)
@given(local=_LOCAL, labels=st.lists(_LABEL, min_size=0, max_size=3), tld=_TLD)
def test_the_fast_path_normalises_exactly_as_the_api_does(
    local: str, labels: list[str], tld: str
) -> None:
    address = f"{local}@{'.'.join([*labels, tld])}"
    checker = EmailChecker()
    assert _batch(checker, address) == _api(address)
    assert _batch(checker, address) == _api(address)  # and again, with the domain known


@pytest.mark.parametrize(
    "address",
    [
        "Taro.Yamada@Example.CO.JP",
        "taro@localhost",
        "taro@example.local",
        "a" * 65 + "@example.jp",
        "taro@" + "a" * 64 + ".jp",
        "taro@ab--cd.jp",
        "taro@xn--eckwd4c7c.xn--zckzah",
        "山田@例え.jp",
        "Taro <taro@example.jp>",
        "taro..yamada@example.jp",
        ".taro@example.jp",
        "taro@example.jp.",
        "taro@-example.jp",
        "taro@[127.0.0.1]",
        '"taro yamada"@example.jp',
    ],
)
def test_unusual_addresses_get_the_apis_answer(address: str) -> None:
    assert _batch(EmailChecker(), address) == _api(address)


def test_every_prefecture_by_code_name_short_name_and_romaji() -> None:
    assert len(PREFECTURES) == 47
    assert [p.code for p in PREFECTURES] == list(range(1, 48))
    for code, ja, en in PREFECTURES:
        assert parse_prefecture(str(code)) == (True, code)
        assert parse_prefecture(f"{code:02}") == (True, code)
        assert parse_prefecture(ja) == (True, code)
        assert parse_prefecture(en.upper()) == (True, code)
        if ja != "北海道":
            assert parse_prefecture(ja[:-1]) == (True, code)
    assert parse_prefecture("\uff11\uff13")  # full-width digits == (True, 13)
    assert parse_prefecture("Tōkyō") == (True, 13)
    assert parse_prefecture("Kyoto-fu") == (True, 26)
    assert parse_prefecture("北海") == (False, None)
    assert parse_prefecture("overseas") == (True, None)


def test_headers_in_either_language_and_full_width() -> None:
    layout = read_header(
        ["\uff25\uff2d\uff21\uff29\uff2c", " 受験番号 ", "氏名（ローマ字）", "氏名", "生年月日", ""]
    )
    assert layout.positions == {"email": 0, "external_id": 1, "name_en": 2, "name": 3}
    assert layout.ignored == ["生年月日"]
    with pytest.raises(HeaderError, match="both name 'email'"):
        read_header(["email", "メールアドレス", "external_id", "name"])
    with pytest.raises(HeaderError, match="no column external_id"):
        read_header(["email", "name"])


def test_decoding_tries_utf8_then_cp932_and_refuses_the_rest() -> None:
    text = "受験番号,氏名\r\n1,髙橋\r\n"
    assert spreadsheets.decode(text.encode()).encoding == "utf-8"
    assert spreadsheets.decode(b"\xef\xbb\xbf" + text.encode()).encoding == "utf-8-sig"
    assert spreadsheets.decode(text.encode("cp932")).text == text
    with pytest.raises(spreadsheets.CsvError, match="line 3 is not UTF-8 or Shift_JIS"):
        spreadsheets.decode(b"a,b\r\n1,2\r\n\x80\xff\r\n")
    with pytest.raises(spreadsheets.CsvError, match="line 2 is not UTF-8 or Shift_JIS"):
        spreadsheets.decode(b"a,b\r\n\x82\x20\r\n")
    with pytest.raises(spreadsheets.CsvError, match="Excel workbook"):
        spreadsheets.decode(b"PK\x03\x04rest")
    with pytest.raises(spreadsheets.CsvError, match="NUL"):
        spreadsheets.decode(b"a,b\r\n1,\x00\r\n")


def test_a_quote_never_closed_names_the_line_it_opened_on() -> None:
    table = spreadsheets.read_table('a,b\r\n1,2\r\n"3,4\r\n5,6\r\n')
    assert next(table.records) == (2, ["1", "2"])
    with pytest.raises(spreadsheets.CsvError, match="starting on line 3") as caught:
        next(table.records)
    assert caught.value.line == 3


def test_a_multi_line_cell_keeps_the_lines_of_the_records_after_it() -> None:
    table = spreadsheets.read_table('a,b\r\n1,"two\r\nlines"\r\n3,4\r\n')
    assert list(table.records) == [(2, ["1", "two\r\nlines"]), (4, ["3", "4"])]


@pytest.mark.parametrize("cell", ["=1+2", "+81", "-3", "@SUM(A1)", "\tx", "\rx"])
def test_written_formula_cells_start_with_a_quote(cell: str) -> None:
    written = "".join(spreadsheets.write_rows([["ok", cell]], bom=False))
    assert next(csv.reader(io.StringIO(written))) == ["ok", "'" + cell]
    assert spreadsheets.neutralise(None) == ""
    assert spreadsheets.neutralise(7) == "7"
