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


# A batch file's row problems, by code: (ja, en) with {column} (the column's name in that
# language), {limit}, {row} or {reason} filled in. Never the cell's value: the report is
# shown and downloaded, and a cell may hold anything.
BATCH_PROBLEMS: dict[str, tuple[str, str]] = {
    "required": ("{column}が空です。入力してください。", "{column} is empty; it is required."),
    "too_long": (
        "{column}が長すぎます（{limit}文字まで）。",
        "{column} is too long (at most {limit} characters).",
    ),
    "not_text": ("{column}は文字列で指定してください。", "{column} must be text."),
    "control_character": (
        "{column}に使えない制御文字が含まれています。",
        "{column} holds a control character, which cannot be used.",
    ),
    "formula": (
        "{column}が「=」で始まっており、表計算ソフトの数式のようです。",
        "{column} starts with '=', like a spreadsheet formula.",
    ),
    "invalid_email": (
        "メールアドレスの形式が正しくありません。",
        "The e-mail address is not valid: {reason}.",
    ),
    "invalid_language": (
        "言語は ja（日本語）または en（英語）で指定してください。",
        "language must be ja (Japanese) or en (English).",
    ),
    "invalid_date": (
        "{column}は YYYY-MM-DD または YYYY/MM/DD の形式の日付で指定してください。",
        "{column} must be a date written YYYY-MM-DD or YYYY/MM/DD.",
    ),
    "date_past": (
        "{column}が過去の日付です。今日より後の日付を指定してください。",
        "{column} is not in the future.",
    ),
    "invalid_url": (
        "{column}は http:// または https:// で始まる正しい URL で指定してください。",
        "{column} must be a valid http:// or https:// URL.",
    ),
    "invalid_prefecture": (
        "都道府県はコード（1〜47）か名前（例: 東京都、東京、Tokyo）で指定してください。",
        "prefecture must be a JIS X 0401 code (1 to 47) or a name, such as 東京都 or Tokyo.",
    ),
    "result_not_in_ob2": (
        "OB 2.0 形式のバッジには結果を記載できません。結果の列を空にするか、OB 3.0 形式で"
        "発行してください。",
        "OB 2.0 badges cannot carry a result: leave the result empty or issue as OB 3.0.",
    ),
    "extra_cells": (
        "この行は見出しより列が多くなっています。値の中のカンマを確認してください。",
        "The row has more cells than the header: look for a comma inside a value.",
    ),
    "unknown_field": (
        "不明な項目「{column}」があります。",
        "The row has an unknown field, {column}.",
    ),
    "duplicate_in_file": (
        "受験番号が {row} 行目と重複しています。",
        "The examinee number repeats the one of row {row}.",
    ),
    "already_issued_skip": (
        "この受験番号にはすでにバッジが発行されています。この行は発行せずにスキップします。",
        "A credential was issued for this examinee number before: the row will be skipped.",
    ),
    "already_issued_reissue": (
        "この受験番号にはすでにバッジが発行されています。同じバッジを再発行します"
        "（共有済みのリンクは有効なままです）。",
        "A credential was issued for this examinee number before: it will be re-issued with "
        "the same id (links already shared stay valid).",
    ),
    "email_repeated_in_file": (
        "メールアドレスが {row} 行目と同じです（受験番号は異なります）。",
        "The e-mail address is the same as on row {row}, under another examinee number.",
    ),
    "email_already_issued": (
        "このメールアドレスには、別の受験番号でこのバッジがすでに発行されています。",
        "A credential for this achievement was issued to this e-mail address under another "
        "examinee number.",
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
    # The claim page and the lost-link form.
    "claim_title": ("バッジの受け取り", "Accept your badge"),
    "claim_lead": (
        "{issuer}から、あなたにデジタルバッジが発行されました。",
        "{issuer} has issued you a digital badge.",
    ),
    "claim_accept": ("バッジを受け取る", "Accept the badge"),
    "claim_accept_note": (
        "受け取ると、このバッジを受け取ったことが発行者に記録されます。",
        "Accepting tells the issuer that you have received this badge.",
    ),
    "claim_accepted_on": ("{date}に受け取りました。", "Accepted on {date}."),
    "claim_link_note": (
        "このページはあなた専用です。リンクは {date} まで有効で、"
        "何度でも開いてダウンロードできます。"
        "他の人と共有するときは、下の公開ページのリンクを使ってください。",
        "This page is yours alone. Its link works until {date}: come back to download again. "
        "To show the badge to others, share its public page below.",
    ),
    "claim_public_page": ("公開ページを見る", "See the public page"),
    "oid4vci_title": ("ウォレットに追加 (OpenID4VCI)", "Add to a wallet (OpenID4VCI)"),
    "oid4vci_lead": (
        "OpenID4VCI に対応したウォレットアプリで、この QR コードを読み取るか、"
        "スマートフォンでは下のリンクを開いてください。",
        "Scan this QR code with a wallet app that supports OpenID4VCI, or open the link below "
        "on your phone.",
    ),
    "oid4vci_link": ("ウォレットアプリで開く", "Open in your wallet app"),
    "oid4vci_qr_title": ("OpenID4VCI の QR コード", "OpenID4VCI QR code"),
    "oid4vci_tx_code": (
        "ウォレットに確認コードを求められたら、次の6桁を入力してください:",
        "When the wallet asks for a transaction code, enter these six digits:",
    ),
    "oid4vci_expires": (
        "この QR コードとリンクは {minutes} 分間、1回だけ使えます。"
        "期限が切れたらページを再読み込みしてください。",
        "This QR code and link work once, for {minutes} minutes. Reload the page for a new one.",
    ),
    "wallet_title": ("ウォレットに追加する", "Add to your wallet"),
    "wallet_lcw": ("Learner Credential Wallet に追加", "Add to Learner Credential Wallet"),
    "wallet_lead": (
        "スマートフォンでは下のボタンを押し、パソコンでは Learner Credential Wallet アプリで"
        "QR コードを読み取ってください。あなたのウォレット専用のバッジが発行されます。"
        "ボタンと QR コードは {minutes} 分間、1 回だけ使えます"
        "（このページを開き直すと新しくなります）。",
        "On your phone, tap the button; on a computer, scan the QR code with the Learner "
        "Credential Wallet app. A badge made out to your wallet is issued. The button and the "
        "QR code work once, for {minutes} minutes (open this page again for new ones).",
    ),
    "wallet_qr_title": (
        "Learner Credential Wallet で読み取る QR コード",
        "QR code to scan with the Learner Credential Wallet",
    ),
    "wallet_interaction": (
        "インタラクション URL に対応したウォレットで開く",
        "Open in a wallet that takes interaction URLs",
    ),
    "wallet_legacy": ("古い版のアプリで開く", "Open in an older version of the app"),
    "wallet_interaction_title": (
        "ウォレットアプリで開いてください",
        "Open this link in a wallet app",
    ),
    "wallet_interaction_body": (
        "このリンクは、デジタルバッジをウォレットアプリに追加するためのものです。"
        "Learner Credential Wallet などのアプリで開いてください。",
        "This link adds a digital badge to a wallet app. Open it in an app such as the "
        "Learner Credential Wallet.",
    ),
    "claim_listing_title": ("公開ページの掲載", "Your public page"),
    "claim_listed": (
        "公開ページは検索エンジンに掲載されます。",
        "Search engines may list your public page.",
    ),
    "claim_unlisted": (
        "公開ページはリンクを知っている人だけが見られます（検索エンジンには掲載されません）。",
        "Only people with the link can see your public page (search engines do not list it).",
    ),
    "claim_list": ("検索エンジンに掲載する", "Let search engines list it"),
    "claim_unlist": ("掲載をやめる", "Stop search engines listing it"),
    "claim_not_active": (
        "このバッジは現在有効ではないため、受け取りや共有はできません。",
        "This badge is not valid at present, so it cannot be accepted or shared.",
    ),
    "claim_unknown_title": ("リンクが見つかりません", "This link does not work"),
    "claim_unknown": (
        "このリンクは正しくないか、すでに使えなくなっています。メールのリンクをもう一度確かめるか、"
        "下のフォームから新しいリンクを受け取ってください。",
        "This link is not right, or no longer works. Check the link in your mail, or ask for "
        "a new one with the form below.",
    ),
    "claim_expired_title": ("リンクの有効期限が切れています", "This link has expired"),
    "claim_expired": (
        "このリンクの有効期限は切れています。下のフォームから新しいリンクを受け取ってください。",
        "This link has expired. Ask for a new one with the form below.",
    ),
    "claim_forbidden_title": ("操作を完了できませんでした", "That did not work"),
    "claim_forbidden": (
        "このページから送信されたものと確認できませんでした。ページを開き直して、もう一度お試しください。",
        "We could not confirm that this came from your page. Open the page again and retry.",
    ),
    "lost_title": ("受け取りリンクの再送", "Get a new link"),
    "lost_lead": (
        "バッジの通知メールを受け取ったメールアドレスを入力してください。"
        "そのアドレス宛てのバッジがあれば、新しい受け取りリンクをお送りします。",
        "Type the e-mail address your badge was sent to. If there are badges for it, we "
        "mail a new link to it.",
    ),
    "lost_email": ("メールアドレス", "E-mail address"),
    "lost_send": ("リンクを送る", "Send me a link"),
    "lost_done": (
        "受け付けました。このアドレス宛てのバッジがあれば、数分以内に新しいリンクが届きます。"
        "届かない場合は、迷惑メールフォルダと入力したアドレスをご確認ください。",
        "Thank you. If there are badges for this address, a new link arrives there within a "
        "few minutes. If none comes, check your spam folder and the address you typed.",
    ),
    "lost_invalid": (
        "メールアドレスを正しく入力してください。",
        "Please type a valid e-mail address.",
    ),
    "lost_too_many": (
        "しばらくしてから、もう一度お試しください。",
        "Please wait a while and try again.",
    ),
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


MAIL: dict[str, tuple[str, str]] = {  # key: (ja, en), for the mails to passers
    "notification_subject": (
        "デジタルバッジ「{achievement}」が発行されました",
        "Your digital badge: {achievement}",
    ),
    "greeting_name": ("{name} 様", "Dear {name},"),
    "greeting": ("合格者の皆様", "Hello,"),
    "notification_lead": (
        "{issuer} より、デジタルバッジ「{achievement}」が発行されました。おめでとうございます。",
        "{issuer} has issued you the digital badge “{achievement}”. Congratulations!",
    ),
    "notification_action": (
        "下のリンクからバッジを受け取ってください。バッジ画像のダウンロードや、"
        "SNS・メールでの共有ができます。",
        "Follow the link below to accept your badge. You can then download the badge image "
        "and share it on social networks or by e-mail.",
    ),
    "notification_button": ("バッジを受け取る", "Accept your badge"),
    "notification_expiry": (
        "このリンクは {date} まで有効です。"
        "あなた専用のリンクですので、他の人に転送しないでください。",
        "This link is valid until {date}. It is yours alone: please do not forward it.",
    ),
    "notification_footer": (
        "このメールは {issuer} の依頼により、デジタルバッジ発行サービスから送信されています。"
        "お心当たりのない場合は、このメールを破棄してください。",
        "This mail was sent on behalf of {issuer} by its digital badge service. "
        "If it is not meant for you, please delete it.",
    ),
    "claim_link_subject": (
        "デジタルバッジ「{achievement}」の受け取りリンク",
        "A new link to your digital badge: {achievement}",
    ),
    "claim_link_lead": (
        "{issuer} のデジタルバッジ「{achievement}」の新しい受け取りリンクをお送りします。",
        "Here is a new link to your digital badge “{achievement}” from {issuer}.",
    ),
    "claim_link_why": (
        "このアドレスで受け取りリンクの再送が依頼されました。"
        "お心当たりのない場合は、このメールを破棄してください。以前のリンクも引き続き使えます。",
        "Someone asked for a new link for this address. If it was not you, delete this mail; "
        "your earlier links keep working.",
    ),
    "claim_reminder_subject": (
        "【ご案内】デジタルバッジ「{achievement}」をまだ受け取っていません",
        "Reminder: your digital badge {achievement} is waiting",
    ),
    "claim_reminder_lead": (
        "{issuer} から発行されたデジタルバッジ「{achievement}」が、まだ受け取られていません。",
        "The digital badge “{achievement}” that {issuer} issued you has not been accepted yet.",
    ),
    "sign_in_subject": ("Shomei 証明へのサインインリンク", "Your sign-in link to Shomei"),
    "sign_in_lead": (
        "Shomei 証明のアカウントにサインインするためのリンクです。"
        "このアドレス宛てに発行されたバッジを、どの発行者のものでも一覧できます。",
        "Here is your link to sign in to your Shomei account, where the badges issued to this "
        "address, by every issuer, are listed.",
    ),
    "sign_in_why": (
        "このリンクは一度だけ、{minutes} 分以内に使えます。"
        "お心当たりのない場合は、このメールを破棄してください。",
        "The link works once, within {minutes} minutes. If you did not ask for it, delete this "
        "mail.",
    ),
    "sign_in_button": ("サインインする", "Sign in"),
    "sign_in_footer": (
        "このメールは Shomei 証明から自動送信されています。",
        "This mail was sent automatically by Shomei.",
    ),
    "date": ("{year}年{month}月{day}日", "{day} {month_name} {year}"),
}

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def mail_text(key: str, lang: Lang, **values: str) -> str:
    """A mail's text in ``lang``, with ``values`` put in (as given: templates escape them)."""
    return _pick(MAIL[key], lang).format(**values)


def mail_date(year: int, month: int, day: int, lang: Lang) -> str:
    """A date as a reader of ``lang`` writes it: 2027年6月5日, 5 June 2027."""
    return mail_text(
        "date",
        lang,
        year=str(year),
        month=str(month),
        day=str(day),
        month_name=_MONTHS[month - 1],
    )


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


CONSOLE: dict[str, tuple[str, str]] = {  # key: (ja, en), for the staff console
    "title": ("発行コンソール", "Issuing console"),
    "skip": ("本文へ移動", "Skip to content"),
    "language": ("表示言語", "Language"),
    "nav": ("メニュー", "Menu"),
    "nav_achievements": ("バッジ", "Badges"),
    "nav_search": ("合格者の検索", "Find a passer"),
    "nav_statistics": ("統計", "Statistics"),
    "sign_out": ("サインアウト", "Sign out"),
    "admin": ("管理者", "Administrator"),
    "sign_in_heading": ("発行コンソールにサインイン", "Sign in to the issuing console"),
    "sign_in_lead": (
        "発行者の API キー（shm_ で始まる文字列）でサインインします。"
        "キーはこのブラウザに保存されません。",
        "Sign in with your issuer's API key (it starts with shm_). "
        "The key is not stored in this browser.",
    ),
    "api_key_label": ("API キー", "API key"),
    "sign_in_button": ("サインイン", "Sign in"),
    "sign_in_failed": (
        "API キーが正しくないか、有効期限切れか、失効しています。",
        "The API key is not valid, has expired or was revoked.",
    ),
    "signed_out": ("サインアウトしました。", "You have signed out."),
    "session_note": (
        "サインインは {hours} 時間有効です。",
        "A sign-in lasts {hours} hours.",
    ),
    "csrf_failed": (
        "フォームの有効期限が切れたか、別のサイトから送信されました。ページを開き直してください。",
        "The form has expired or was sent from another site. Please open the page again.",
    ),
    "error_heading": ("操作できませんでした", "That did not work"),
    "back": ("戻る", "Back"),
    "achievements_heading": ("バッジ", "Badges"),
    "achievements_lead": (
        "発行できるバッジの一覧です。試験回の合格者を CSV でまとめて発行できます。",
        "The badges you can issue. Issue a whole exam session's passers from a CSV file.",
    ),
    "issuer": ("発行者", "Issuer"),
    "all_issuers": ("すべての発行者", "All issuers"),
    "show": ("表示", "Show"),
    "name": ("名称", "Name"),
    "created": ("作成日", "Created"),
    "issued_count": ("発行数", "Issued"),
    "actions": ("操作", "Actions"),
    "upload_csv": ("CSV で発行", "Issue from CSV"),
    "view_statistics": ("統計", "Statistics"),
    "no_achievements": ("バッジがまだありません。", "There are no badges yet."),
    "search_heading": ("合格者の検索", "Find a passer"),
    "search_label": ("受験番号またはメールアドレス", "Examinee number or e-mail address"),
    "search_hint": (
        "完全一致で検索します（メールアドレスは大文字・小文字を区別しません）。",
        "Exact match (e-mail addresses ignore upper and lower case).",
    ),
    "search_button": ("検索", "Search"),
    "results": ("{count} 件", "{count} found"),
    "no_results": ("該当する証明書はありません。", "No credential matches."),
    "external_id": ("受験番号", "Examinee number"),
    "email": ("メールアドレス", "E-mail"),
    "recipient": ("氏名", "Name"),
    "achievement": ("バッジ", "Badge"),
    "status": ("状態", "Status"),
    "issued": ("発行日時", "Issued"),
    "format": ("形式", "Format"),
    "open": ("開く", "Open"),
    "status_active": ("有効", "Active"),
    "status_revoked": ("失効", "Revoked"),
    "status_suspended": ("一時停止中", "Suspended"),
    "credential_heading": ("証明書", "Credential"),
    "public_page": ("公開ページ", "Public page"),
    "revocation_reason": ("失効の理由", "Reason for revocation"),
    "changed_at": ("状態の変更", "Status changed"),
    "revoke_heading": ("失効させる", "Revoke"),
    "revoke_lead": (
        "失効は取り消せません。理由は検証する人に表示されます。",
        "Revocation is final. Verifiers see the reason.",
    ),
    "reason_label": ("理由", "Reason"),
    "revoke_button": ("失効させる", "Revoke"),
    "suspend_heading": ("一時停止", "Suspension"),
    "suspend_lead": (
        "一時停止は本サービスの検証でのみ表示されます。他の検証ツールでは有効のままです。",
        "Only this service's verifier sees a suspension; other verifiers still show the "
        "credential as valid.",
    ),
    "suspend_button": ("一時停止する", "Suspend"),
    "unsuspend_button": ("一時停止を解除する", "Lift the suspension"),
    "done_revoke": ("失効させました。", "The credential was revoked."),
    "done_suspend": ("一時停止しました。", "The credential was suspended."),
    "done_unsuspend": ("一時停止を解除しました。", "The suspension was lifted."),
    "done_resend": (
        "通知メールを新しい受け取りリンク付きで送信待ちにしました。",
        "The notification was queued again, with a fresh claim link.",
    ),
    "done_address": (
        "メールアドレスを訂正し、証明書を同じ ID で再署名して、新しいアドレスに通知します。",
        "The address was corrected: the credential was signed again with the same id, and "
        "the notification goes to the new address.",
    ),
    "claim_heading": ("受け取りと通知メール", "Claim and notification"),
    "claimed": ("受け取り", "Claimed"),
    "claimed_at": ("{at} に受け取り済み", "Accepted on {at}"),
    "not_claimed": ("未受け取り", "Not yet accepted"),
    "mail_state": ("通知メール", "Notification mail"),
    "mail_state_queued": ("送信待ち", "Queued"),
    "mail_state_sending": ("送信中", "Sending"),
    "mail_state_sent": ("送信済み", "Sent"),
    "mail_state_failed": ("送信失敗", "Failed"),
    "no_mail": ("通知なし", "Not notified"),
    "mail_queued_at": ("送信待ちにした日時", "Queued"),
    "mail_sent_at": ("メールサーバーの受理", "Accepted by the mail server"),
    "mail_next_attempt": ("次の送信", "Next attempt"),
    "mail_attempts": ("送信の試行", "Attempts"),
    "mail_reply": ("メールサーバーの応答", "The mail server's reply"),
    "resend_heading": ("通知メールを再送する", "Send the notification again"),
    "resend_lead": (
        "新しい受け取りリンクを付けて、同じアドレスに送ります。以前のリンクも期限まで使えます。",
        "Mails a fresh claim link to the same address; earlier links keep working until "
        "they expire.",
    ),
    "resend_button": ("再送する", "Send again"),
    "address_heading": ("メールアドレスを訂正する", "Correct the address"),
    "address_lead": (
        "受け取り前に限り変更できます。証明書は同じ ID で再署名され、新しいアドレスに通知します。",
        "Only until the passer accepts the badge. The credential is signed again with the "
        "same id, and the notification is mailed to the new address.",
    ),
    "address_label": ("新しいメールアドレス", "New e-mail address"),
    "address_button": ("訂正して通知する", "Correct and notify"),
    "address_invalid": (
        "メールアドレスの形式が正しくありません。",
        "That is not an e-mail address.",
    ),
    "mail_closed": (
        "合格者がすでに受け取ったか、証明書が有効ではないため、再送も訂正もできません。",
        "The passer has accepted the badge, or it is not active: it cannot be mailed again "
        "or sent to another address.",
    ),
    "mail_closed_note": (
        "受け取り済みのため、再送やアドレスの訂正はできません（合格者は受け取りリンクの再発行を"
        "自分で申し込めます）。",
        "Accepted: no resend or address change (the passer can still ask for a fresh link "
        "on the lost-link form).",
    ),
    "statistics_heading": ("統計", "Statistics"),
    "statistics_lead": (
        "発行した証明書の数です。月は {zone} の暦で数えます。",
        "Credentials issued. Months are counted in {zone}.",
    ),
    "from": ("開始日", "From"),
    "to": ("終了日", "To"),
    "all_achievements": ("すべてのバッジ", "All badges"),
    "apply": ("絞り込む", "Apply"),
    "download_csv": ("CSV をダウンロード", "Download CSV"),
    "total": ("合計", "Total"),
    "by_achievement": ("バッジ別", "By badge"),
    "by_batch": ("試験回別", "By exam session"),
    "by_month": ("月別", "By month"),
    "by_prefecture": ("都道府県別", "By prefecture"),
    "key": ("区分", "Group"),
    "no_batch": ("個別発行", "Issued one by one"),
    "overseas_unknown": ("海外・不明", "Overseas or unknown"),
    "no_data": ("該当する証明書はありません。", "No credential matches."),
    "chart_title": ("月別の発行数", "Credentials issued by month"),
    "chart_desc": (
        "月ごとに発行した証明書の数の棒グラフ。同じ数字を下の表に示します。",
        "A bar chart of the credentials issued each month; the table below gives the numbers.",
    ),
    "prefecture_chart_title": ("都道府県別の発行数", "Credentials issued by prefecture"),
    "prefecture_chart_desc": (
        "発行のあった都道府県ごとの証明書の数の棒グラフ。47 都道府県すべての数を下の表に示します。",
        "A bar chart of the credentials issued in each prefecture that has any; the table "
        "below gives all 47.",
    ),
    "batch_new_heading": ("CSV で発行", "Issue from a CSV file"),
    "batch_new_lead": (
        "試験回の合格者の CSV をアップロードすると、まず全行を確認してプレビューを表示します。"
        "この時点ではまだ発行しません。",
        "Upload the session's passers as CSV. Every row is checked and shown as a preview "
        "first; nothing is issued yet.",
    ),
    "file": ("CSV ファイル", "CSV file"),
    "file_hint": (
        "UTF-8（BOM 付き・なし）または Excel の CSV（Shift_JIS）。列: 受験番号, メールアドレス, "
        "氏名（任意: 氏名（英語）, 言語, 有効期限, 結果, 都道府県 …）。最大 {size}。",
        "UTF-8 (with or without BOM) or Excel's CSV (Shift_JIS). Columns: external_id, email, "
        "name (optional: name_en, language, valid_until, result, prefecture, …). Up to {size}.",
    ),
    "template": ("テンプレート CSV", "Template CSV"),
    "choose_file": ("CSV ファイルを選んでください。", "Choose a CSV file."),
    "label": ("試験回", "Session"),
    "label_hint": ("例: 2026#6", "For example 2026#6"),
    "exam_date": ("試験日", "Exam date"),
    "format_ob3": ("Open Badges 3.0（推奨）", "Open Badges 3.0 (recommended)"),
    "format_ob3-jwt": ("Open Badges 3.0（VC-JWT）", "Open Badges 3.0 (VC-JWT)"),
    "format_ob2": ("Open Badges 2.0", "Open Badges 2.0"),
    "duplicates": ("発行済みの受験番号", "Examinee numbers issued before"),
    "duplicates_skip": ("スキップする", "Skip them"),
    "duplicates_reissue": (
        "再発行する（同じ証明書 ID、共有リンクはそのまま）",
        "Re-issue them (same credential id; shared links keep working)",
    ),
    "notify": ("発行後に合格者へメールで通知する", "E-mail each passer once issued"),
    "check_button": ("確認する", "Check"),
    "batch_heading": ("試験回 {label}", "Session {label}"),
    "batch_unlabelled": ("試験回（名称なし）", "Unnamed session"),
    "batch_state_preview": ("プレビュー", "Preview"),
    "batch_state_queued": ("待機中", "Queued"),
    "batch_state_running": ("発行中", "Issuing"),
    "batch_state_done": ("完了", "Done"),
    "batch_state_cancelled": ("中止", "Cancelled"),
    "batch_state_discarded": ("破棄", "Discarded"),
    "rows_total": ("行数", "Rows"),
    "rows_ok": ("問題なし", "OK"),
    "rows_warning": ("警告", "Warnings"),
    "rows_error": ("エラー", "Errors"),
    "rows_pending": ("未処理", "Pending"),
    "rows_issued": ("発行済み", "Issued"),
    "rows_skipped": ("スキップ", "Skipped"),
    "rows_failed": ("失敗", "Failed"),
    "preview_lead": (
        "エラーの行は発行されません。警告の行は発行されます。内容を確認してから開始してください。",
        "Rows with errors are not issued; rows with warnings are. Check them, then start.",
    ),
    "report_heading": (
        "確認結果（エラー、警告の順）",
        "Check report (errors first, then warnings)",
    ),
    "row": ("行", "Row"),
    "check": ("判定", "Check"),
    "column": ("列", "Column"),
    "problem": ("内容", "Problem"),
    "check_error": ("エラー", "Error"),
    "check_warning": ("警告", "Warning"),
    "all_ok": ("すべての行に問題はありません。", "Every row is fine."),
    "page_of": ("{page} / {pages} ページ", "Page {page} of {pages}"),
    "previous": ("前へ", "Previous"),
    "next": ("次へ", "Next"),
    "download_report": ("確認結果を CSV でダウンロード", "Download the check report (CSV)"),
    "start_button": ("{count} 件の発行を開始", "Start issuing {count}"),
    "discard_button": ("破棄する", "Discard"),
    "discarded_note": (
        "このプレビューは破棄されました。何も発行されていません。",
        "This preview was discarded; nothing was issued.",
    ),
    "progress": ("進捗", "Progress"),
    "progress_label": ("{done} / {total} 行", "{done} of {total} rows"),
    "reload": ("最新の状態に更新", "Refresh"),
    "rate": ("毎秒 {rate} 行", "{rate} rows a second"),
    "eta": ("残り約 {seconds} 秒", "about {seconds} s left"),
    "download_results": ("結果を CSV でダウンロード", "Download the results (CSV)"),
    "retry_button": ("失敗した行を再試行", "Retry the failed rows"),
    "cancel_button": ("中止する", "Cancel"),
    "recent_batches": ("最近の試験回", "Recent sessions"),
    "measure_issued": ("発行", "Issued"),
    "measure_active": ("有効", "Active"),
    "measure_revoked": ("失効", "Revoked"),
    "measure_suspended": ("一時停止", "Suspended"),
    "measure_claimed": ("受け取り済み", "Claimed"),
}


def console_text(key: str, lang: Lang, **values: object) -> str:
    """A text of the staff console, with ``{name}`` placeholders filled from ``values``."""
    text = _pick(CONSOLE[key], lang)
    return text.format(**values) if values else text


ACCOUNT: dict[str, tuple[str, str]] = {  # key: (ja, en), for passers' accounts and consent
    "sign_in_title": ("サインイン — Shomei 証明", "Sign in — Shomei"),
    "sign_in_heading": ("メールアドレスでサインイン", "Sign in with your e-mail address"),
    "sign_in_lead": (
        "バッジを受け取ったメールアドレスを入力してください。サインイン用のリンクをお送りします。"
        "パスワードは不要です。",
        "Enter the address your badges were sent to: we mail you a link to sign in. "
        "No password is needed.",
    ),
    "email": ("メールアドレス", "E-mail address"),
    "send_link": ("リンクを送る", "Send the link"),
    "link_sent": (
        "入力されたアドレスにサインイン用のリンクを送りました。メールをご確認ください。",
        "We sent a sign-in link to that address. Check your mail.",
    ),
    "invalid_email": ("メールアドレスを確認してください。", "Check the e-mail address."),
    "too_many": (
        "リクエストが多すぎます。しばらくしてからお試しください。",
        "Too many requests. Try again later.",
    ),
    "confirm_heading": ("サインインを続ける", "Continue signing in"),
    "confirm_lead": ("{email} でサインインします。", "You are signing in as {email}."),
    "confirm_button": ("サインインする", "Sign in"),
    "link_gone": (
        "このリンクは使用済みか、期限が切れているか、正しくありません。もう一度リンクを送ってください。",
        "This link was already used, has expired or is not valid. Ask for a new one.",
    ),
    "forbidden": ("このリクエストは受け付けられません。", "This request cannot be accepted."),
    "account_title": ("マイアカウント — Shomei 証明", "My account — Shomei"),
    "account_heading": ("マイアカウント", "My account"),
    "addresses": ("確認済みのメールアドレス", "Confirmed addresses"),
    "add_address": ("アドレスを追加", "Add an address"),
    "credentials": ("バッジ", "Badges"),
    "no_credentials": (
        "このアカウントのアドレス宛てに発行されたバッジはありません。",
        "No badges were issued to this account's addresses.",
    ),
    "issuer": ("発行者", "Issuer"),
    "achievement": ("バッジ", "Badge"),
    "issued": ("発行日", "Issued"),
    "status": ("状態", "Status"),
    "status_active": ("有効", "Valid"),
    "status_revoked": ("失効", "Revoked"),
    "status_suspended": ("一時停止中", "Suspended"),
    "hosted": ("アプリケーションが追加したバッジ", "Badges your applications added"),
    "hosted_lead": (
        "連携しているアプリケーションがこのアカウントに保存したバッジです。"
        "保存のたびに Shomei の検証を通ったものだけが保存されます。",
        "Badges your connected applications saved in this account. "
        "Only badges that pass Shomei's verification are saved, each time they are saved.",
    ),
    "other_issuer": ("他の発行者", "Other issuer"),
    "this_service": ("Shomei で発行", "Issued on Shomei"),
    "verdict": ("Shomei の検証", "Shomei's verification"),
    "verdict_verified": ("{date} に検証済み", "Verified on {date}"),
    "verdict_expired": ("{date} に検証済み・有効期限切れ", "Verified on {date}; now expired"),
    "applications": ("連携しているアプリケーション", "Connected applications"),
    "no_applications": ("連携しているアプリケーションはありません。", "No connected applications."),
    "granted": ("許可日", "Allowed on"),
    "scopes": ("許可した操作", "What it may do"),
    "revoke": ("連携を解除", "Disconnect"),
    "revoked_done": ("連携を解除しました。", "The application was disconnected."),
    "sign_out": ("サインアウト", "Sign out"),
    "consent_title": ("アクセスの許可 — Shomei 証明", "Allow access — Shomei"),
    "consent_heading": (
        "「{client}」があなたのアカウントへのアクセスを求めています",
        "“{client}” wants to access your account",
    ),
    "consent_lead": (
        "許可すると、このアプリケーションは次の操作ができるようになります。"
        "許可はマイアカウントからいつでも解除できます。",
        "If you allow it, this application will be able to do the following. You can "
        "disconnect it at any time from your account.",
    ),
    "consent_site": ("アプリケーションのサイト", "Application's site"),
    "consent_terms": ("利用規約", "Terms of service"),
    "consent_policy": ("プライバシーポリシー", "Privacy policy"),
    "consent_redirect": ("許可後の移動先", "You will be sent back to"),
    "consent_as": ("サインイン中: {email}", "Signed in as {email}"),
    "allow": ("許可する", "Allow"),
    "deny": ("拒否する", "Deny"),
    "oauth_error_title": ("リクエストを処理できません — Shomei 証明", "Cannot continue — Shomei"),
    "oauth_error": (
        "アプリケーションからのリクエストが正しくありません: {error}",
        "The application's request is not valid: {error}",
    ),
    "scope_credential.readonly": ("あなたのバッジを読み取る", "Read your badges"),
    "scope_credential.upsert": (
        "あなたのアカウントにバッジを追加・更新する",
        "Add or update badges in your account",
    ),
    "scope_profile.readonly": ("あなたのプロフィールを読み取る", "Read your profile"),
    "scope_profile.update": ("あなたのプロフィールを更新する", "Update your profile"),
    "scope_offline_access": (
        "あなたがサインインしていないときもアクセスを続ける",
        "Keep access while you are not signed in",
    ),
}


def account_text(key: str, lang: Lang, **values: object) -> str:
    """A text of the passers' pages, with ``{name}`` placeholders filled from ``values``."""
    text = _pick(ACCOUNT[key], lang)
    return text.format(**values) if values else text
