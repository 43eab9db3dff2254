"""Look-alike issuer names: the confusable skeleton of Unicode TR39, and invisible characters.

A verifier shows a badge's issuer by name, so one issuer must not take a name that looks like
another's: the same name, a confusable spelling (Cyrillic U+0410 for Latin ``A``, katakana
``カ`` for the kanji ``力``), or one hiding bidirectional or zero-width controls.

:func:`skeleton` follows UTS #39 "Unicode Security Mechanisms", section 4 "Confusable
Detection" (https://www.unicode.org/reports/tr39/#Confusable_Detection): NFD, each character
replaced by its prototype, NFD again. Two strings are confusable when their skeletons are
equal. Before that it applies NFKC (which folds full-width and mathematical letters) and it
collapses white space. Names that differ only in case look alike too, but TR39 maps some
letters by case (``I`` to ``l``, not ``i``), so :func:`skeletons` gives two skeletons, of the
case-folded name and case-folded after mapping, and names clash when any of them are equal.

No library on PyPI computes the TR39 skeleton without building ICU from source (PyICU ships
no wheels; confusable-homoglyphs keeps no prototype direction; disarm departs from TR39 on
purpose), so :data:`PROTOTYPES` is a table taken from UTS #39's ``confusables.txt``, version
14.0.0 (https://www.unicode.org/Public/security/14.0.0/confusables.txt): every single-character
mapping whose source is left unchanged by NFKC and is either

- a Latin, Greek, Cyrillic, Armenian, Coptic or Cherokee letter, or a digit, whose prototype is
  ASCII letters or digits, or
- a CJK ideograph, radical or stroke, or a kana, whose prototype is the same.

These are the scripts an issuer's name is written in here (Latin and Japanese) and the letters
that can pass for them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Letters that render as nothing, although not of category Cf (Hangul fillers, braille blank).
_INVISIBLE_LETTERS: Final = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_SPACES: Final = re.compile(r"\s+")


def invisible_character(name: str) -> str | None:
    """The first bidirectional, zero-width or other invisible formatting character, if any.

    Every character of general category Cf ("format": U+200B-U+200F, U+202A-U+202E,
    U+2060-U+2069, U+FEFF, U+00AD ...) changes how the text around it shows without showing
    itself (https://www.unicode.org/reports/tr9/#Explicit_Directional_Formatting_Characters).
    """
    for char in name:
        if unicodedata.category(char) == "Cf" or char in _INVISIBLE_LETTERS:
            return char
    return None


def skeleton(name: str) -> str:
    """The name's confusable skeleton (UTS #39 section 4, after NFKC, spaces collapsed)."""
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", name))
    mapped = unicodedata.normalize("NFD", "".join(PROTOTYPES.get(char, char) for char in text))
    return _SPACES.sub(" ", mapped).strip()


def skeletons(name: str) -> frozenset[str]:
    """The skeletons of ``name`` whatever its case: two names look alike if they share one."""
    return frozenset(
        {skeleton(name).casefold(), skeleton(unicodedata.normalize("NFKC", name).casefold())}
    )


PROTOTYPES: Final[dict[str, str]] = {
    "\u31d0": "\u30fc",  # CJK STROKE H -> KATAKANA-HIRAGANA PROLONGED SOUND MARK
    "\u4e00": "\u30fc",  # CJK UNIFIED IDEOGRAPH-4E00 -> KATAKANA-HIRAGANA PROLONGED SOUND MARK
    "\ua75a": "2",  # LATIN CAPITAL LETTER R ROTUNDA -> 2
    "\u01a7": "2",  # LATIN CAPITAL LETTER TONE TWO -> 2
    "\u03e8": "2",  # COPTIC CAPITAL LETTER HORI -> 2
    "\ua644": "2",  # CYRILLIC CAPITAL LETTER REVERSED DZE -> 2
    "\U0001d206": "3",  # GREEK VOCAL NOTATION SYMBOL-7 -> 3
    "\ua7ab": "3",  # LATIN CAPITAL LETTER REVERSED OPEN E -> 3
    "\u021c": "3",  # LATIN CAPITAL LETTER YOGH -> 3
    "\u01b7": "3",  # LATIN CAPITAL LETTER EZH -> 3
    "\ua76a": "3",  # LATIN CAPITAL LETTER ET -> 3
    "\u2ccc": "3",  # COPTIC CAPITAL LETTER OLD COPTIC HORI -> 3
    "\u0417": "3",  # CYRILLIC CAPITAL LETTER ZE -> 3
    "\u04e0": "3",  # CYRILLIC CAPITAL LETTER ABKHASIAN DZE -> 3
    "\u13ce": "4",  # CHEROKEE LETTER SE -> 4
    "\u01bc": "5",  # LATIN CAPITAL LETTER TONE FIVE -> 5
    "\u2cd2": "6",  # COPTIC CAPITAL LETTER OLD COPTIC HEI -> 6
    "\u0431": "6",  # CYRILLIC SMALL LETTER BE -> 6
    "\u13ee": "6",  # CHEROKEE LETTER WV -> 6
    "\U0001d212": "7",  # GREEK VOCAL NOTATION SYMBOL-19 -> 7
    "\u0223": "8",  # LATIN SMALL LETTER OU -> 8
    "\u0222": "8",  # LATIN CAPITAL LETTER OU -> 8
    "\ua76e": "9",  # LATIN CAPITAL LETTER CON -> 9
    "\u2cca": "9",  # COPTIC CAPITAL LETTER DIALECT-P HORI -> 9
    "\u0251": "a",  # LATIN SMALL LETTER ALPHA -> a
    "\u03b1": "a",  # GREEK SMALL LETTER ALPHA -> a
    "\u0430": "a",  # CYRILLIC SMALL LETTER A -> a
    "\u0391": "A",  # GREEK CAPITAL LETTER ALPHA -> A
    "\u0410": "A",  # CYRILLIC CAPITAL LETTER A -> A
    "\u13aa": "A",  # CHEROKEE LETTER GO -> A
    "\ua733": "aa",  # LATIN SMALL LETTER AA -> aa
    "\ua732": "AA",  # LATIN CAPITAL LETTER AA -> AA
    "\u00e6": "ae",  # LATIN SMALL LETTER AE -> ae
    "\u04d5": "ae",  # CYRILLIC SMALL LIGATURE A IE -> ae
    "\u00c6": "AE",  # LATIN CAPITAL LETTER AE -> AE
    "\u04d4": "AE",  # CYRILLIC CAPITAL LIGATURE A IE -> AE
    "\ua735": "ao",  # LATIN SMALL LETTER AO -> ao
    "\ua734": "AO",  # LATIN CAPITAL LETTER AO -> AO
    "\ua737": "au",  # LATIN SMALL LETTER AU -> au
    "\ua736": "AU",  # LATIN CAPITAL LETTER AU -> AU
    "\ua739": "av",  # LATIN SMALL LETTER AV -> av
    "\ua73b": "av",  # LATIN SMALL LETTER AV WITH HORIZONTAL BAR -> av
    "\ua738": "AV",  # LATIN CAPITAL LETTER AV -> AV
    "\ua73a": "AV",  # LATIN CAPITAL LETTER AV WITH HORIZONTAL BAR -> AV
    "\ua73d": "ay",  # LATIN SMALL LETTER AY -> ay
    "\ua73c": "AY",  # LATIN CAPITAL LETTER AY -> AY
    "\u0184": "b",  # LATIN CAPITAL LETTER TONE SIX -> b
    "\u042c": "b",  # CYRILLIC CAPITAL LETTER SOFT SIGN -> b
    "\u13cf": "b",  # CHEROKEE LETTER SI -> b
    "\ua7b4": "B",  # LATIN CAPITAL LETTER BETA -> B
    "\u0392": "B",  # GREEK CAPITAL LETTER BETA -> B
    "\u0412": "B",  # CYRILLIC CAPITAL LETTER VE -> B
    "\u13f4": "B",  # CHEROKEE LETTER YV -> B
    "\u042b": "bl",  # CYRILLIC CAPITAL LETTER YERU -> bl
    "\u1d04": "c",  # LATIN LETTER SMALL CAPITAL C -> c
    "\u2ca5": "c",  # COPTIC SMALL LETTER SIMA -> c
    "\u0441": "c",  # CYRILLIC SMALL LETTER ES -> c
    "\uabaf": "c",  # CHEROKEE SMALL LETTER TLI -> c
    "\u2ca4": "C",  # COPTIC CAPITAL LETTER SIMA -> C
    "\u0421": "C",  # CYRILLIC CAPITAL LETTER ES -> C
    "\u13df": "C",  # CHEROKEE LETTER TLI -> C
    "\u0501": "d",  # CYRILLIC SMALL LETTER KOMI DE -> d
    "\u13e7": "d",  # CHEROKEE LETTER TSU -> d
    "\u13a0": "D",  # CHEROKEE LETTER A -> D
    "\u02a3": "dz",  # LATIN SMALL LETTER DZ DIGRAPH -> dz
    "\uab32": "e",  # LATIN SMALL LETTER BLACKLETTER E -> e
    "\u0435": "e",  # CYRILLIC SMALL LETTER IE -> e
    "\u04bd": "e",  # CYRILLIC SMALL LETTER ABKHASIAN CHE -> e
    "\u0395": "E",  # GREEK CAPITAL LETTER EPSILON -> E
    "\u0415": "E",  # CYRILLIC CAPITAL LETTER IE -> E
    "\u13ac": "E",  # CHEROKEE LETTER GV -> E
    "\uab35": "f",  # LATIN SMALL LETTER LENIS F -> f
    "\ua799": "f",  # LATIN SMALL LETTER F WITH STROKE -> f
    "\u1e9d": "f",  # LATIN SMALL LETTER LONG S WITH HIGH STROKE -> f
    "\u0584": "f",  # ARMENIAN SMALL LETTER KEH -> f
    "\U0001d213": "F",  # GREEK VOCAL NOTATION SYMBOL-20 -> F
    "\ua798": "F",  # LATIN CAPITAL LETTER F WITH STROKE -> F
    "\u03dc": "F",  # GREEK LETTER DIGAMMA -> F
    "\u0261": "g",  # LATIN SMALL LETTER SCRIPT G -> g
    "\u1d83": "g",  # LATIN SMALL LETTER G WITH PALATAL HOOK -> g
    "\u018d": "g",  # LATIN SMALL LETTER TURNED DELTA -> g
    "\u0581": "g",  # ARMENIAN SMALL LETTER CO -> g
    "\u050c": "G",  # CYRILLIC CAPITAL LETTER KOMI SJE -> G
    "\u13c0": "G",  # CHEROKEE LETTER NAH -> G
    "\u13f3": "G",  # CHEROKEE LETTER YU -> G
    "\u04bb": "h",  # CYRILLIC SMALL LETTER SHHA -> h
    "\u0570": "h",  # ARMENIAN SMALL LETTER HO -> h
    "\u13c2": "h",  # CHEROKEE LETTER NI -> h
    "\u0397": "H",  # GREEK CAPITAL LETTER ETA -> H
    "\u2c8e": "H",  # COPTIC CAPITAL LETTER HATE -> H
    "\u041d": "H",  # CYRILLIC CAPITAL LETTER EN -> H
    "\u13bb": "H",  # CHEROKEE LETTER MI -> H
    "\u0131": "i",  # LATIN SMALL LETTER DOTLESS I -> i
    "\u026a": "i",  # LATIN LETTER SMALL CAPITAL I -> i
    "\u0269": "i",  # LATIN SMALL LETTER IOTA -> i
    "\u03b9": "i",  # GREEK SMALL LETTER IOTA -> i
    "\u0456": "i",  # CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I -> i
    "\ua647": "i",  # CYRILLIC SMALL LETTER IOTA -> i
    "\u04cf": "i",  # CYRILLIC SMALL LETTER PALOCHKA -> i
    "\uab75": "i",  # CHEROKEE SMALL LETTER V -> i
    "\u13a5": "i",  # CHEROKEE LETTER V -> i
    "\u03f3": "j",  # GREEK LETTER YOT -> j
    "\u0458": "j",  # CYRILLIC SMALL LETTER JE -> j
    "\ua7b2": "J",  # LATIN CAPITAL LETTER J WITH CROSSED-TAIL -> J
    "\u037f": "J",  # GREEK CAPITAL LETTER YOT -> J
    "\u0408": "J",  # CYRILLIC CAPITAL LETTER JE -> J
    "\u13ab": "J",  # CHEROKEE LETTER GU -> J
    "\u039a": "K",  # GREEK CAPITAL LETTER KAPPA -> K
    "\u2c94": "K",  # COPTIC CAPITAL LETTER KAPA -> K
    "\u041a": "K",  # CYRILLIC CAPITAL LETTER KA -> K
    "\u13e6": "K",  # CHEROKEE LETTER TSO -> K
    "1": "l",  # DIGIT ONE -> l
    "I": "l",  # LATIN CAPITAL LETTER I -> l
    "\u0196": "l",  # LATIN CAPITAL LETTER IOTA -> l
    "\u01c0": "l",  # LATIN LETTER DENTAL CLICK -> l
    "\u0399": "l",  # GREEK CAPITAL LETTER IOTA -> l
    "\u2c92": "l",  # COPTIC CAPITAL LETTER IAUDA -> l
    "\u0406": "l",  # CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I -> l
    "\u04c0": "l",  # CYRILLIC LETTER PALOCHKA -> l
    "\U0001d22a": "L",  # GREEK INSTRUMENTAL NOTATION SYMBOL-23 -> L
    "\u2cd0": "L",  # COPTIC CAPITAL LETTER L-SHAPED HA -> L
    "\u13de": "L",  # CHEROKEE LETTER TLE -> L
    "\u01c1": "ll",  # LATIN LETTER LATERAL CLICK -> ll
    "\u042e": "lO",  # CYRILLIC CAPITAL LETTER YU -> lO
    "\u02aa": "ls",  # LATIN SMALL LETTER LS DIGRAPH -> ls
    "\u02ab": "lz",  # LATIN SMALL LETTER LZ DIGRAPH -> lz
    "\u039c": "M",  # GREEK CAPITAL LETTER MU -> M
    "\u03fa": "M",  # GREEK CAPITAL LETTER SAN -> M
    "\u2c98": "M",  # COPTIC CAPITAL LETTER MI -> M
    "\u041c": "M",  # CYRILLIC CAPITAL LETTER EM -> M
    "\u13b7": "M",  # CHEROKEE LETTER LU -> M
    "\u0578": "n",  # ARMENIAN SMALL LETTER VO -> n
    "\u057c": "n",  # ARMENIAN SMALL LETTER RA -> n
    "\u039d": "N",  # GREEK CAPITAL LETTER NU -> N
    "\u2c9a": "N",  # COPTIC CAPITAL LETTER NI -> N
    "\u1d0f": "o",  # LATIN LETTER SMALL CAPITAL O -> o
    "\u1d11": "o",  # LATIN SMALL LETTER SIDEWAYS O -> o
    "\uab3d": "o",  # LATIN SMALL LETTER BLACKLETTER O -> o
    "\u03bf": "o",  # GREEK SMALL LETTER OMICRON -> o
    "\u03c3": "o",  # GREEK SMALL LETTER SIGMA -> o
    "\u2c9f": "o",  # COPTIC SMALL LETTER O -> o
    "\u043e": "o",  # CYRILLIC SMALL LETTER O -> o
    "\u0585": "o",  # ARMENIAN SMALL LETTER OH -> o
    "0": "O",  # DIGIT ZERO -> O
    "\u039f": "O",  # GREEK CAPITAL LETTER OMICRON -> O
    "\u2c9e": "O",  # COPTIC CAPITAL LETTER O -> O
    "\u041e": "O",  # CYRILLIC CAPITAL LETTER O -> O
    "\u0555": "O",  # ARMENIAN CAPITAL LETTER OH -> O
    "\u0153": "oe",  # LATIN SMALL LIGATURE OE -> oe
    "\u0152": "OE",  # LATIN CAPITAL LIGATURE OE -> OE
    "\ua74f": "oo",  # LATIN SMALL LETTER OO -> oo
    "\ua699": "oo",  # CYRILLIC SMALL LETTER DOUBLE O -> oo
    "\ua74e": "OO",  # LATIN CAPITAL LETTER OO -> OO
    "\ua698": "OO",  # CYRILLIC CAPITAL LETTER DOUBLE O -> OO
    "\u03c1": "p",  # GREEK SMALL LETTER RHO -> p
    "\u2ca3": "p",  # COPTIC SMALL LETTER RO -> p
    "\u0440": "p",  # CYRILLIC SMALL LETTER ER -> p
    "\u03a1": "P",  # GREEK CAPITAL LETTER RHO -> P
    "\u2ca2": "P",  # COPTIC CAPITAL LETTER RO -> P
    "\u0420": "P",  # CYRILLIC CAPITAL LETTER ER -> P
    "\u13e2": "P",  # CHEROKEE LETTER TLV -> P
    "\u051b": "q",  # CYRILLIC SMALL LETTER QA -> q
    "\u0563": "q",  # ARMENIAN SMALL LETTER GIM -> q
    "\u0566": "q",  # ARMENIAN SMALL LETTER ZA -> q
    "\uab47": "r",  # LATIN SMALL LETTER R WITHOUT HANDLE -> r
    "\uab48": "r",  # LATIN SMALL LETTER DOUBLE R -> r
    "\u1d26": "r",  # GREEK LETTER SMALL CAPITAL GAMMA -> r
    "\u2c85": "r",  # COPTIC SMALL LETTER GAMMA -> r
    "\u0433": "r",  # CYRILLIC SMALL LETTER GHE -> r
    "\uab81": "r",  # CHEROKEE SMALL LETTER HU -> r
    "\U0001d216": "R",  # GREEK VOCAL NOTATION SYMBOL-23 -> R
    "\u01a6": "R",  # LATIN LETTER YR -> R
    "\u13a1": "R",  # CHEROKEE LETTER E -> R
    "\u13d2": "R",  # CHEROKEE LETTER SV -> R
    "m": "rn",  # LATIN SMALL LETTER M -> rn
    "\ua731": "s",  # LATIN LETTER SMALL CAPITAL S -> s
    "\u01bd": "s",  # LATIN SMALL LETTER TONE FIVE -> s
    "\u0455": "s",  # CYRILLIC SMALL LETTER DZE -> s
    "\uabaa": "s",  # CHEROKEE SMALL LETTER DU -> s
    "\u0405": "S",  # CYRILLIC CAPITAL LETTER DZE -> S
    "\u054f": "S",  # ARMENIAN CAPITAL LETTER TIWN -> S
    "\u13d5": "S",  # CHEROKEE LETTER DE -> S
    "\u13da": "S",  # CHEROKEE LETTER DU -> S
    "\u03a4": "T",  # GREEK CAPITAL LETTER TAU -> T
    "\u2ca6": "T",  # COPTIC CAPITAL LETTER TAU -> T
    "\u0422": "T",  # CYRILLIC CAPITAL LETTER TE -> T
    "\u13a2": "T",  # CHEROKEE LETTER I -> T
    "\ua728": "T3",  # LATIN CAPITAL LETTER TZ -> T3
    "\ua777": "tf",  # LATIN SMALL LETTER TUM -> tf
    "\u02a6": "ts",  # LATIN SMALL LETTER TS DIGRAPH -> ts
    "\ua79f": "u",  # LATIN SMALL LETTER VOLAPUK UE -> u
    "\u1d1c": "u",  # LATIN LETTER SMALL CAPITAL U -> u
    "\uab4e": "u",  # LATIN SMALL LETTER U WITH SHORT RIGHT LEG -> u
    "\uab52": "u",  # LATIN SMALL LETTER U WITH LEFT HOOK -> u
    "\u028b": "u",  # LATIN SMALL LETTER V WITH HOOK -> u
    "\u03c5": "u",  # GREEK SMALL LETTER UPSILON -> u
    "\u057d": "u",  # ARMENIAN SMALL LETTER SEH -> u
    "\u054d": "U",  # ARMENIAN CAPITAL LETTER SEH -> U
    "\u1d6b": "ue",  # LATIN SMALL LETTER UE -> ue
    "\uab63": "uo",  # LATIN SMALL LETTER UO -> uo
    "\u1d20": "v",  # LATIN LETTER SMALL CAPITAL V -> v
    "\u03bd": "v",  # GREEK SMALL LETTER NU -> v
    "\u0475": "v",  # CYRILLIC SMALL LETTER IZHITSA -> v
    "\uaba9": "v",  # CHEROKEE SMALL LETTER DO -> v
    "\U0001d20d": "V",  # GREEK VOCAL NOTATION SYMBOL-14 -> V
    "\u0474": "V",  # CYRILLIC CAPITAL LETTER IZHITSA -> V
    "\u13d9": "V",  # CHEROKEE LETTER DO -> V
    "\u026f": "w",  # LATIN SMALL LETTER TURNED M -> w
    "\u1d21": "w",  # LATIN LETTER SMALL CAPITAL W -> w
    "\u0461": "w",  # CYRILLIC SMALL LETTER OMEGA -> w
    "\u051d": "w",  # CYRILLIC SMALL LETTER WE -> w
    "\u0561": "w",  # ARMENIAN SMALL LETTER AYB -> w
    "\uab83": "w",  # CHEROKEE SMALL LETTER LA -> w
    "\u051c": "W",  # CYRILLIC CAPITAL LETTER WE -> W
    "\u13b3": "W",  # CHEROKEE LETTER LA -> W
    "\u13d4": "W",  # CHEROKEE LETTER TA -> W
    "\u0445": "x",  # CYRILLIC SMALL LETTER HA -> x
    "\ua7b3": "X",  # LATIN CAPITAL LETTER CHI -> X
    "\u03a7": "X",  # GREEK CAPITAL LETTER CHI -> X
    "\u2cac": "X",  # COPTIC CAPITAL LETTER KHI -> X
    "\u0425": "X",  # CYRILLIC CAPITAL LETTER HA -> X
    "\u0263": "y",  # LATIN SMALL LETTER GAMMA -> y
    "\u1d8c": "y",  # LATIN SMALL LETTER V WITH PALATAL HOOK -> y
    "\u028f": "y",  # LATIN LETTER SMALL CAPITAL Y -> y
    "\u1eff": "y",  # LATIN SMALL LETTER Y WITH LOOP -> y
    "\uab5a": "y",  # LATIN SMALL LETTER Y WITH SHORT RIGHT LEG -> y
    "\u03b3": "y",  # GREEK SMALL LETTER GAMMA -> y
    "\u0443": "y",  # CYRILLIC SMALL LETTER U -> y
    "\u04af": "y",  # CYRILLIC SMALL LETTER STRAIGHT U -> y
    "\u03a5": "Y",  # GREEK CAPITAL LETTER UPSILON -> Y
    "\u2ca8": "Y",  # COPTIC CAPITAL LETTER UA -> Y
    "\u0423": "Y",  # CYRILLIC CAPITAL LETTER U -> Y
    "\u04ae": "Y",  # CYRILLIC CAPITAL LETTER STRAIGHT U -> Y
    "\u13a9": "Y",  # CHEROKEE LETTER GI -> Y
    "\u13bd": "Y",  # CHEROKEE LETTER MU -> Y
    "\u1d22": "z",  # LATIN LETTER SMALL CAPITAL Z -> z
    "\uab93": "z",  # CHEROKEE SMALL LETTER NO -> z
    "\U000102f5": "Z",  # COPTIC EPACT NUMBER THREE HUNDRED -> Z
    "\u0396": "Z",  # GREEK CAPITAL LETTER ZETA -> Z
    "\u13c3": "Z",  # CHEROKEE LETTER NO -> Z
    "\u30d8": "\u3078",  # KATAKANA LETTER HE -> HIRAGANA LETTER HE
    "\u31d1": "\u4e28",  # CJK STROKE S -> CJK UNIFIED IDEOGRAPH-4E28
    "\u31e0": "\u4e59",  # CJK STROKE HXWG -> CJK UNIFIED IDEOGRAPH-4E59
    "\u31df": "\u4e5a",  # CJK STROKE SWG -> CJK UNIFIED IDEOGRAPH-4E5A
    "\u2e83": "\u4e5a",  # CJK RADICAL SECOND TWO -> CJK UNIFIED IDEOGRAPH-4E5A
    "\u31d6": "\u4e5b",  # CJK STROKE HG -> CJK UNIFIED IDEOGRAPH-4E5B
    "\u2e82": "\u4e5b",  # CJK RADICAL SECOND ONE -> CJK UNIFIED IDEOGRAPH-4E5B
    "\u2ef2": "\u4e80",  # CJK RADICAL J-SIMPLIFIED TURTLE -> CJK UNIFIED IDEOGRAPH-4E80
    "\u31da": "\u4e85",  # CJK STROKE SG -> CJK UNIFIED IDEOGRAPH-4E85
    "\u30cb": "\u4e8c",  # KATAKANA LETTER NI -> CJK UNIFIED IDEOGRAPH-4E8C
    "\u30a4": "\u4ebb",  # KATAKANA LETTER I -> CJK UNIFIED IDEOGRAPH-4EBB
    "\u2e85": "\u4ebb",  # CJK RADICAL PERSON -> CJK UNIFIED IDEOGRAPH-4EBB
    "\u5002": "\u4f75",  # CJK UNIFIED IDEOGRAPH-5002 -> CJK UNIFIED IDEOGRAPH-4F75
    "\u503c": "\u5024",  # CJK UNIFIED IDEOGRAPH-503C -> CJK UNIFIED IDEOGRAPH-5024
    "\u2e8e": "\u5140",  # CJK RADICAL LAME ONE -> CJK UNIFIED IDEOGRAPH-5140
    "\u30cf": "\u516b",  # KATAKANA LETTER HA -> CJK UNIFIED IDEOGRAPH-516B
    "\u2e89": "\u5202",  # CJK RADICAL KNIFE TWO -> CJK UNIFIED IDEOGRAPH-5202
    "\u30ab": "\u529b",  # KATAKANA LETTER KA -> CJK UNIFIED IDEOGRAPH-529B
    "\u30c8": "\u535c",  # KATAKANA LETTER TO -> CJK UNIFIED IDEOGRAPH-535C
    "\u2e8b": "\u353e",  # CJK RADICAL SEAL -> CJK UNIFIED IDEOGRAPH-353E
    "\u30ed": "\u53e3",  # KATAKANA LETTER RO -> CJK UNIFIED IDEOGRAPH-53E3
    "\u56d7": "\u53e3",  # CJK UNIFIED IDEOGRAPH-56D7 -> CJK UNIFIED IDEOGRAPH-53E3
    "\u439b": "\u3588",  # CJK UNIFIED IDEOGRAPH-439B -> CJK UNIFIED IDEOGRAPH-3588
    "\u555f": "\u5553",  # CJK UNIFIED IDEOGRAPH-555F -> CJK UNIFIED IDEOGRAPH-5553
    "\u58eb": "\u571f",  # CJK UNIFIED IDEOGRAPH-58EB -> CJK UNIFIED IDEOGRAPH-571F
    "\u39b3": "\u363d",  # CJK UNIFIED IDEOGRAPH-39B3 -> CJK UNIFIED IDEOGRAPH-363D
    "\u586b": "\u5861",  # CJK UNIFIED IDEOGRAPH-586B -> CJK UNIFIED IDEOGRAPH-5861
    "\u58ff": "\u58ab",  # CJK UNIFIED IDEOGRAPH-58FF -> CJK UNIFIED IDEOGRAPH-58AB
    "\u30bf": "\u5915",  # KATAKANA LETTER TA -> CJK UNIFIED IDEOGRAPH-5915
    "\u5b00": "\u5aaf",  # CJK UNIFIED IDEOGRAPH-5B00 -> CJK UNIFIED IDEOGRAPH-5AAF
    "\u2e90": "\u5c22",  # CJK RADICAL LAME THREE -> CJK UNIFIED IDEOGRAPH-5C22
    "\u2e8f": "\u5c23",  # CJK RADICAL LAME TWO -> CJK UNIFIED IDEOGRAPH-5C23
    "\u30a8": "\u5de5",  # KATAKANA LETTER E -> CJK UNIFIED IDEOGRAPH-5DE5
    "\u2e92": "\u5df3",  # CJK RADICAL SNAKE -> CJK UNIFIED IDEOGRAPH-5DF3
    "\u5e32": "\u5e21",  # CJK UNIFIED IDEOGRAPH-5E32 -> CJK UNIFIED IDEOGRAPH-5E21
    "\u2e93": "\u5e7a",  # CJK RADICAL THREAD -> CJK UNIFIED IDEOGRAPH-5E7A
    "\u2e94": "\u5f51",  # CJK RADICAL SNOUT ONE -> CJK UNIFIED IDEOGRAPH-5F51
    "\u2e96": "\u5fc4",  # CJK RADICAL HEART ONE -> CJK UNIFIED IDEOGRAPH-5FC4
    "\u2e97": "\u38fa",  # CJK RADICAL HEART TWO -> CJK UNIFIED IDEOGRAPH-38FA
    "\u6238": "\u6236",  # CJK UNIFIED IDEOGRAPH-6238 -> CJK UNIFIED IDEOGRAPH-6236
    "\u2e98": "\u624c",  # CJK RADICAL HAND -> CJK UNIFIED IDEOGRAPH-624C
    "\u6409": "\u3a41",  # CJK UNIFIED IDEOGRAPH-6409 -> CJK UNIFIED IDEOGRAPH-3A41
    "\u2e99": "\u6535",  # CJK RADICAL RAP -> CJK UNIFIED IDEOGRAPH-6535
    "\u2eeb": "\u6589",  # CJK RADICAL J-SIMPLIFIED EVEN -> CJK UNIFIED IDEOGRAPH-6589
    "\u2e9b": "\u65e1",  # CJK RADICAL CHOKE -> CJK UNIFIED IDEOGRAPH-65E1
    "\u66f6": "\u3ada",  # CJK UNIFIED IDEOGRAPH-66F6 -> CJK UNIFIED IDEOGRAPH-3ADA
    "\u6669": "\u665a",  # CJK UNIFIED IDEOGRAPH-6669 -> CJK UNIFIED IDEOGRAPH-665A
    "\u80a6": "\u670c",  # CJK UNIFIED IDEOGRAPH-80A6 -> CJK UNIFIED IDEOGRAPH-670C
    "\u80d0": "\u670f",  # CJK UNIFIED IDEOGRAPH-80D0 -> CJK UNIFIED IDEOGRAPH-670F
    "\u80ca": "\u6710",  # CJK UNIFIED IDEOGRAPH-80CA -> CJK UNIFIED IDEOGRAPH-6710
    "\u8101": "\u6713",  # CJK UNIFIED IDEOGRAPH-8101 -> CJK UNIFIED IDEOGRAPH-6713
    "\u80f6": "\u3b35",  # CJK UNIFIED IDEOGRAPH-80F6 -> CJK UNIFIED IDEOGRAPH-3B35
    "\u8127": "\u6718",  # CJK UNIFIED IDEOGRAPH-8127 -> CJK UNIFIED IDEOGRAPH-6718
    "\u5e50": "\u3b3a",  # CJK UNIFIED IDEOGRAPH-5E50 -> CJK UNIFIED IDEOGRAPH-3B3A
    "\u4420": "\u3b3b",  # CJK UNIFIED IDEOGRAPH-4420 -> CJK UNIFIED IDEOGRAPH-3B3B
    "\u81a7": "\u6723",  # CJK UNIFIED IDEOGRAPH-81A7 -> CJK UNIFIED IDEOGRAPH-6723
    "\u67ff": "\u676e",  # CJK UNIFIED IDEOGRAPH-67FF -> CJK UNIFIED IDEOGRAPH-676E
    "\u69e9": "\u3ba3",  # CJK UNIFIED IDEOGRAPH-69E9 -> CJK UNIFIED IDEOGRAPH-3BA3
    "\u6a27": "\u699d",  # CJK UNIFIED IDEOGRAPH-6A27 -> CJK UNIFIED IDEOGRAPH-699D
    "\u2eed": "\u6b6f",  # CJK RADICAL J-SIMPLIFIED TOOTH -> CJK UNIFIED IDEOGRAPH-6B6F
    "\u2e9e": "\u6b7a",  # CJK RADICAL DEATH -> CJK UNIFIED IDEOGRAPH-6B7A
    "\u2ea0": "\u6c11",  # CJK RADICAL CIVILIAN -> CJK UNIFIED IDEOGRAPH-6C11
    "\u2ea1": "\u6c35",  # CJK RADICAL WATER ONE -> CJK UNIFIED IDEOGRAPH-6C35
    "\u2ea2": "\u6c3a",  # CJK RADICAL WATER TWO -> CJK UNIFIED IDEOGRAPH-6C3A
    "\u6f59": "\u6e88",  # CJK UNIFIED IDEOGRAPH-6F59 -> CJK UNIFIED IDEOGRAPH-6E88
    "\u2ea3": "\u706c",  # CJK RADICAL FIRE -> CJK UNIFIED IDEOGRAPH-706C
    "\u2ea4": "\u722b",  # CJK RADICAL PAW ONE -> CJK UNIFIED IDEOGRAPH-722B
    "\u2ea6": "\u4e2c",  # CJK RADICAL SIMPLIFIED HALF TREE TRUNK -> CJK UNIFIED IDEOGRAPH-4E2C
    "\u2ea8": "\u72ad",  # CJK RADICAL DOG -> CJK UNIFIED IDEOGRAPH-72AD
    "\u9fc3": "\u4039",  # CJK UNIFIED IDEOGRAPH-9FC3 -> CJK UNIFIED IDEOGRAPH-4039
    "\u6663": "\u403f",  # CJK UNIFIED IDEOGRAPH-6663 -> CJK UNIFIED IDEOGRAPH-403F
    "\u784f": "\u7814",  # CJK UNIFIED IDEOGRAPH-784F -> CJK UNIFIED IDEOGRAPH-7814
    "\u2ead": "\u793b",  # CJK RADICAL SPIRIT TWO -> CJK UNIFIED IDEOGRAPH-793B
    "\u2eef": "\u7adc",  # CJK RADICAL J-SIMPLIFIED DRAGON -> CJK UNIFIED IDEOGRAPH-7ADC
    "\u2eaf": "\u7cf9",  # CJK RADICAL SILK -> CJK UNIFIED IDEOGRAPH-7CF9
    "\u7d76": "\u7d55",  # CJK UNIFIED IDEOGRAPH-7D76 -> CJK UNIFIED IDEOGRAPH-7D55
    "\u2eab": "\u7f52",  # CJK RADICAL EYE -> CJK UNIFIED IDEOGRAPH-7F52
    "\u2eb2": "\u7f52",  # CJK RADICAL NET TWO -> CJK UNIFIED IDEOGRAPH-7F52
    "\u2eb1": "\u7f53",  # CJK RADICAL NET ONE -> CJK UNIFIED IDEOGRAPH-7F53
    "\u2eb9": "\u8002",  # CJK RADICAL OLD -> CJK UNIFIED IDEOGRAPH-8002
    "\u2eba": "\u8080",  # CJK RADICAL BRUSH ONE -> CJK UNIFIED IDEOGRAPH-8080
    "\u8141": "\u80fc",  # CJK UNIFIED IDEOGRAPH-8141 -> CJK UNIFIED IDEOGRAPH-80FC
    "\u6726": "\u4443",  # CJK UNIFIED IDEOGRAPH-6726 -> CJK UNIFIED IDEOGRAPH-4443
    "\u2ebe": "\u8279",  # CJK RADICAL GRASS ONE -> CJK UNIFIED IDEOGRAPH-8279
    "\u2ebf": "\u8279",  # CJK RADICAL GRASS TWO -> CJK UNIFIED IDEOGRAPH-8279
    "\u2ec0": "\u8279",  # CJK RADICAL GRASS THREE -> CJK UNIFIED IDEOGRAPH-8279
    "\u853f": "\u848d",  # CJK UNIFIED IDEOGRAPH-853F -> CJK UNIFIED IDEOGRAPH-848D
    "\u8641": "\u8637",  # CJK UNIFIED IDEOGRAPH-8641 -> CJK UNIFIED IDEOGRAPH-8637
    "\u2ec1": "\u864e",  # CJK RADICAL TIGER -> CJK UNIFIED IDEOGRAPH-864E
    "\u2ec2": "\u8864",  # CJK RADICAL CLOTHES -> CJK UNIFIED IDEOGRAPH-8864
    "\u2ec4": "\u897f",  # CJK RADICAL WEST TWO -> CJK UNIFIED IDEOGRAPH-897F
    "\u2ec3": "\u8980",  # CJK RADICAL WEST ONE -> CJK UNIFIED IDEOGRAPH-8980
    "\u2ec5": "\u89c1",  # CJK RADICAL C-SIMPLIFIED SEE -> CJK UNIFIED IDEOGRAPH-89C1
    "\u8a7d": "\u8a2e",  # CJK UNIFIED IDEOGRAPH-8A7D -> CJK UNIFIED IDEOGRAPH-8A2E
    "\u8a1e": "\u46b6",  # CJK UNIFIED IDEOGRAPH-8A1E -> CJK UNIFIED IDEOGRAPH-46B6
    "\u8b8f": "\u8b86",  # CJK UNIFIED IDEOGRAPH-8B8F -> CJK UNIFIED IDEOGRAPH-8B86
    "\u2ec8": "\u8ba0",  # CJK RADICAL C-SIMPLIFIED SPEECH -> CJK UNIFIED IDEOGRAPH-8BA0
    "\u8c63": "\u8c5c",  # CJK UNIFIED IDEOGRAPH-8C63 -> CJK UNIFIED IDEOGRAPH-8C5C
    "\u2ec9": "\u8d1d",  # CJK RADICAL C-SIMPLIFIED SHELL -> CJK UNIFIED IDEOGRAPH-8D1D
    "\u8d86": "\u8d7f",  # CJK UNIFIED IDEOGRAPH-8D86 -> CJK UNIFIED IDEOGRAPH-8D7F
    "\u8dfa": "\u8de5",  # CJK UNIFIED IDEOGRAPH-8DFA -> CJK UNIFIED IDEOGRAPH-8DE5
    "\u8e9b": "\u8e97",  # CJK UNIFIED IDEOGRAPH-8E9B -> CJK UNIFIED IDEOGRAPH-8E97
    "\u8f27": "\u8eff",  # CJK UNIFIED IDEOGRAPH-8F27 -> CJK UNIFIED IDEOGRAPH-8EFF
    "\u2ecb": "\u8f66",  # CJK RADICAL C-SIMPLIFIED CART -> CJK UNIFIED IDEOGRAPH-8F66
    "\u2ecc": "\u8fb6",  # CJK RADICAL SIMPLIFIED WALK -> CJK UNIFIED IDEOGRAPH-8FB6
    "\u2ecd": "\u8fb6",  # CJK RADICAL WALK ONE -> CJK UNIFIED IDEOGRAPH-8FB6
    "\u90de": "\u90ce",  # CJK UNIFIED IDEOGRAPH-90DE -> CJK UNIFIED IDEOGRAPH-90CE
    "\u93ae": "\u93ad",  # CJK UNIFIED IDEOGRAPH-93AE -> CJK UNIFIED IDEOGRAPH-93AD
    "\u2ed0": "\u9485",  # CJK RADICAL C-SIMPLIFIED GOLD -> CJK UNIFIED IDEOGRAPH-9485
    "\u2ed1": "\u9577",  # CJK RADICAL LONG ONE -> CJK UNIFIED IDEOGRAPH-9577
    "\u2ed2": "\u9578",  # CJK RADICAL LONG TWO -> CJK UNIFIED IDEOGRAPH-9578
    "\u2ed3": "\u957f",  # CJK RADICAL C-SIMPLIFIED LONG -> CJK UNIFIED IDEOGRAPH-957F
    "\u2ed4": "\u95e8",  # CJK RADICAL C-SIMPLIFIED GATE -> CJK UNIFIED IDEOGRAPH-95E8
    "\u2ecf": "\u961d",  # CJK RADICAL CITY -> CJK UNIFIED IDEOGRAPH-961D
    "\u2ed6": "\u961d",  # CJK RADICAL MOUND TWO -> CJK UNIFIED IDEOGRAPH-961D
    "\u96b8": "\u96b7",  # CJK UNIFIED IDEOGRAPH-96B8 -> CJK UNIFIED IDEOGRAPH-96B7
    "\u2ed8": "\u9752",  # CJK RADICAL BLUE -> CJK UNIFIED IDEOGRAPH-9752
    "\u2ed9": "\u97e6",  # CJK RADICAL C-SIMPLIFIED TANNED LEATHER -> CJK UNIFIED IDEOGRAPH-97E6
    "\u2eda": "\u9875",  # CJK RADICAL C-SIMPLIFIED LEAF -> CJK UNIFIED IDEOGRAPH-9875
    "\u2edb": "\u98ce",  # CJK RADICAL C-SIMPLIFIED WIND -> CJK UNIFIED IDEOGRAPH-98CE
    "\u2edc": "\u98de",  # CJK RADICAL C-SIMPLIFIED FLY -> CJK UNIFIED IDEOGRAPH-98DE
    "\u2edd": "\u98df",  # CJK RADICAL EAT ONE -> CJK UNIFIED IDEOGRAPH-98DF
    "\u2edf": "\u98e0",  # CJK RADICAL EAT THREE -> CJK UNIFIED IDEOGRAPH-98E0
    "\u2ee0": "\u9963",  # CJK RADICAL C-SIMPLIFIED EAT -> CJK UNIFIED IDEOGRAPH-9963
    "\u2ee2": "\u9a6c",  # CJK RADICAL C-SIMPLIFIED HORSE -> CJK UNIFIED IDEOGRAPH-9A6C
    "\u2ee4": "\u9b3c",  # CJK RADICAL GHOST -> CJK UNIFIED IDEOGRAPH-9B3C
    "\u2ee5": "\u9c7c",  # CJK RADICAL C-SIMPLIFIED FISH -> CJK UNIFIED IDEOGRAPH-9C7C
    "\u9e43": "\u9e42",  # CJK UNIFIED IDEOGRAPH-9E43 -> CJK UNIFIED IDEOGRAPH-9E42
    "\u2ee8": "\u9ea6",  # CJK RADICAL SIMPLIFIED WHEAT -> CJK UNIFIED IDEOGRAPH-9EA6
    "\u2ee9": "\u9ec4",  # CJK RADICAL SIMPLIFIED YELLOW -> CJK UNIFIED IDEOGRAPH-9EC4
    "\u9ed2": "\u9ed1",  # CJK UNIFIED IDEOGRAPH-9ED2 -> CJK UNIFIED IDEOGRAPH-9ED1
    "\u2eec": "\u9f50",  # CJK RADICAL C-SIMPLIFIED EVEN -> CJK UNIFIED IDEOGRAPH-9F50
    "\u2eee": "\u9f7f",  # CJK RADICAL C-SIMPLIFIED TOOTH -> CJK UNIFIED IDEOGRAPH-9F7F
    "\u2ef0": "\u9f99",  # CJK RADICAL C-SIMPLIFIED DRAGON -> CJK UNIFIED IDEOGRAPH-9F99
}
