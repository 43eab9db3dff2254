"""RDF Dataset Canonicalization (RDFC-1.0) and canonical N-Quads.

W3C Recommendation "RDF Dataset Canonicalization", https://www.w3.org/TR/rdf-canon/ (cited below
as "RDFC-1.0 §n"). PyLD converts JSON-LD to RDF (:func:`quads_from_pyld` reads its output); this
module does the rest, because PyLD's canonicalizer differs from RDFC-1.0 in two ways that matter
to a verifier:

* it escapes literals the URDNA2015 way, so strings holding control characters such as U+0008 or
  U+007F canonicalize differently from RDFC-1.0 (W3C test060);
* it has no bound on the work of Hash N-Degree Quads, so a small "poison" graph (W3C test074, a
  clique of ten blank nodes) keeps it busy for hours. RDFC-1.0 §4.4.3 requires implementations to
  guard against this; :func:`canonicalize` counts its work and raises
  :class:`CanonicalizationError` past ``max_work``.

The common case (a credential of some 45 quads whose few blank nodes all have distinct first
degree hashes) never reaches Hash N-Degree Quads, so it is kept cheap: each term is serialized
once (IRIs, datatypes and language tags come from bounded caches), literals without special
characters skip escaping, and each quad's line is built once and reused for de-duplication and
output. A 45-quad credential takes about 40 µs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, NamedTuple, TypeVar

from badges.errors import DocumentError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# Budget of Hash N-Degree Quads invocations plus distinct permutations explored (a few µs each).
# The hardest computable inputs of the W3C suite ("poison - evil", tests 044-046: two 6-node
# 3-regular graphs) need 3,348 units, an @list of 100 equal values 28,812, a 6-clique 41,046;
# the test074 10-clique exhausts the budget in about 0.15 s.
DEFAULT_MAX_WORK = 50_000
# Recursion depth of Hash N-Degree Quads (one Python frame per level).
MAX_DEPTH = 200
MAX_QUADS = 100_000

_sha256 = hashlib.sha256
_K = TypeVar("_K")
_V = TypeVar("_V")


class CanonicalizationError(DocumentError):
    """The dataset cannot be canonicalized: invalid terms, too large, or too complex."""


class Term(NamedTuple):
    """An RDF term.

    ``value`` is the IRI, the blank node label without ``_:``, or the literal's lexical form.
    ``datatype`` (literals only) is ``None`` for xsd:string; a literal with a ``language`` has the
    datatype rdf:langString, which may be left ``None``.
    """

    kind: Literal["iri", "blank", "literal"]
    value: str
    datatype: str | None = None
    language: str | None = None


class Quad(NamedTuple):
    """An RDF quad; ``graph`` is ``None`` for the default graph."""

    subject: Term
    predicate: Term
    object: Term
    graph: Term | None


# --- Canonical N-Quads serialization (RDFC-1.0 Appendix A) ------------------------------------

# Appendix A: in literals, ECHAR for \b \t \n \f \r \" \\; \uXXXX (upper-case hex) for the other
# characters U+0000-U+001F and U+007F; every other character is written as itself.
_LITERAL_ESCAPES: dict[int, str] = {code: f"\\u{code:04X}" for code in range(0x20)}
_LITERAL_ESCAPES.update(
    {
        0x08: "\\b",
        0x09: "\\t",
        0x0A: "\\n",
        0x0C: "\\f",
        0x0D: "\\r",
        0x22: '\\"',
        0x5C: "\\\\",
        0x7F: "\\u007F",
    }
)

# Characters IRIREF cannot hold unescaped (N-Quads §7). Appendix A writes IRIs without escapes,
# so an IRI holding one has no canonical form; refusing it also keeps the serialization
# injective (an IRI containing "> <" could otherwise impersonate several terms). Lone
# surrogates are refused because they have no UTF-8 encoding.
_IRI_FORBIDDEN = re.compile('[\x00-\x20<>"{}|^`\\\\\ud800-\udfff]')
_LANGTAG = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*\Z")

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_:"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_BLANK_LABEL = f"[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_BLANK_LABEL_RE = re.compile(_BLANK_LABEL + r"\Z")

# Serialized IRI terms ("<iri>", by Term), datatype suffixes ("^^<iri>") and language suffixes
# ("@tag"), each checked once: credentials repeat the same few hundred IRIs, so the common
# component costs one dictionary lookup. Each cache empties itself when full.
_CACHE_LIMIT = 8192
_iri_terms: dict[Term, str] = {}
_datatype_cache: dict[str, str] = {}
_language_cache: dict[str, str] = {}


def _store(cache: dict[_K, _V], key: _K, value: _V) -> _V:
    """Cache ``value`` under ``key``, emptying the cache first if it is full."""
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def _iri(value: str) -> str:
    """``<value>``, after checking that N-Quads can hold it."""
    if _IRI_FORBIDDEN.search(value):
        raise CanonicalizationError(f"IRI {value!r} contains a character N-Quads forbids")
    return f"<{value}>"


def _datatype_suffix(datatype: str) -> str:
    """``^^<datatype>``, or ``""`` for xsd:string (Appendix A omits it)."""
    text = _datatype_cache.get(datatype)
    if text is None:
        if datatype == XSD_STRING:
            return ""
        if datatype == RDF_LANGSTRING:
            raise CanonicalizationError("an rdf:langString literal needs a language tag")
        text = _store(_datatype_cache, datatype, "^^" + _iri(datatype))
    return text


def _language_suffix(language: str, datatype: str | None) -> str:
    """``@language``, after checking the tag's syntax (N-Quads LANGTAG)."""
    if datatype is not None and datatype != RDF_LANGSTRING:
        raise CanonicalizationError(
            f"a literal with a language tag cannot have datatype {datatype}"
        )
    text = _language_cache.get(language)
    if text is None:
        if not _LANGTAG.match(language):
            raise CanonicalizationError(f"{language!r} is not a language tag")
        text = _store(_language_cache, language, "@" + language)
    return text


def _literal(value: str, datatype: str | None, language: str | None) -> str:
    """A literal in canonical form (Appendix A)."""
    # Every character Appendix A escapes is either a control character (not printable) or one
    # of '"' and '\\', so most literals skip the translation.
    if '"' in value or "\\" in value or not value.isprintable():
        value = value.translate(_LITERAL_ESCAPES)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise CanonicalizationError("a literal contains a lone surrogate") from None
    if language is not None:
        return f'"{value}"{_language_suffix(language, datatype)}'
    if datatype is None:
        return f'"{value}"'
    return f'"{value}"{_datatype_suffix(datatype)}'


def _term(term: Term, position: str) -> str:
    """A non-blank term in canonical form, checked for ``position`` and cached.

    Raises:
        CanonicalizationError: the term is not valid there or has no N-Quads form.
    """
    kind, value, datatype, language = term
    if kind == "iri":
        if datatype is not None or language is not None:
            raise CanonicalizationError(f"IRI term {value!r} has a datatype or language")
        return _store(_iri_terms, term, _iri(value))
    if kind == "literal" and position == "object":
        return _literal(value, datatype, language)
    if kind in ("blank", "literal"):
        raise CanonicalizationError(f"a {kind} term cannot be the {position} of a quad")
    raise CanonicalizationError(f"unknown RDF term kind {kind!r}")


def serialize_quad(quad: Quad) -> str:
    """Serialize ``quad`` as one canonical N-Quads line (RDFC-1.0 Appendix A).

    Blank nodes keep their labels (``_:label``); :func:`canonicalize` relabels them.

    Args:
        quad: the quad; subject an IRI or blank node, predicate an IRI, graph an IRI, a blank
            node or ``None``.

    Returns:
        The line, ending in ``"\\n"``.

    Raises:
        CanonicalizationError: a term is invalid in its position or cannot be written in
            N-Quads (an IRI with a space, a malformed language tag or blank node label).
    """
    subject, predicate, obj, graph = quad
    s = _blank(subject) if subject.kind == "blank" else _term(subject, "subject")
    p = _term(predicate, "predicate")
    o = _blank(obj) if obj.kind == "blank" else _term(obj, "object")
    if graph is None:
        return f"{s} {p} {o} .\n"
    g = _blank(graph) if graph.kind == "blank" else _term(graph, "graph")
    return f"{s} {p} {o} {g} .\n"


def _blank(term: Term) -> str:
    """``_:label``, after checking the label's syntax (N-Quads BLANK_NODE_LABEL)."""
    if not _BLANK_LABEL_RE.match(term.value):
        raise CanonicalizationError(f"{term.value!r} is not a blank node label")
    return "_:" + term.value


# --- Canonicalization (RDFC-1.0 §4.4-§4.8) -----------------------------------------------------

# A quad mentioning blank nodes: its serialized components (blank ones are placeholders that get
# replaced) and, per blank component, (component index, label). Index 1, the predicate, is never
# blank.
_Row = tuple[tuple[str, str, str, str | None], tuple[tuple[int, str], ...]]
_POSITION = ("s", "", "o", "g")  # RDFC-1.0 §4.8.3 step 3.1.1: s, o or g
_SUBJECT, _OBJECT, _GRAPH = 0, 2, 3


def _distinct_permutations(items: list[str]) -> Iterator[tuple[str, ...]]:
    """Each distinct ordering of ``items`` once, in lexicographic order.

    The blank node list of RDFC-1.0 §4.8.3 step 5.4 repeats a node once per quad relating it
    the same way (a blank node graph name relates to every quad of its graph with one hash), and
    equal orderings give equal paths, so skipping repeats changes no result: the first of equal
    paths is the one chosen either way. It turns the k! orderings of a proof graph with k quads
    into one.
    """
    order = sorted(items)
    last = len(order) - 1
    while True:
        yield tuple(order)
        # The next ordering in lexicographic order: find the rightmost ascent, swap in its
        # smallest larger successor, and reverse the tail (which is in descending order).
        pivot = last - 1
        while pivot >= 0 and order[pivot] >= order[pivot + 1]:
            pivot -= 1
        if pivot < 0:
            return
        successor = last
        while order[successor] <= order[pivot]:
            successor -= 1
        order[pivot], order[successor] = order[successor], order[pivot]
        order[pivot + 1 :] = reversed(order[pivot + 1 :])


class _Canonicalizer:
    """The canonicalization state of RDFC-1.0 §4.3 for one dataset."""

    def __init__(self, quads: Sequence[Quad], max_work: int) -> None:
        if len(quads) > MAX_QUADS:
            raise CanonicalizationError(
                f"dataset has {len(quads)} quads, more than the {MAX_QUADS} we canonicalize"
            )
        self.max_work = max_work
        self.work = 0
        # Lines of quads without blank nodes (already canonical) and rows of the others. Keys
        # are the lines with the input labels, so duplicate quads collapse: the input is a set.
        self.plain: dict[str, None] = {}
        rows: dict[str, _Row] = {}
        # RDFC-1.0 §4.4.3 step 2: blank node to quads map (each quad once per blank node, even
        # if the node fills two of its positions: the mention set is a set).
        self.mentions: dict[str, list[_Row]] = {}
        iri = _iri_terms.get
        mentions = self.mentions
        plain = self.plain
        for subject, predicate, obj, graph in quads:
            # Each component: a cached term, else a blank node (noted with its position), else
            # serialized, checked and cached by _term.
            blanks: tuple[tuple[int, str], ...] = ()
            s = iri(subject)
            if s is None:
                if subject[0] == "blank":
                    s = "_:" + subject[1]
                    blanks = ((_SUBJECT, subject[1]),)
                else:
                    s = _term(subject, "subject")
            p = iri(predicate) or _term(predicate, "predicate")
            o = iri(obj)
            if o is None:
                kind, value, datatype, language = obj
                if kind == "blank":
                    o = "_:" + value
                    blanks += ((_OBJECT, value),)
                elif (
                    kind == "literal"
                    and language is None
                    and '"' not in value
                    and "\\" not in value
                    and value.isprintable()
                ):
                    # The common literal, inline: nothing to escape (see _literal).
                    o = (
                        f'"{value}"'
                        if datatype is None
                        else f'"{value}"{_datatype_suffix(datatype)}'
                    )
                else:
                    o = _term(obj, "object")
            if graph is None:
                g = None
                line = f"{s} {p} {o} .\n"
            else:
                g = iri(graph)
                if g is None:
                    if graph[0] == "blank":
                        g = "_:" + graph[1]
                        blanks += ((_GRAPH, graph[1]),)
                    else:
                        g = _term(graph, "graph")
                line = f"{s} {p} {o} {g} .\n"
            if not blanks:
                plain[line] = None
            elif line not in rows:
                row: _Row = ((s, p, o, g), blanks)
                rows[line] = row
                if len(blanks) == 1:
                    mentions.setdefault(blanks[0][1], []).append(row)
                else:
                    for label in dict.fromkeys(label for _, label in blanks):
                        mentions.setdefault(label, []).append(row)
        self.rows = list(rows.values())
        self.first_degree: dict[str, str] = {}
        # The canonical issuer (RDFC-1.0 §4.5): input label -> "c14nN", in issue order.
        self.canonical: dict[str, str] = {}

    def issue_canonical_labels(self) -> None:
        """RDFC-1.0 §4.4.3 steps 3-5."""
        canonical = self.canonical
        # Steps 3-4: first degree hashes; blank nodes with a unique hash are labelled, in code
        # point order of the hash.
        hash_to_nodes: dict[str, list[str]] = {}
        for label in self.mentions:
            hash_to_nodes.setdefault(self.hash_first_degree(label), []).append(label)
        shared: list[list[str]] = []
        for _, labels in sorted(hash_to_nodes.items()):
            if len(labels) == 1:
                canonical[labels[0]] = f"c14n{len(canonical)}"
            else:
                shared.append(labels)
        # Step 5: the remaining nodes, grouped by shared first degree hash, in hash order.
        for labels in shared:
            # Step 5.2: an N-degree hash for each node not labelled yet, each with a temporary
            # issuer that starts by labelling it b0.
            results: list[tuple[str, dict[str, str]]] = []
            for label in labels:
                if label in canonical:
                    continue
                results.append(self.hash_n_degree_quads(label, {label: "b0"}, 1))
            # Step 5.3: label each result's nodes in the order its issuer reached them; results
            # in code point order of their hash.
            results.sort(key=lambda result: result[0])
            for _, issuer in results:
                for existing in issuer:
                    if existing not in canonical:
                        canonical[existing] = f"c14n{len(canonical)}"

    def hash_first_degree(self, label: str) -> str:
        """Hash First Degree Quads (RDFC-1.0 §4.6.3), memoised per blank node."""
        cached = self.first_degree.get(label)
        if cached is not None:
            return cached
        lines = []
        for (s, p, o, g), blanks in self.mentions[label]:
            # Step 3.1.1.1: the node itself is _:a, every other blank node _:z.
            for index, other in blanks:
                name = "_:a" if other == label else "_:z"
                if index == _SUBJECT:
                    s = name
                elif index == _OBJECT:
                    o = name
                else:
                    g = name
            lines.append(f"{s} {p} {o} .\n" if g is None else f"{s} {p} {o} {g} .\n")
        lines.sort()
        digest = self.first_degree[label] = _sha256("".join(lines).encode("utf-8")).hexdigest()
        return digest

    def hash_related_blank_node(
        self, related: str, predicate: str, issuer: dict[str, str], position: str
    ) -> str:
        """Hash Related Blank Node (RDFC-1.0 §4.7.3); ``predicate`` is serialized (``<iri>``)."""
        # Steps 1-2: position, then the predicate unless the node is the graph name.
        text = position if position == "g" else position + predicate
        # Step 3-4: the canonical label, else the temporary one, else the first degree hash.
        identifier = self.canonical.get(related) or issuer.get(related)
        if identifier is not None:
            text += "_:" + identifier
        else:
            text += self.hash_first_degree(related)
        return _sha256(text.encode("utf-8")).hexdigest()

    def spend(self) -> None:
        """Count one unit of work against the budget (RDFC-1.0 §4.4.3, "Dataset Poisoning")."""
        self.work += 1
        if self.work > self.max_work:
            raise CanonicalizationError(
                "dataset is too complex to canonicalize: its blank nodes need more than "
                f"{self.max_work} steps of N-degree hashing"
            )

    def hash_n_degree_quads(
        self, label: str, issuer: dict[str, str], depth: int
    ) -> tuple[str, dict[str, str]]:
        """Hash N-Degree Quads (RDFC-1.0 §4.8.3).

        ``issuer`` maps labels to temporary labels in issue order (its length is the issuer's
        counter); it is never modified: the returned issuer is a new one or ``issuer`` itself.
        """
        self.spend()
        if depth > MAX_DEPTH:
            raise CanonicalizationError(
                "dataset is too complex to canonicalize: N-degree hashing would recurse deeper "
                f"than {MAX_DEPTH} blank nodes"
            )
        canonical = self.canonical
        # Steps 1-3: hash to related blank nodes map.
        related_nodes: dict[str, list[str]] = {}
        for (_, p, _, _), blanks in self.mentions[label]:
            for index, related in blanks:
                if related != label:
                    related_hash = self.hash_related_blank_node(
                        related, p, issuer, _POSITION[index]
                    )
                    related_nodes.setdefault(related_hash, []).append(related)
        # Step 4-5: for each related hash, in code point order, find the shortest path.
        data_to_hash: list[str] = []
        for related_hash, nodes in sorted(related_nodes.items()):
            data_to_hash.append(related_hash)  # step 5.1
            chosen_path = ""  # step 5.2
            chosen_issuer = issuer  # step 5.3 (always replaced: the first path is chosen)
            for permutation in _distinct_permutations(nodes):  # step 5.4
                self.spend()
                issuer_copy = dict(issuer)  # step 5.4.1
                path = ""  # step 5.4.2
                recursion_list: list[str] = []  # step 5.4.3
                skip = False
                for related in permutation:  # step 5.4.4
                    identifier = canonical.get(related)
                    if identifier is None:
                        identifier = issuer_copy.get(related)
                        if identifier is None:  # step 5.4.4.2.1-2
                            recursion_list.append(related)
                            identifier = issuer_copy[related] = f"b{len(issuer_copy)}"
                    path += "_:" + identifier  # steps 5.4.4.1, 5.4.4.2.2
                    # Step 5.4.4.3: this permutation cannot beat the chosen path.
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion_list:  # step 5.4.5
                    result_hash, result_issuer = self.hash_n_degree_quads(
                        related, issuer_copy, depth + 1
                    )
                    # Steps 5.4.5.2-3: related already has a temporary label in issuer copy.
                    path += f"_:{issuer_copy[related]}<{result_hash}>"
                    issuer_copy = result_issuer  # step 5.4.5.4
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True  # step 5.4.5.5
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:  # step 5.4.6
                    chosen_path = path
                    chosen_issuer = issuer_copy
            data_to_hash.append(chosen_path)  # step 5.5
            issuer = chosen_issuer  # step 5.6
        # Step 6.
        return _sha256("".join(data_to_hash).encode("utf-8")).hexdigest(), issuer

    def serialize(self) -> str:
        """RDFC-1.0 §4.4.3 step 7: every quad with canonical labels, lines in code point order."""
        canonical = self.canonical
        lines = list(self.plain)
        append = lines.append
        for (s, p, o, g), blanks in self.rows:
            for index, label in blanks:
                if index == _SUBJECT:
                    s = "_:" + canonical[label]
                elif index == _OBJECT:
                    o = "_:" + canonical[label]
                else:
                    g = "_:" + canonical[label]
            append(f"{s} {p} {o} .\n" if g is None else f"{s} {p} {o} {g} .\n")
        lines.sort()
        return "".join(lines)


def canonicalize(quads: Sequence[Quad], *, max_work: int = DEFAULT_MAX_WORK) -> str:
    """Canonicalize a dataset with RDFC-1.0 and serialize it as canonical N-Quads.

    Args:
        quads: the dataset; duplicate quads count once.
        max_work: budget of Hash N-Degree Quads invocations plus permutations explored; the
            guard against dataset poisoning (RDFC-1.0 §4.4.3).

    Returns:
        The canonical N-Quads: blank nodes labelled ``_:c14n0``, ``_:c14n1``, ..., one line per
        quad ending in ``"\\n"``, lines in code point order; ``""`` for an empty dataset.

    Raises:
        CanonicalizationError: a term cannot be serialized, the dataset has more than
            ``MAX_QUADS`` quads, or canonicalizing it would exceed ``max_work`` (or recurse
            deeper than ``MAX_DEPTH``): "too complex to canonicalize".
    """
    state = _Canonicalizer(quads, max_work)
    state.issue_canonical_labels()
    return state.serialize()


def canonical_labels(quads: Sequence[Quad], *, max_work: int = DEFAULT_MAX_WORK) -> dict[str, str]:
    """The issued identifiers map of RDFC-1.0 §4.4.3 step 6.

    Args:
        quads: the dataset, as for :func:`canonicalize`.
        max_work: as for :func:`canonicalize`.

    Returns:
        Each input blank node label (without ``_:``) mapped to its canonical label (``c14nN``).

    Raises:
        CanonicalizationError: as for :func:`canonicalize`.
    """
    state = _Canonicalizer(quads, max_work)
    state.issue_canonical_labels()
    return dict(state.canonical)


# --- Reading datasets --------------------------------------------------------------------------


_new_tuple = tuple.__new__
_pyld_iris: dict[str, Term] = {}


def _pyld_iri(value: str) -> Term:
    """The IRI term for ``value``, shared between calls (terms are immutable)."""
    term = _pyld_iris.get(value)
    if term is None:
        term = _store(_pyld_iris, value, Term("iri", value))
    return term


def _pyld_term(node: dict[str, Any]) -> Term:
    """A Term from one of PyLD's quad components."""
    kind = node["type"]
    value = node["value"]
    if kind == "IRI":
        return _pyld_iri(value)
    # tuple.__new__ skips NamedTuple's Python-level constructor: this runs once per term.
    if kind == "literal":
        language = node.get("language")
        if language is not None:
            return _new_tuple(Term, ("literal", value, RDF_LANGSTRING, language))
        datatype = node.get("datatype")
        if datatype == XSD_STRING:
            datatype = None
        return _new_tuple(Term, ("literal", value, datatype, None))
    if kind == "blank node":
        return _new_tuple(
            Term, ("blank", value[2:] if value.startswith("_:") else value, None, None)
        )
    raise DocumentError(f"unknown RDF term type {kind!r}")


def quads_from_pyld(dataset: dict[str, list[dict[str, Any]]]) -> list[Quad]:
    """Convert PyLD's ``to_rdf`` output (called without ``format``) to quads.

    Args:
        dataset: graph name (``"@default"``, an IRI or ``"_:label"``) to a list of PyLD quads
            (``{"subject": ..., "predicate": ..., "object": ...}``); blank node labels carry
            ``_:``.

    Returns:
        The quads, graph by graph in the order given.

    Raises:
        DocumentError: a term has a type PyLD does not produce.
    """
    quads: list[Quad] = []
    append = quads.append
    iris = _pyld_iris
    for name, triples in dataset.items():
        graph: Term | None
        if name == "@default":
            graph = None
        elif name.startswith("_:"):
            graph = Term("blank", name[2:])
        else:
            graph = _pyld_iri(name)
        for triple in triples:
            subject, predicate, obj = triple["subject"], triple["predicate"], triple["object"]
            # The common components, IRIs seen before, cost one lookup each.
            s = iris.get(subject["value"]) if subject["type"] == "IRI" else None
            p = iris.get(predicate["value"]) if predicate["type"] == "IRI" else None
            o = iris.get(obj["value"]) if obj["type"] == "IRI" else None
            append(
                _new_tuple(
                    Quad,
                    (
                        s or _pyld_term(subject),
                        p or _pyld_term(predicate),
                        o or _pyld_term(obj),
                        graph,
                    ),
                )
            )
    return quads


# N-Quads grammar (https://www.w3.org/TR/n-quads/ §7).
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_IRIREF_RE = re.compile(r'<((?:[^\x00-\x20<>"{}|^`\\]|' + _UCHAR + r")*)>")
_BLANK_RE = re.compile("_:(" + _BLANK_LABEL + ")")
_STRING_RE = re.compile(r'"((?:[^"\\\n\r]|\\[tbnrf"\'\\]|' + _UCHAR + r')*)"')
_LANGTAG_RE = re.compile(r"@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*)")
_END_RE = re.compile(r"[ \t]*(?:#.*)?\Z")
_EOL_RE = re.compile("\r\n|\r|\n")
_ESCAPE_RE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape_match(match: re.Match[str]) -> str:
    """The character an ECHAR or UCHAR escape stands for."""
    if match.group(3) is not None:
        return _ECHAR[match.group(3)]
    code = int(match.group(1) or match.group(2), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise ValueError(f"\\u escape {match.group(0)} is not a Unicode scalar value")
    return chr(code)


def _unescape(text: str) -> str:
    """``text`` with its ECHAR and UCHAR escapes replaced (the grammar was checked before)."""
    return _ESCAPE_RE.sub(_unescape_match, text) if "\\" in text else text


class _LineReader:
    """Reads the terms of one N-Quads statement, left to right."""

    def __init__(self, line: str) -> None:
        self.line = line
        self.pos = 0

    def _skip_space(self) -> None:
        while self.line.startswith((" ", "\t"), self.pos):
            self.pos += 1

    def _iri(self) -> Term | None:
        match = _IRIREF_RE.match(self.line, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        value = _unescape(match.group(1))
        if _IRI_FORBIDDEN.search(value):
            raise ValueError(f"IRI <{value}> contains a character N-Quads forbids")
        return Term("iri", value)

    def _blank(self) -> Term | None:
        match = _BLANK_RE.match(self.line, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        return Term("blank", match.group(1))

    def _literal(self) -> Term | None:
        match = _STRING_RE.match(self.line, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        value = _unescape(match.group(1))
        language = _LANGTAG_RE.match(self.line, self.pos)
        if language is not None:
            self.pos = language.end()
            return Term("literal", value, RDF_LANGSTRING, language.group(1))
        if self.line.startswith("^^", self.pos):
            self.pos += 2
            datatype = self._iri()
            if datatype is None:
                raise ValueError("expected a datatype IRI after ^^")
            return Term("literal", value, None if datatype.value == XSD_STRING else datatype.value)
        return Term("literal", value)

    def term(self, position: str, *readers: Callable[[], Term | None]) -> Term:
        """The first term one of ``readers`` finds after optional white space."""
        self._skip_space()
        for reader in readers:
            term = reader()
            if term is not None:
                return term
        raise ValueError(f"expected the {position} at column {self.pos + 1}")

    def statement(self) -> Quad:
        """The line as a quad: subject, predicate, object, optional graph name, "."."""
        subject = self.term("subject (IRI or blank node)", self._iri, self._blank)
        predicate = self.term("predicate (IRI)", self._iri)
        obj = self.term("object", self._iri, self._blank, self._literal)
        self._skip_space()
        graph = None
        if not self.line.startswith(".", self.pos):
            graph = self.term("graph name or '.'", self._iri, self._blank)
            self._skip_space()
        if not self.line.startswith(".", self.pos):
            raise ValueError(f"expected '.' at column {self.pos + 1}")
        if _END_RE.match(self.line, self.pos + 1) is None:
            raise ValueError(f"unexpected text after '.' at column {self.pos + 2}")
        return Quad(subject, predicate, obj, graph)


def parse_nquads(text: str) -> list[Quad]:
    """Parse an N-Quads document, unescaping ECHAR and UCHAR escapes.

    Args:
        text: the document; lines end in LF, CR or CRLF; comments and blank lines are allowed.

    Returns:
        The quads in document order (duplicates kept).

    Raises:
        DocumentError: a line is not an N-Quads statement; the message names the line number.
    """
    quads: list[Quad] = []
    for number, line in enumerate(_EOL_RE.split(text), start=1):
        if _END_RE.match(line):  # blank line or comment
            continue
        try:
            quads.append(_LineReader(line).statement())
        except ValueError as error:
            raise DocumentError(f"N-Quads line {number}: {error}") from None
    return quads
