"""Every page's words, in Japanese and English, and the plain-language checks.

The one place for translations. The verify page's table serves the server-rendered page and
the script (it is embedded in the page as JSON), so the two always say the same thing. Check
sentences are keyed by check id and status; the library's own message stays available as the
detail. The public pages of credentials, issuers and achievements are bilingual or in the
achievement's language: their words are in :data:`PUBLIC`.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")

UI: dict[str, tuple[str, str]] = {  # key: (ja, en)
    "title": ("バッジの検証 — Shomei 証明", "Verify a badge — Shomei"),
    "skip": ("本文へ移動", "Skip to content"),
    "language": ("表示言語", "Language"),
    "heading": ("デジタルバッジを検証する", "Verify a digital badge"),
    "lead": (
        "Open Badges 2.0 / 3.0 のバッジが本物か、誰に発行されたか、今も有効かを確認します。"
        "どの発行者のバッジでも検証できます。",
        "Check that an Open Badges 2.0 or 3.0 badge is genuine, whom it was issued to, and "
        "whether it is still valid. Badges from any issuer can be checked.",
    ),
    "file_label": ("バッジ画像・ファイルを選ぶ", "Choose a badge image or file"),
    "file_hint": (
        "PNG・SVG 画像（バッジ情報入り）、JSON または JWT ファイル。"
        "ここにドロップもできます（5 MB まで）。",
        "A PNG or SVG badge image, or a JSON or JWT file. You can also drop it here (up to 5 MB).",
    ),
    "file_clear": ("選択を解除", "Clear the file"),
    "or": ("または", "or"),
    "text_label": ("JSON・JWT・URL を貼り付け", "Paste the JSON, a JWT or a URL"),
    "text_hint": (
        "バッジの JSON、JWT（eyJ… で始まる文字列）、またはバッジの URL。",
        "The badge's JSON, a JWT (text starting with eyJ…), or the badge's URL.",
    ),
    "email_label": ("候補者のメールアドレス（任意）", "Candidate's e-mail address (optional)"),
    "email_hint": (
        "入力すると、このバッジがその人に発行されたものかを照合します。",
        "If given, we check that the badge was issued to this person.",
    ),
    "submit": ("検証する", "Verify"),
    "checking": ("確認しています…", "Checking…"),
    "privacy": (
        "送信されたバッジは検証にのみ使い、保存しません。",
        "Badges you submit are used for this check only and are not stored.",
    ),
    "verdict_valid": ("有効", "Valid"),
    "verdict_invalid": ("無効", "Not valid"),
    "verdict_unknown": ("確認できませんでした", "Could not check"),
    "explain_valid": (
        "このバッジは本物で、現在有効です。",
        "This badge is genuine and currently valid.",
    ),
    "explain_invalid": ("問題が見つかった項目: {checks}", "Failed: {checks}"),
    "explain_unknown": ("確認できなかった項目: {checks}", "Could not check: {checks}"),
    "claims_invalid": (
        "以下はバッジに書かれている内容です。検証に失敗したため、正しいとは限りません。",
        "Below is what the badge claims. It failed verification, so it may not be true.",
    ),
    "claims_unknown": (
        "以下はバッジに書かれている内容です。すべては確認できていません。",
        "Below is what the badge claims. Not all of it could be confirmed.",
    ),
    "achievement": ("バッジ", "Badge"),
    "issuer": ("発行者", "Issuer"),
    "recipient": ("受領者", "Recipient"),
    "issued": ("発行日", "Issued"),
    "valid_until": ("有効期限", "Valid until"),
    "no_expiry": ("期限なし", "No expiry"),
    "status": ("状態", "Status"),
    "format": ("形式", "Format"),
    "endorsements": ("推薦", "Endorsements"),
    "verified_identifier": ("確認済みの識別子", "Verified identifier"),
    "status_active": ("有効（失効していません）", "Active (not revoked)"),
    "status_revoked": ("失効", "Revoked"),
    "status_suspended": ("一時停止中", "Suspended"),
    "status_unknown": ("確認できません", "Could not check"),
    "status_none": ("失効の仕組みなし", "No revocation list"),
    "hashed_identity": ("ハッシュ化された識別子", "Hashed identifier"),
    "matched_yes": ("入力された宛先と一致", "Matches the given recipient"),
    "matched_no": ("入力された宛先と一致しません", "Does not match the given recipient"),
    "matched_none": ("照合していません", "Not compared"),
    "unknown_value": ("不明", "Unknown"),
    "checks_title": ("確認した項目", "What was checked"),
    "details": ("詳細", "Details"),
    "error_title": ("検証できませんでした", "The badge could not be checked"),
    "error_not_a_badge": (
        "バッジとして読み取れませんでした。",
        "This could not be read as a badge.",
    ),
    "error_too_large": (
        "ファイルが大きすぎます（5 MB まで）。",
        "The file is too large (5 MB at most).",
    ),
    "error_rate": (
        "短時間に多くの検証が行われました。しばらくしてからお試しください。",
        "Too many checks in a short time. Please try again shortly.",
    ),
    "error_empty": (
        "ファイルを選ぶか、JSON・JWT・URL を貼り付けてください。",
        "Choose a file, or paste the JSON, a JWT or a URL.",
    ),
    "error_request": ("送信内容を読み取れませんでした。", "The request could not be read."),
    "error_network": ("サーバーに接続できませんでした。", "Could not reach the server."),
    "format_ob3-data-integrity": (
        "Open Badges 3.0（Data Integrity 署名）",
        "Open Badges 3.0 (Data Integrity proof)",
    ),
    "format_ob3-jwt": ("Open Badges 3.0（VC-JWT）", "Open Badges 3.0 (VC-JWT)"),
    "format_ob2-hosted": ("Open Badges 2.0（ホスト型）", "Open Badges 2.0 (hosted)"),
    "format_ob2-signed": ("Open Badges 2.0（署名型）", "Open Badges 2.0 (signed)"),
    "format_unknown": ("不明", "Unknown"),
}

STATUS_WORDS: dict[str, tuple[str, str]] = {
    "passed": ("確認済み", "Passed"),
    "failed": ("不合格", "Failed"),
    "warning": ("注意", "Warning"),
    "indeterminate": ("確認できず", "Could not check"),
    "skipped": ("省略", "Skipped"),
}

CHECK_LABELS: dict[str, tuple[str, str]] = {
    "document.parse": ("バッジの読み取り", "Reading the badge"),
    "document.shape": ("バッジの構造", "Badge structure"),
    "document.context": ("形式（コンテキスト）", "Format (context)"),
    "document.type": ("資格情報の種類", "Credential type"),
    "document.jsonld": ("用語の定義", "Defined terms"),
    "schema": ("必須項目", "Required fields"),
    "proof.signature": ("署名", "Signature"),
    "issuer.key_ownership": ("発行者の鍵", "Issuer's key"),
    "jwt.header": ("トークンのヘッダー", "Token header"),
    "jwt.claims": ("トークンの内容", "Token contents"),
    "validity.window": ("有効期間", "Validity period"),
    "status": ("状態情報", "Status information"),
    "status.revocation": ("失効", "Revocation"),
    "status.suspension": ("一時停止", "Suspension"),
    "recipient.identity": ("受領者", "Recipient"),
    "badge.fetch": ("バッジの定義（BadgeClass）", "Badge definition (BadgeClass)"),
    "issuer.fetch": ("発行者のプロフィール", "Issuer profile"),
    "hosted.copy": ("発行者が公開している原本", "The issuer's published copy"),
    "hosted.scope": ("公開場所", "Where it is hosted"),
    "transport.https": ("安全な接続（HTTPS）", "Secure connection (HTTPS)"),
    "endorsement": ("推薦", "Endorsement"),
    "verification.internal": ("検証処理", "Verification"),
}

_FORMAT_OK = ("Open Badges の形式に沿っています。", "It follows the Open Badges format.")
_FORMAT_BAD = ("Open Badges の形式に沿っていません。", "It does not follow the Open Badges format.")
_FETCH_OK = ("発行者から取得できました。", "Obtained from the issuer.")
_FETCH_BAD = ("発行者から取得できませんでした。", "Could not be obtained from the issuer.")

SENTENCES: dict[str, tuple[str, str]] = {  # "check id/status": (ja, en)
    "document.parse/passed": ("バッジを読み取れました。", "The badge could be read."),
    "document.parse/failed": (
        "バッジとして読み取れませんでした。",
        "This could not be read as a badge.",
    ),
    "document.parse/indeterminate": (
        "バッジを取得できませんでした。",
        "The badge could not be fetched.",
    ),
    "document.shape/passed": _FORMAT_OK,
    "document.shape/failed": _FORMAT_BAD,
    "document.context/passed": _FORMAT_OK,
    "document.context/failed": _FORMAT_BAD,
    "document.type/passed": _FORMAT_OK,
    "document.type/failed": _FORMAT_BAD,
    "document.jsonld/passed": (
        "すべての項目が定義済みの用語です。",
        "Every field is a defined term.",
    ),
    "document.jsonld/failed": (
        "定義されていない項目があり、署名の対象を確定できません。",
        "Some fields are undefined, so what was signed cannot be determined.",
    ),
    "schema/passed": ("必要な項目がそろっています。", "All required fields are present."),
    "schema/failed": (
        "必要な項目が欠けているか、形式が正しくありません。",
        "Required fields are missing or malformed.",
    ),
    "proof.signature/passed": (
        "署名は正当です。発行後に内容は書き換えられていません。",
        "The signature is genuine: the badge has not been changed since it was issued.",
    ),
    "proof.signature/failed": (
        "署名が一致しません。発行後に内容が書き換えられたか、発行者の鍵で署名されていません。",
        "The signature does not match: the badge was changed after it was issued, "
        "or it was not signed with the issuer's key.",
    ),
    "proof.signature/indeterminate": (
        "発行者の鍵を取得できず、署名を確認できませんでした。",
        "The issuer's key could not be obtained, so the signature could not be checked.",
    ),
    "issuer.key_ownership/passed": (
        "署名に使われた鍵は発行者のものです。",
        "The signing key belongs to the issuer.",
    ),
    "issuer.key_ownership/failed": (
        "署名に使われた鍵は、発行者が公開している鍵ではありません。",
        "The signing key is not one the issuer has published.",
    ),
    "issuer.key_ownership/indeterminate": (
        "鍵が発行者のものか確認できませんでした。",
        "Could not confirm that the key belongs to the issuer.",
    ),
    "jwt.header/passed": ("トークンの形式は正しいです。", "The token is well formed."),
    "jwt.header/failed": ("トークンの形式が正しくありません。", "The token is malformed."),
    "jwt.claims/passed": (
        "トークンの内容はバッジと一致しています。",
        "The token's claims agree with the badge.",
    ),
    "jwt.claims/failed": (
        "トークンの内容がバッジと食い違っています。",
        "The token's claims disagree with the badge.",
    ),
    "validity.window/passed": ("有効期間内です。", "The badge is within its validity period."),
    "validity.window/failed": (
        "有効期間外です（期限切れ、またはまだ有効になっていません）。",
        "The badge is outside its validity period (expired, or not yet valid).",
    ),
    "status/failed": ("状態情報の書式が正しくありません。", "The status information is malformed."),
    "status.revocation/passed": (
        "発行者はこのバッジを失効させていません。",
        "The issuer has not revoked this badge.",
    ),
    "status.revocation/failed": (
        "発行者がこのバッジを失効させています。",
        "The issuer has revoked this badge.",
    ),
    "status.revocation/indeterminate": (
        "失効していないか確認できませんでした。",
        "Could not check whether the issuer has revoked this badge.",
    ),
    "status.suspension/passed": ("一時停止されていません。", "The badge is not suspended."),
    "status.suspension/failed": (
        "発行者がこのバッジを一時停止しています。",
        "The issuer has suspended this badge.",
    ),
    "status.suspension/indeterminate": (
        "一時停止されていないか確認できませんでした。",
        "Could not check whether the badge is suspended.",
    ),
    "recipient.identity/passed": (
        "入力された人に発行されたバッジです。",
        "The badge was issued to the given person.",
    ),
    "recipient.identity/failed": (
        "入力された人に発行されたバッジではありません。",
        "The badge was not issued to the given person.",
    ),
    "badge.fetch/passed": _FETCH_OK,
    "badge.fetch/failed": _FETCH_BAD,
    "badge.fetch/indeterminate": _FETCH_BAD,
    "issuer.fetch/passed": _FETCH_OK,
    "issuer.fetch/failed": _FETCH_BAD,
    "issuer.fetch/indeterminate": _FETCH_BAD,
    "hosted.copy/passed": (
        "発行者が公開している原本と一致します。",
        "It matches the copy the issuer publishes.",
    ),
    "hosted.copy/failed": (
        "発行者が公開している原本と異なります。",
        "It differs from the copy the issuer publishes.",
    ),
    "hosted.scope/passed": (
        "発行者のサイトで公開されています。",
        "It is hosted on the issuer's site.",
    ),
    "hosted.scope/failed": (
        "発行者のサイト以外で公開されています。",
        "It is hosted outside the issuer's site.",
    ),
    "transport.https/passed": ("安全な接続で取得しました。", "Fetched over a secure connection."),
    "transport.https/warning": (
        "暗号化されていない接続（HTTP）で取得しました。",
        "Fetched over an unencrypted connection (HTTP).",
    ),
    # Generic sentences, by status, for the checks not named above.
    "*/passed": ("問題ありません。", "No problem found."),
    "*/failed": ("問題が見つかりました。", "A problem was found."),
    "*/warning": ("問題はありませんが、注意点があります。", "Passed, with a caveat."),
    "*/indeterminate": ("確認できませんでした。", "Could not be checked."),
    "*/skipped": ("このバッジには該当しません。", "Does not apply to this badge."),
    "*/blocked": (
        "前の項目が確認できなかったため、確認していません。",
        "Not checked, because an earlier check did not pass.",
    ),
    "recipient.identity/skipped": (
        "宛先が入力されていないため、照合していません。",
        "No recipient was given, so it was not compared.",
    ),
    "status.revocation/skipped": (
        "このバッジには失効の仕組みがありません。",
        "This badge names no way for its issuer to revoke it.",
    ),
    "endorsement/passed": (
        "推薦者の署名を確認しました。",
        "The endorser's signature was verified.",
    ),
    "endorsement/warning": (
        "推薦を確認できませんでした。バッジ自体の検証結果には影響しません。",
        "The endorsement could not be verified; this does not affect the badge itself.",
    ),
    "verification.internal/indeterminate": (
        "内部エラーのため、検証を最後まで行えませんでした。",
        "An internal error stopped the verification before it was complete.",
    ),
}


PUBLIC: dict[str, tuple[str, str]] = {  # key: (ja, en), for the public pages
    "home_lead": (
        "Open Badges 2.0 / 3.0 の発行と検証",
        "issuing and verifying Open Badges.",
    ),
    "home_about": ("このサービスについて", "What Shomei serves"),
    "home_about_text": (
        "認定機関が合格者に標準準拠のデジタルバッジを発行し、誰でもその真正性を検証できます。",
        "",
    ),
    "home_verify": ("バッジを検証する", "Verify a badge"),
    "home_docs": ("API ドキュメント", "API documentation"),
    "language_name": ("日本語", "English"),
    "language": ("表示言語", "Language"),
    "state_active": ("有効", "Valid"),
    "state_suspended": ("一時停止中", "Suspended"),
    "state_revoked": ("取り消し済み", "Revoked"),
    "state_expired": ("期限切れ", "Expired"),
    "state_active_detail": (
        "このバッジは発行者が認定した、現在有効なバッジです。",
        "This badge was awarded by its issuer and is currently valid.",
    ),
    "state_suspended_detail": (
        "発行者がこのバッジを一時停止しています。現在は有効ではありません。",
        "The issuer has suspended this badge: it is not valid at present.",
    ),
    "state_revoked_detail": (
        "発行者がこのバッジを取り消しました。このバッジは有効ではありません。",
        "The issuer has revoked this badge: it is no longer valid.",
    ),
    "state_expired_detail": (
        "このバッジの有効期限は{date}に切れました。",
        "This badge expired on {date}.",
    ),
    "reason": ("理由", "Reason"),
    "og_active": (
        "{issuer}が{date}に発行した、検証できるデジタルバッジ（Open Badges）。",
        "A verifiable digital badge (Open Badges) issued by {issuer} on {date}.",
    ),
    "og_revoked": (
        "取り消し済み：{issuer}が{date}に発行したこのバッジは取り消されています。",
        "Revoked: this badge, issued by {issuer} on {date}, has been withdrawn.",
    ),
    "og_suspended": (
        "一時停止中：{issuer}が{date}に発行したこのバッジは一時停止されています。",
        "Suspended: this badge, issued by {issuer} on {date}, is suspended.",
    ),
    "og_expired": (
        "期限切れ：{issuer}が{date}に発行したこのバッジは有効期限が切れています。",
        "Expired: this badge, issued by {issuer} on {date}, has expired.",
    ),
    "og_image_alt": ("バッジ「{name}」", "The badge {name}"),
    "card_issued": ("{date} 発行", "Issued {date}"),
    "share_text": ("{issuer}の「{name}」を取得しました。", "I earned {name} from {issuer}."),
    "issuer": ("発行者", "Issuer"),
    "recipient": ("受領者", "Recipient"),
    "issued": ("発行日", "Issued"),
    "valid_until": ("有効期限", "Valid until"),
    "format": ("形式", "Format"),
    "about_issuer": ("発行者について", "About the issuer"),
    "verify_this": ("このバッジを検証する", "Verify this badge"),
    "download_title": ("ダウンロード", "Download"),
    "share_title": ("共有する", "Share"),
    "download_image": ("バッジ画像をダウンロード", "Download the badge image"),
    "download_jwt": ("VC-JWT をダウンロード", "Download the VC-JWT"),
    "download_json": ("JSON をダウンロード", "Download the JSON"),
    "share_linkedin": ("LinkedIn のプロフィールに追加", "Add to LinkedIn profile"),
    "share_x": ("X で共有", "Share on X"),
    "share_facebook": ("Facebook で共有", "Share on Facebook"),
    "share_line": ("LINE で送る", "Send with LINE"),
    "share_mail": ("メールで送る", "Send by e-mail"),
    "copy_link_label": ("このページのリンク", "Link to this page"),
    "copy_link": ("リンクをコピー", "Copy link"),
    "copy_done": ("コピーしました", "Copied"),
    "qr_title": ("このページの QR コード", "QR code of this page"),
    # The achievement page is in the achievement's language; its interface words are English.
    "issued_by": ("発行者", "Issued by"),
    "name": ("名称", "Name"),
    "description": ("説明", "Description"),
    "criteria": ("基準", "Criteria"),
    "criteria_details": ("詳細:", "Details:"),
    "details": ("詳細", "Details"),
    "type": ("種類", "Type"),
    "aligned_with": ("対応する基準", "Aligned with"),
    "tags": ("タグ", "Tags"),
}


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang == "ja" else pair[1]


def ui(key: str, lang: Lang) -> str:
    """A page text: the verify page's, else a public page's."""
    return _pick(UI[key] if key in UI else PUBLIC[key], lang)


def both(key: str) -> str:
    """A public page's text in both languages: ``発行者 / Issuer``."""
    ja, en = PUBLIC[key]
    return f"{ja} / {en}"


def status_word(status: str, lang: Lang) -> str:
    return _pick(STATUS_WORDS.get(status, (status, status)), lang)


def check_label(check_id: str, lang: Lang) -> str:
    """A check's name in plain words (an unknown id is shown as it is)."""
    if check_id in CHECK_LABELS:
        return _pick(CHECK_LABELS[check_id], lang)
    if check_id.startswith("status."):
        purpose = check_id.removeprefix("status.")
        return f"{_pick(CHECK_LABELS['status'], lang)} ({purpose})"
    return check_id


def check_sentence(check_id: str, status: str, message: str, lang: Lang) -> str:
    """What a check's outcome means, in one plain sentence."""
    if status == "skipped" and message.startswith("needs "):
        return _pick(SENTENCES["*/blocked"], lang)
    pair = SENTENCES.get(f"{check_id}/{status}") or SENTENCES.get(f"*/{status}")
    return _pick(pair, lang) if pair else message


def table(lang: Lang) -> dict[str, dict[str, str]]:
    """Every text in one language, for the page's script."""
    return {
        "ui": {key: ui(key, lang) for key in UI},
        "status": {key: status_word(key, lang) for key in STATUS_WORDS},
        "labels": {key: check_label(key, lang) for key in CHECK_LABELS},
        "sentences": {key: _pick(pair, lang) for key, pair in SENTENCES.items()},
    }
