"""RDFC-1.0 canonicalization: W3C vectors, published canonical forms, spec examples, and PyLD.

PyLD's URDNA2015 is the reference for the differential test; it differs from RDFC-1.0 only in
literal escaping (which the generated strings avoid) and in how a quad naming one blank node twice
enters that node's mention set (which the generated quads avoid; a test below pins our reading).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import time
from pathlib import Path
from random import Random
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pyld import jsonld
from pyld.canon import URDNA2015

from badges._rdfc import (
    RDF_LANGSTRING,
    XSD_STRING,
    CanonicalizationError,
    Quad,
    Term,
    _distinct_permutations,
    canonical_labels,
    canonicalize,
    parse_nquads,
    quads_from_pyld,
    serialize_quad,
)
from badges.errors import DocumentError

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
RDFC = VECTORS / "rdfc-1.0"
CASES = sorted(
    path.name.removesuffix("-in.nq")
    for path in RDFC.glob("test*-in.nq")
    if (RDFC / path.name.replace("-in.nq", "-rdfc10.nq")).exists()
)
MAP_CASES = [case for case in CASES if (RDFC / f"{case}-rdfc10map.json").exists()]
PUBLISHED_CANONICAL_FORMS = [
    "w3c-vc-di-eddsa/eddsa-rdfc-2022/canonDocDataInt.txt",
    "w3c-vc-di-eddsa/eddsa-rdfc-2022/proofCanonDataInt.txt",
    "ob3-impl-guide-eddsa-rdfc-2022/document-canon.txt",
    "ob3-impl-guide-eddsa-rdfc-2022/proof-canon.txt",
]
EX = "http://example.com/#"  # the ":" prefix of the RDFC-1.0 examples
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _iri(value: str) -> Term:
    return Term("iri", value)


def _blank(label: str) -> Term:
    return Term("blank", label)


def _literal(value: str, datatype: str | None = None, language: str | None = None) -> Term:
    return Term("literal", value, datatype, language)


# --- W3C RDFC-1.0 test suite ------------------------------------------------------------------


def test_vector_selection_covers_escaping_and_blank_node_cases() -> None:
    assert {"test060", "test020", "test021", "test072", "test076"} <= set(CASES)
    assert "test060" in MAP_CASES


@pytest.mark.parametrize("case", CASES)
def test_w3c_vector_canonicalizes_byte_for_byte(case: str) -> None:
    quads = parse_nquads(_read(RDFC / f"{case}-in.nq"))
    assert canonicalize(quads) == _read(RDFC / f"{case}-rdfc10.nq")


@pytest.mark.parametrize("case", MAP_CASES)
def test_w3c_vector_issues_the_published_label_map(case: str) -> None:
    quads = parse_nquads(_read(RDFC / f"{case}-in.nq"))
    expected = json.loads(_read(RDFC / f"{case}-rdfc10map.json"))
    assert canonical_labels(quads) == expected


def test_poison_clique_test074_is_refused_as_too_complex() -> None:
    quads = parse_nquads(_read(RDFC / "test074-in.nq"))
    start = time.perf_counter()
    with pytest.raises(CanonicalizationError, match="too complex to canonicalize"):
        canonicalize(quads)
    # Only a guard against hanging; the budget runs out in a fraction of this.
    assert time.perf_counter() - start < 5


def test_work_budget_is_the_callers_to_lower() -> None:
    quads = parse_nquads(_read(RDFC / "test021-in.nq"))  # circle of 2: N-degree hashing
    assert canonicalize(quads) == _read(RDFC / "test021-rdfc10.nq")
    with pytest.raises(CanonicalizationError, match="too complex to canonicalize"):
        canonicalize(quads, max_work=2)
    with pytest.raises(CanonicalizationError, match="too complex to canonicalize"):
        canonical_labels(quads, max_work=2)


def test_two_cubic_graphs_fit_the_default_budget() -> None:
    # The shape of W3C tests 044-046 ("poison - evil", computable within limits): a triangular
    # prism and K(3,3), all twelve blank nodes with one first degree hash.
    edges = {
        **{0: [1, 2, 3], 1: [0, 3, 4], 2: [0, 4, 5], 3: [0, 1, 5], 4: [1, 2, 5], 5: [3, 2, 4]},
        **{6: [7, 8, 9], 7: [6, 10, 11], 8: [6, 10, 11], 9: [6, 10, 11], 10: [7, 8, 9]},
        11: [7, 8, 9],
    }
    text = "".join(f"_:e{a} <{EX}p> _:e{b} .\n" for a, ends in edges.items() for b in ends)
    assert canonicalize(parse_nquads(text)) == _pyld_canonical(_pyld_dataset(parse_nquads(text)))


def _identical_proof_graphs(properties: int) -> list[Quad]:
    """Two equal embedded proofs, each a blank node graph (as endorsements carry them)."""
    lines = []
    for graph in ("g0", "g1"):
        lines.append(f"<{EX}credential> <{EX}proof> _:{graph} .\n")
        lines += [f'_:p{graph} <{EX}p{i}> "v{i}" _:{graph} .\n' for i in range(properties)]
    return parse_nquads("".join(lines))


def test_identical_proof_graphs_canonicalize_as_pyld_does() -> None:
    quads = _identical_proof_graphs(5)
    assert canonicalize(quads) == _pyld_canonical(_pyld_dataset(quads))


def test_proof_graph_with_many_quads_costs_no_permutations() -> None:
    # The graph name relates to each of the proof node's 12 quads with one hash; its 12! equal
    # orderings would exhaust any budget if they were explored one by one.
    quads = _identical_proof_graphs(12)
    assert canonicalize(quads, max_work=100) == canonicalize(list(reversed(quads)))


@pytest.mark.parametrize("items", [[], ["a"], ["b", "a", "b"], ["c", "a", "b", "a", "c"]])
def test_distinct_permutations_are_each_ordering_once_in_order(items: list[str]) -> None:
    expected = sorted(set(itertools.permutations(items)))
    assert list(_distinct_permutations(items)) == expected


def test_ring_longer_than_the_depth_limit_is_refused_without_recursion_error() -> None:
    text = "".join(f"_:n{i} <{EX}next> _:n{(i + 1) % 250} .\n" for i in range(250))
    with pytest.raises(CanonicalizationError, match="too complex to canonicalize"):
        canonicalize(parse_nquads(text), max_work=10**7)


def test_more_than_the_quad_limit_is_refused() -> None:
    quad = Quad(_iri(f"{EX}s"), _iri(f"{EX}p"), _literal("o"), None)
    with pytest.raises(CanonicalizationError, match="100000"):
        canonicalize([quad] * 100_001)


def test_empty_dataset_canonicalizes_to_empty_text() -> None:
    assert canonicalize([]) == ""
    assert canonical_labels([]) == {}


# --- Published canonical forms (Data Integrity vectors) ----------------------------------------


@pytest.mark.parametrize("name", PUBLISHED_CANONICAL_FORMS)
def test_published_canonical_form_is_reproduced_exactly(name: str) -> None:
    text = _read(VECTORS / name)
    assert canonicalize(parse_nquads(text)) == text


# --- RDFC-1.0 worked examples and readings of the spec -----------------------------------------


def test_spec_example_shared_hashes_issues_the_spec_labels() -> None:
    # RDFC-1.0 §4.4.2, "shared hashes": e0 and e1 need N-degree hashing.
    text = f"""\
<{EX}p> <{EX}q> _:e0 .
<{EX}p> <{EX}q> _:e1 .
_:e0 <{EX}p> _:e2 .
_:e1 <{EX}p> _:e3 .
_:e2 <{EX}r> _:e3 .
"""
    quads = parse_nquads(text)
    assert canonical_labels(quads) == {"e2": "c14n0", "e3": "c14n1", "e1": "c14n2", "e0": "c14n3"}
    assert canonicalize(quads) == (
        f"<{EX}p> <{EX}q> _:c14n2 .\n"
        f"<{EX}p> <{EX}q> _:c14n3 .\n"
        f"_:c14n0 <{EX}r> _:c14n1 .\n"
        f"_:c14n2 <{EX}p> _:c14n1 .\n"
        f"_:c14n3 <{EX}p> _:c14n0 .\n"
    )


def test_spec_example_blank_node_graph_name_issues_the_spec_labels() -> None:
    # RDFC-1.0 Appendix "Dataset with Blank Node Named Graph".
    text = f"""\
_:e0 <{EX}p1> _:e1 .
_:e1 <{EX}p2> "Foo" .
_:e1 <{EX}p3> _:g0 .
_:e0 <{EX}p1> _:e1 _:g0 .
_:e1 <{EX}p2> "Bar" _:g0 .
"""
    assert canonical_labels(parse_nquads(text)) == {"e0": "c14n0", "e1": "c14n1", "g0": "c14n2"}


def test_quad_naming_a_blank_node_twice_is_in_its_mention_set_once() -> None:
    # RDFC-1.0 §4.4.3 step 2.1 builds a set of quads per blank node (as rdf-canonize does);
    # PyLD appends such a quad twice, which here would swap the two labels.
    p, q = f"<{EX}p0>", f"<{EX}q>"

    def first_degree(*lines: str) -> str:
        return hashlib.sha256("".join(sorted(lines)).encode()).hexdigest()

    x_once = first_degree(f"_:a {p} _:a .\n", f"_:a {q} _:z .\n")
    x_twice = first_degree(f"_:a {p} _:a .\n", f"_:a {p} _:a .\n", f"_:a {q} _:z .\n")
    y = first_degree(f"_:z {q} _:a .\n", f'_:a {q} "v" .\n')
    assert (x_once < y) != (x_twice < y)  # the two readings disagree on this dataset
    quads = parse_nquads(f'_:x {p} _:x .\n_:x {q} _:y .\n_:y {q} "v" .\n')
    assert canonical_labels(quads) == {"y": "c14n0", "x": "c14n1"}


def test_input_labels_that_look_canonical_are_relabelled() -> None:
    text = f'_:c14n1 <{EX}p> "a" .\n_:c14n0 <{EX}p> "b" .\n_:c14n0 <{EX}q> _:c14n1 .\n'
    renamed = text.replace("c14n1", "first").replace("c14n0", "second")
    assert canonicalize(parse_nquads(text)) == canonicalize(parse_nquads(renamed))


def test_duplicate_quads_count_once_including_equal_spellings() -> None:
    s, p = _iri(f"{EX}s"), _iri(f"{EX}p")
    quads = [
        Quad(s, p, _literal("x"), None),
        Quad(s, p, _literal("x", XSD_STRING), None),
        Quad(s, p, _literal("y", None, "en"), None),
        Quad(s, p, _literal("y", RDF_LANGSTRING, "en"), None),
    ]
    assert canonicalize(quads) == f'<{EX}s> <{EX}p> "x" .\n<{EX}s> <{EX}p> "y"@en .\n'


# --- Canonical N-Quads serialization (Appendix A) -----------------------------------------------


def _object_line(obj: Term) -> str:
    return serialize_quad(Quad(_iri(f"{EX}s"), _iri(f"{EX}p"), obj, None))


def test_serialize_quad_writes_echar_escapes() -> None:
    line = _object_line(_literal('\b\t\n\f\r"\\'))
    assert line == f'<{EX}s> <{EX}p> "\\b\\t\\n\\f\\r\\"\\\\" .\n'


def test_serialize_quad_writes_other_controls_as_upper_case_uchar() -> None:
    line = _object_line(_literal("\x00\x07\x0b\x0e\x1a\x1f\x7f"))
    assert line == f'<{EX}s> <{EX}p> "\\u0000\\u0007\\u000B\\u000E\\u001A\\u001F\\u007F" .\n'


def test_serialize_quad_writes_every_other_character_as_itself() -> None:
    text = "'\x80\x9f\xa0é∞\u2028\U0001f303<>"
    assert _object_line(_literal(text)) == f'<{EX}s> <{EX}p> "{text}" .\n'


def test_serialize_quad_writes_datatypes_languages_and_graph_names() -> None:
    s, p = _iri(f"{EX}s"), _iri(f"{EX}p")
    assert _object_line(_literal("1", XSD_INTEGER)) == f'<{EX}s> <{EX}p> "1"^^<{XSD_INTEGER}> .\n'
    assert _object_line(_literal("a", XSD_STRING)) == f'<{EX}s> <{EX}p> "a" .\n'
    assert _object_line(_literal("a", None, "en-GB")) == f'<{EX}s> <{EX}p> "a"@en-GB .\n'
    assert _object_line(_literal("a", RDF_LANGSTRING, "de")) == f'<{EX}s> <{EX}p> "a"@de .\n'
    assert serialize_quad(Quad(_blank("b0"), p, _blank("b1"), _iri(f"{EX}g"))) == (
        f"_:b0 <{EX}p> _:b1 <{EX}g> .\n"
    )
    assert serialize_quad(Quad(s, p, _iri("urn:x:∞"), _blank("g"))) == (
        f"<{EX}s> <{EX}p> <urn:x:∞> _:g .\n"
    )


@pytest.mark.parametrize(
    "quad",
    [
        Quad(_iri("http://example.com/a b"), _iri(f"{EX}p"), _literal("o"), None),
        Quad(_iri(f"{EX}s"), _iri(f"{EX}p"), _iri("http://example.com/x> <y"), None),
        Quad(_iri(f"{EX}s"), _iri(f"{EX}p"), _literal("o", None, "en US"), None),
        Quad(_iri(f"{EX}s"), _iri(f"{EX}p"), _literal("o", XSD_INTEGER, "en"), None),
        Quad(_iri(f"{EX}s"), _iri(f"{EX}p"), _literal("o", RDF_LANGSTRING), None),
        Quad(_iri(f"{EX}s"), _iri(f"{EX}p"), _literal("o", "http://example.com/a\nb"), None),
        Quad(_literal("s"), _iri(f"{EX}p"), _literal("o"), None),
        Quad(_iri(f"{EX}s"), _blank("p"), _literal("o"), None),
        Quad(_iri(f"{EX}s"), _iri(f"{EX}p"), _literal("o"), _literal("g")),
        Quad(_iri(f"{EX}s"), _iri(f"{EX}p"), _literal("\ud800"), None),
        Quad(_iri(f"{EX}s"), _iri(f"{EX}p"), Term("iri", f"{EX}o", XSD_INTEGER), None),
        Quad(_blank("not a label"), _iri(f"{EX}p"), _literal("o"), None),
    ],
    ids=[
        "space-in-iri",
        "angle-bracket-in-iri",
        "bad-language-tag",
        "language-with-datatype",
        "langstring-without-language",
        "newline-in-datatype",
        "literal-subject",
        "blank-predicate",
        "literal-graph",
        "lone-surrogate",
        "iri-with-datatype",
        "bad-blank-label",
    ],
)
def test_quad_without_a_canonical_form_is_refused(quad: Quad) -> None:
    with pytest.raises(CanonicalizationError):
        serialize_quad(quad)
    if quad.subject.value != "not a label":  # labels never reach canonical output
        with pytest.raises(CanonicalizationError):
            canonicalize([quad])


def test_refused_term_stays_refused_after_a_valid_use_of_its_value() -> None:
    iri = _iri(f"{EX}o")
    canonicalize([Quad(iri, iri, iri, iri)])
    with pytest.raises(CanonicalizationError):
        canonicalize([Quad(_literal(f"{EX}o"), iri, iri, None)])


# --- N-Quads parsing ------------------------------------------------------------------------


def test_parse_unescapes_echar_and_uchar_in_literals_and_iris() -> None:
    text = '<urn:ex:\\u00e9> <urn:ex:p> "\\t\\b\\n\\r\\f\\"\\\'\\\\ \\u0041\\U0001F303" .\n'
    [quad] = parse_nquads(text)
    assert quad.subject == _iri("urn:ex:é")
    assert quad.object == _literal("\t\b\n\r\f\"'\\ A\U0001f303")


def test_parse_reads_every_term_form() -> None:
    text = (
        "# a comment\r\n"
        "\r\n"
        '_:b0 <urn:ex:p> "a"@en-US _:g . # trailing comment\n'
        '<urn:ex:s>\t<urn:ex:p>\t"1"^^<http://www.w3.org/2001/XMLSchema#integer>\t<urn:ex:g>.\r'
        '_:b.1 <urn:ex:p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .'
    )
    assert parse_nquads(text) == [
        Quad(_blank("b0"), _iri("urn:ex:p"), _literal("a", RDF_LANGSTRING, "en-US"), _blank("g")),
        Quad(_iri("urn:ex:s"), _iri("urn:ex:p"), _literal("1", XSD_INTEGER), _iri("urn:ex:g")),
        Quad(_blank("b.1"), _iri("urn:ex:p"), _literal("x"), None),
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("<urn:ex:s> <urn:ex:p> <urn:ex:o> .\n\n<urn:ex:s> <urn:ex:p> <urn:ex:o>\n", 3),
        ('<urn:ex:s> <urn:ex:p> "unterminated .\n', 1),
        ('# c\n<urn:ex:s> <urn:ex:p> "bad \\q escape" .\n', 2),
        ('<urn:ex:s> <urn:ex:p> "\\uD800" .\n', 1),
        ("<urn:ex:s> <urn:ex:p> <urn:ex:o> . extra\n", 1),
        ('"literal" <urn:ex:p> <urn:ex:o> .\n', 1),
        ("<urn:ex:s> _:p <urn:ex:o> .\n", 1),
        ("<urn:ex:s> <urn:ex:p> <urn:ex:o> _:g _:h .\n", 1),
        ("\n\n\n<urn:ex:a b> <urn:ex:p> <urn:ex:o> .\n", 4),
        ("<urn:ex:\\u0020> <urn:ex:p> <urn:ex:o> .\n", 1),
        ('<urn:ex:s> <urn:ex:p> "x"^^ .\n', 1),
    ],
)
def test_parse_error_names_the_line(text: str, line: int) -> None:
    with pytest.raises(DocumentError, match=rf"\bline {line}\b"):
        parse_nquads(text)


# --- PyLD's to_rdf output ------------------------------------------------------------------------

_DOCUMENT: dict[str, Any] = {
    "@context": {
        "ex": "http://example.org/",
        "name": "ex:name",
        "count": {"@id": "ex:count", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
        "label": {"@id": "ex:label", "@language": "en"},
        "knows": {"@id": "ex:knows"},
        "claims": {"@id": "ex:claims", "@container": "@graph"},
    },
    "@id": "http://example.org/alice",
    "name": "Alice\u0008",
    "count": 5,
    "label": "hello",
    "knows": {"name": "Bob"},
    "claims": {"@id": "http://example.org/claim", "name": "inner"},
}


def test_quads_from_pyld_reads_to_rdf_output() -> None:
    quads = quads_from_pyld(jsonld.to_rdf(copy.deepcopy(_DOCUMENT), {}))
    alice, ex = _iri("http://example.org/alice"), "http://example.org/"
    assert Quad(alice, _iri(ex + "name"), _literal("Alice\b"), None) in quads
    assert Quad(alice, _iri(ex + "count"), _literal("5", XSD_INTEGER), None) in quads
    assert Quad(alice, _iri(ex + "label"), _literal("hello", RDF_LANGSTRING, "en"), None) in quads
    [knows] = [quad for quad in quads if quad.predicate == _iri(ex + "knows")]
    assert knows.object.kind == "blank" and not knows.object.value.startswith("_:")
    assert Quad(knows.object, _iri(ex + "name"), _literal("Bob"), None) in quads
    [inner] = [quad for quad in quads if quad.graph is not None]
    assert inner.graph is not None and inner.graph.kind == "blank"
    assert inner.subject == _iri("http://example.org/claim")
    assert len(quads) == 7


def test_quads_from_pyld_canonicalize_as_pyld_does_apart_from_escaping() -> None:
    quads = quads_from_pyld(jsonld.to_rdf(copy.deepcopy(_DOCUMENT), {}))
    expected = jsonld.normalize(
        copy.deepcopy(_DOCUMENT), {"algorithm": "URDNA2015", "format": "application/n-quads"}
    )
    # URDNA2015 writes U+0008 raw; RDFC-1.0 writes it as an ECHAR.
    assert canonicalize(quads) == expected.replace("\b", "\\b")
    assert "\\b" in canonicalize(quads)


def test_quads_from_pyld_refuses_an_unknown_term_type() -> None:
    triple = {
        "subject": {"type": "IRI", "value": "urn:ex:s"},
        "predicate": {"type": "IRI", "value": "urn:ex:p"},
        "object": {"type": "triple", "value": "urn:ex:o"},
    }
    with pytest.raises(DocumentError, match="triple"):
        quads_from_pyld({"@default": [triple]})


# --- Properties ------------------------------------------------------------------------------

_BLANK_LABELS = [f"b{i}" for i in range(6)]
_IRIS = ["http://example.org/a", "http://example.org/b", "urn:ex:∞", "https://example.org/c#d"]
_PREDICATES = [
    "http://example.org/p",
    "http://example.org/q",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
]
# Text where URDNA2015 and RDFC-1.0 escape alike: no control characters but tab, LF and CR.
_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from('\t\n\r"\\'),
    max_size=6,
)
_IRI_TERMS = st.sampled_from(_IRIS).map(_iri)
_BLANK_TERMS = st.sampled_from(_BLANK_LABELS).map(_blank)
_LITERAL_TERMS = st.one_of(
    _TEXT.map(_literal),
    st.builds(_literal, _TEXT, st.sampled_from([XSD_INTEGER, "http://example.org/dt"])),
    st.builds(_literal, _TEXT, st.just(RDF_LANGSTRING), st.sampled_from(["en", "en-US", "de"])),
)


def _names_a_blank_node_once(quad: Quad) -> bool:
    labels = [term.value for term in quad if term is not None and term.kind == "blank"]
    return len(labels) == len(set(labels))


_QUADS = st.builds(
    Quad,
    _IRI_TERMS | _BLANK_TERMS,
    st.sampled_from(_PREDICATES).map(_iri),
    _IRI_TERMS | _BLANK_TERMS | _LITERAL_TERMS,
    st.none() | _IRI_TERMS | _BLANK_TERMS,
).filter(_names_a_blank_node_once)


@st.composite
def _symmetric_shapes(draw: st.DrawFn) -> list[Quad]:
    """Rings, double rings, identical disjoint pairs and stars: nodes with equal first hashes."""
    shape = draw(st.sampled_from(["ring", "double-ring", "pairs", "star"]))
    size = draw(st.integers(2, 4))
    nodes = [_blank(label) for label in draw(st.permutations(_BLANK_LABELS))[: size + 1]]
    next_, prev, value = (_iri(p) for p in _PREDICATES)
    graph = draw(st.none() | _IRI_TERMS)
    if shape == "ring":
        return [Quad(nodes[i], next_, nodes[(i + 1) % size], graph) for i in range(size)]
    if shape == "double-ring":
        return [
            Quad(nodes[i], predicate, nodes[(i + step) % size], graph)
            for i in range(size)
            for predicate, step in ((next_, 1), (prev, size - 1))
        ]
    if shape == "pairs":
        pairs = list(zip(nodes[0:size:2], nodes[1:size:2], strict=False))
        return [
            quad
            for a, b in pairs
            for quad in (Quad(a, next_, b, graph), Quad(b, value, _literal("v"), graph))
        ]
    hub = nodes[size]
    return [
        quad
        for leaf in nodes[:size]
        for quad in (Quad(hub, next_, leaf, graph), Quad(leaf, value, _literal("v"), graph))
    ]


_DATASETS = st.builds(
    lambda quads, shapes: quads + [quad for shape in shapes for quad in shape],
    st.lists(_QUADS, max_size=10),
    st.lists(_symmetric_shapes(), max_size=2),
)


def _pyld_component(term: Term) -> dict[str, str]:
    if term.kind == "iri":
        return {"type": "IRI", "value": term.value}
    if term.kind == "blank":
        return {"type": "blank node", "value": "_:" + term.value}
    component = {"type": "literal", "value": term.value, "datatype": term.datatype or XSD_STRING}
    if term.language is not None:
        component["language"] = term.language
    return component


def _pyld_dataset(quads: list[Quad]) -> dict[str, list[dict[str, Any]]]:
    """The dataset shape URDNA2015.main takes (graph name -> triples); each quad once."""
    dataset: dict[str, list[dict[str, Any]]] = {}
    for quad in dict.fromkeys(quads):
        name = "@default" if quad.graph is None else _graph_name(quad.graph)
        dataset.setdefault(name, []).append(
            {
                "subject": _pyld_component(quad.subject),
                "predicate": _pyld_component(quad.predicate),
                "object": _pyld_component(quad.object),
            }
        )
    return dataset


def _graph_name(graph: Term) -> str:
    return "_:" + graph.value if graph.kind == "blank" else graph.value


def _pyld_canonical(dataset: dict[str, list[dict[str, Any]]]) -> str:
    result: str = URDNA2015().main(copy.deepcopy(dataset), {"format": "application/n-quads"})
    return result


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DATASETS)
def test_canonical_form_matches_pyld_urdna2015(quads: list[Quad]) -> None:
    assert canonicalize(quads) == _pyld_canonical(_pyld_dataset(quads))


@settings(max_examples=100, deadline=None)
@given(_DATASETS, st.randoms(use_true_random=False))
def test_canonical_form_ignores_quad_order_and_blank_node_labels(
    quads: list[Quad], random: Random
) -> None:
    renamed = [f"r{i}" for i in range(len(_BLANK_LABELS))]
    random.shuffle(renamed)
    mapping = dict(zip(_BLANK_LABELS, renamed, strict=True))

    def relabel(term: Term) -> Term:
        return _blank(mapping[term.value]) if term.kind == "blank" else term

    shuffled = [
        Quad(
            relabel(quad.subject),
            quad.predicate,
            relabel(quad.object),
            None if quad.graph is None else relabel(quad.graph),
        )
        for quad in quads
    ]
    random.shuffle(shuffled)
    # RDFC-1.0 orders N-degree results "by the hash in result" (§4.4.3 step 5.3) and leaves
    # equal hashes in input order; where two nodes tie without being interchangeable (two
    # cycles over the same nodes in different graphs), the canonical form follows the input
    # order, in the reference implementation as here. The property holds wherever the
    # reference's own output does not depend on the input.
    assume(_pyld_canonical(_pyld_dataset(shuffled)) == _pyld_canonical(_pyld_dataset(quads)))
    assert canonicalize(shuffled) == canonicalize(quads)


# Any text without lone surrogates, control characters included.
_ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8)
_ROUND_TRIP_QUADS = st.builds(
    Quad,
    _IRI_TERMS | _BLANK_TERMS,
    st.sampled_from(_PREDICATES).map(_iri),
    _IRI_TERMS
    | _BLANK_TERMS
    | st.builds(_literal, _ANY_TEXT)
    | st.builds(_literal, _ANY_TEXT, st.just(XSD_INTEGER))
    | st.builds(_literal, _ANY_TEXT, st.just(RDF_LANGSTRING), st.just("en-US")),
    st.none() | _IRI_TERMS | _BLANK_TERMS,
)


@settings(max_examples=100, deadline=None)
@given(st.lists(_ROUND_TRIP_QUADS, max_size=4))
def test_serialized_quads_parse_back_to_the_same_quads(quads: list[Quad]) -> None:
    text = "".join(serialize_quad(quad) for quad in quads)
    assert parse_nquads(text) == quads
