"""RDF quads of many documents that differ only in a few string values, from one expansion.

An issuer signs thousands of credentials of one achievement that differ only in their id,
dates, recipient hash and salt and status position. JSON-LD expansion and conversion to RDF
are most of the cost of an ``eddsa-rdfc-2022`` proof, and for such documents they give the
same quads up to those values. A :class:`SigningTemplate` expands one sample document, notes
where each varying value lands in its quads, and then makes the quads of any document that
equals the sample everywhere else by putting that document's values in their places.
RDF Dataset Canonicalization still runs on every document's own quads (its blank node labels
depend on the values), so the canonical form, and the signature, are those of the full
computation.

It is used only where it is proven: :meth:`SigningTemplate.prepare` compares the template's
canonical form of a second, different probe document with the full computation's, and any
document whose other values, structure or value types differ from the sample's gets ``None``
(the caller then expands it in full).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from badges import _jsonld, _rdfc
from badges.ports import JSONObject

Path = tuple[str | int, ...]
_MASK: Final = object()  # stands for a varying value when documents are compared
# A term's value as text and value numbers: ("https://x/", 0, "/y") is "https://x/" + v0 + "/y".
_Parts = tuple[str | int, ...]


def _values(document: JSONObject, paths: Sequence[Path]) -> list[str] | None:
    values = []
    for path in paths:
        node: Any = document
        try:
            for key in path:
                node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
        if not isinstance(node, str):
            return None
        values.append(node)
    return values


def _masked(document: JSONObject, paths: Sequence[Path]) -> JSONObject | None:
    """``document`` with the values at ``paths`` replaced by a marker (copied along paths)."""
    root: JSONObject = dict(document)
    for path in paths:
        node: Any = root
        try:
            for key in path[:-1]:
                child = node[key]
                copied = dict(child) if isinstance(child, dict) else list(child)
                node[key] = copied
                node = copied
            node[path[-1]]  # raises if it is missing
            node[path[-1]] = _MASK
        except (KeyError, IndexError, TypeError):
            return None
    return root


def _split(text: str, values: Sequence[str]) -> _Parts:
    """``text`` as literal pieces and value numbers, leftmost (then longest) occurrence first."""
    parts: list[str | int] = []
    while True:
        found = [(text.find(v), -len(v), n) for n, v in enumerate(values) if v in text]
        if not found:
            break
        start, _, number = min(found)
        if start:
            parts.append(text[:start])
        parts.append(number)
        text = text[start + len(values[number]) :]
    if text:
        parts.append(text)
    return tuple(parts)


class SigningTemplate:
    """The quads of documents equal to a sample except for the string values at ``paths``."""

    def __init__(
        self,
        paths: tuple[Path, ...],
        skeleton: JSONObject,
        quads: list[_rdfc.Quad],
        slots: list[tuple[int, int, _Parts]],
    ) -> None:
        self._paths = paths
        self._skeleton = skeleton
        self._quads = quads
        self._slots = slots

    @classmethod
    def prepare(
        cls, sample: JSONObject, probe: JSONObject, paths: Sequence[Path]
    ) -> SigningTemplate | None:
        """A template from ``sample``, proven on ``probe``; ``None`` where none can be made.

        Args:
            sample: a document whose values at ``paths`` are distinct strings, such as fresh
                UUIDs, hashes and salts (a value may contain another: a term is read
                leftmost-longest first).
            probe: a document equal to ``sample`` except for other values at ``paths``.
            paths: where the documents differ: keys and list indexes from the top.

        Returns ``None`` when the values are not such strings, when a document has terms its
        contexts leave undefined (signing reports those in full), or when the template's
        canonical form of ``probe`` differs from its full computation.
        """
        paths = tuple(tuple(path) for path in paths)
        values = _values(sample, paths)
        probe_values = _values(probe, paths)
        if values is None or probe_values is None or not all(values):
            return None
        if len(set(values)) != len(values):
            return None  # equal values: their places could not be told apart
        if any(a == b for a, b in zip(values, probe_values, strict=True)):
            return None  # the probe would not test every value
        skeleton = _masked(sample, paths)
        if skeleton is None or skeleton != _masked(probe, paths):
            return None
        analysis = _jsonld.analyse(sample)
        if analysis.undefined:
            return None
        slots = []
        for number, quad in enumerate(analysis.quads):
            for position, term in enumerate(quad):
                if term is None:
                    continue
                if any(v in (term.datatype or "") or v in (term.language or "") for v in values):
                    return None
                if any(v in term.value for v in values):
                    if term.kind == "blank":
                        return None
                    slots.append((number, position, _split(term.value, values)))
        template = cls(paths, skeleton, analysis.quads, slots)
        expected = _jsonld.analyse(probe)
        made = template.quads(probe)
        if made is None or expected.undefined:
            return None
        if _rdfc.canonicalize(made) != expected.canonical():
            return None
        return template

    def quads(self, document: JSONObject) -> list[_rdfc.Quad] | None:
        """The quads of ``document``, or ``None`` if it differs from the sample elsewhere."""
        values = _values(document, self._paths)
        if values is None or _masked(document, self._paths) != self._skeleton:
            return None
        quads = list(self._quads)
        for number, position, parts in self._slots:
            quad = quads[number]
            term = quad[position]
            assert term is not None  # noqa: S101 - slots are made for terms only
            text = "".join(values[p] if isinstance(p, int) else p for p in parts)
            # Built directly: NamedTuple._replace costs several times more, per slot.
            made = _rdfc.Term(term.kind, text, term.datatype, term.language)
            subject, predicate, object_, graph = quad
            quads[number] = _rdfc.Quad(
                made if position == 0 else subject,
                made if position == 1 else predicate,
                made if position == 2 else object_,
                made if position == 3 else graph,
            )
        return quads
