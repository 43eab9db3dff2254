"""Hypothesis strategies for Open Badges 3.0 credentials."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Control characters are refused at issuance (their canonical escaping differs between
# URDNA2015 and RDFC-1.0), so generated text leaves them out; everything else, CJK included, goes.
text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40)
japanese = st.sampled_from(
    ["生成AI活用検定", "ジェネラリスト", "エンジニア資格", "合格", "証明書", "AIリテラシー"]
)
names = st.one_of(text, japanese, st.builds(lambda a, b: f"{a} {b}", japanese, text))
slugs = st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True)
instants = st.builds(
    lambda y, mo, d, h, mi, s: f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}Z",
    st.integers(2000, 2040),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
)


@st.composite
def credentials(draw: st.DrawFn) -> dict[str, Any]:
    """An unsigned OB 3.0 AchievementCredential with a random mix of optional parts."""
    slug = draw(slugs)
    achievement: dict[str, Any] = {
        "id": f"https://example.org/achievements/{slug}",
        "type": ["Achievement"],
        "name": draw(names),
        "description": draw(names),
        "criteria": {"narrative": draw(names)},
    }
    if draw(st.booleans()):
        achievement["achievementType"] = draw(st.sampled_from(["Certificate", "Badge", "License"]))
    if draw(st.booleans()):
        achievement["image"] = {
            "id": f"https://example.org/images/{slug}.png",
            "type": "Image",
            "caption": draw(names),
        }
    if draw(st.booleans()):
        achievement["tag"] = draw(st.lists(names, min_size=1, max_size=3))
    if draw(st.booleans()):
        achievement["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": draw(names),
                "targetUrl": f"https://example.org/frameworks/{draw(slugs)}",
            }
        ]
    subject: dict[str, Any] = {"type": ["AchievementSubject"], "achievement": achievement}
    if draw(st.booleans()):
        subject["id"] = f"did:example:{draw(slugs)}"
    else:
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityHash": "sha256$" + draw(st.from_regex(r"[0-9a-f]{64}", fullmatch=True)),
                "salt": draw(st.from_regex(r"[0-9a-f]{32}", fullmatch=True)),
                "hashed": True,
                "identityType": "emailAddress",
            }
        ]
    if draw(st.booleans()):
        subject["result"] = [
            {
                "type": ["Result"],
                "value": str(draw(st.integers(0, 1000))),
            }
        ]
    if draw(st.booleans()):
        subject["creditsEarned"] = draw(
            st.one_of(st.integers(0, 200), st.floats(0, 200, allow_nan=False).map(float))
        )
    credential: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"urn:uuid:{draw(st.uuids())}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": f"https://example.org/issuers/{draw(slugs)}",
            "type": ["Profile"],
            "name": draw(names),
        },
        "validFrom": draw(instants),
        "name": draw(names),
        "credentialSubject": subject,
    }
    if draw(st.booleans()):
        credential["validUntil"] = draw(instants)
    if draw(st.booleans()):
        credential["evidence"] = [
            {"type": ["Evidence"], "name": draw(names), "narrative": draw(names)}
        ]
    return credential
