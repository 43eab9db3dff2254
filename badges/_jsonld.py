"""JSON-LD processing, offline and exact.

Only the context documents shipped in ``badges/contexts`` are ever used, looked up by their exact
URL; any other URL is a :class:`DocumentError` that names it. Nothing is fetched. The loader is
passed to PyLD per call (never through its global setter).

PyLD re-processes the same ``@context`` for every document, which costs about 80% of a
credential's canonicalization. Context processing is a pure function of (active context, local
context), so :class:`_Processor` memoises it for the shipped contexts. The output is unchanged:
``tests/badges/test_jsonld.py`` compares it with PyLD's plain path over vectors and generated
credentials.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any

from pyld import jsonld
from pyld.context_resolver import ContextResolver
from pyld.identifier_issuer import IdentifierIssuer

from badges import _rdfc
from badges._once import once
from badges.errors import DataLossError, DocumentError
from badges.ports import JSONObject


@dataclass(frozen=True)
class WorkBudget:
    """How much JSON-LD work one document may cost, judged before any processing.

    Like RDFC-1.0's bound on Hash N-Degree Quads (``_rdfc.DEFAULT_MAX_WORK``), this bounds
    work, not bytes: a 177 KB credential with 9,000 ``evidence`` entries cost 39 s of CPU,
    because building the node map compares each value of a property with every value added
    before it (quadratic in the values of one property of one node).

    Attributes:
        max_depth: nesting of JSON objects and arrays.
        max_nodes: JSON objects (each becomes a node or a value object).
        max_values: JSON values of any kind, containers included.
        max_steps: estimated steps of expansion and node-map building: one per value, plus,
            for each property of each node (objects sharing an ``id`` are one node), the
            square of its number of values. The default admits a property with 1,000
            values (about half a second); the credentials of the published examples need a
            few hundred steps.
    """

    max_depth: int = 64
    max_nodes: int = 10_000
    max_values: int = 20_000
    max_steps: int = 1_000_000
    shared: SharedWork | None = field(default=None, compare=False)


class SharedWork:
    """Steps of JSON-LD work several documents share (a batch's items), spent in order.

    Each document still keeps its own :class:`WorkBudget`; this bounds their sum. Once a
    document would take more than is left, nothing is left for the documents after it.
    """

    def __init__(self, max_steps: int) -> None:
        self._left = max_steps
        self._lock = threading.Lock()

    @property
    def spent(self) -> bool:
        return self._left <= 0

    def spend(self, steps: int) -> bool:
        """Take ``steps``, or nothing (and empty the rest) if fewer are left."""
        with self._lock:
            if steps > self._left:
                self._left = 0
                return False
            self._left -= steps
            return True


DEFAULT_BUDGET = WorkBudget()
# Kept for callers that name the limits directly.
MAX_DEPTH = DEFAULT_BUDGET.max_depth
MAX_NODES = DEFAULT_BUDGET.max_values


@once
def _contexts() -> dict[str, Any]:
    """Map each shipped context URL to its parsed document (parsed once, never mutated)."""
    root = resources.files("badges") / "contexts"
    index = json.loads((root / "index.json").read_text(encoding="utf-8"))
    return {
        row["url"]: json.loads((root / row["file"]).read_text(encoding="utf-8")) for row in index
    }


def context_urls() -> frozenset[str]:
    """The context URLs this library can process."""
    return frozenset(_contexts())


def document_loader(url: str, options: object = None) -> dict[str, Any]:
    """PyLD document loader that serves only the shipped contexts, by exact URL.

    Raises:
        DocumentError: ``url`` is not a shipped context.
    """
    try:
        document = _contexts()[url]
    except KeyError:
        raise DocumentError(
            f"unknown JSON-LD context {url!r}: only the published Open Badges and "
            "Verifiable Credentials contexts shipped with Shomei are used"
        ) from None
    # The "static" tag lets the resolver keep the resolved context between calls.
    return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}


class _BoundedCache(dict[Any, Any]):
    """A dict that empties itself when full: bounded memory, lock-free reads."""

    def __init__(self, max_size: int) -> None:
        super().__init__()
        self._max_size = max_size

    def __setitem__(self, key: Any, value: Any) -> None:
        if len(self) >= self._max_size:
            self.clear()
        super().__setitem__(key, value)


@once
def _pinned_object_ids() -> frozenset[int]:
    """Identities of every mapping inside the shipped contexts (scoped contexts included)."""
    ids: set[int] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ids.add(id(node))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(list(_contexts().values()))
    return frozenset(ids)


_resolved_contexts = _BoundedCache(512)
_processed_contexts = _BoundedCache(4096)
# The uuids of the contexts in the memo above, whose term expansions are memoised too.
_stable_contexts = _BoundedCache(4096)
_expanded_iris = _BoundedCache(32768)
_MISSING = object()
_uuid_lock = threading.Lock()
_uuid_counter = 0


def _memo_key(local_ctx: Any) -> Any:
    """A cache key for a local context that is certainly immutable, else ``None``."""
    if isinstance(local_ctx, str):
        return local_ctx
    if isinstance(local_ctx, list) and all(isinstance(item, str) for item in local_ctx):
        return tuple(local_ctx)
    if isinstance(local_ctx, dict) and id(local_ctx) in _pinned_object_ids():
        return id(local_ctx)
    return None  # inline contexts from a document: processed normally


class _Processor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """PyLD with context processing memoised for the shipped (immutable) contexts."""

    def __init__(self) -> None:
        self.dropped: list[str] = []
        super().__init__(on_property_dropped=self._on_dropped)

    def _on_dropped(self, expanded_property: str | None) -> None:
        self.dropped.append(expanded_property or "?")

    def _process_context(
        self,
        active_ctx: dict[str, Any],
        local_ctx: Any,
        options: dict[str, Any],
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> dict[str, Any]:
        local_key = _memo_key(local_ctx)
        active_uuid = active_ctx.get("_uuid")
        if local_key is None or active_uuid is None:
            return super()._process_context(  # type: ignore[no-any-return]
                active_ctx,
                local_ctx,
                options,
                override_protected,
                propagate,
                validate_scoped,
                cycles,
            )
        key = (active_uuid, local_key, override_protected, propagate, validate_scoped)
        processed = _processed_contexts.get(key)
        if processed is None:
            processed = super()._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected,
                propagate,
                validate_scoped,
                cycles,
            )
            if "_uuid" not in processed:
                processed["_uuid"] = _next_uuid()
            _processed_contexts[key] = processed
            _stable_contexts[processed["_uuid"]] = True
        return processed  # type: ignore[no-any-return]

    def _expand_iri(
        self,
        active_ctx: dict[str, Any],
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        # Outside context processing, expanding a term is a pure function of the active
        # context; the memoised contexts above are never changed, so memoise it for them.
        if local_ctx is None and defined is None and isinstance(value, str):
            active_uuid = active_ctx.get("_uuid")
            if active_uuid in _stable_contexts:
                key = (active_uuid, value, base, vocab)
                expanded = _expanded_iris.get(key, _MISSING)
                if expanded is _MISSING:
                    expanded = super()._expand_iri(active_ctx, value, base, vocab)
                    _expanded_iris[key] = expanded
                return expanded
        return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)


def _next_uuid() -> str:
    global _uuid_counter
    with _uuid_lock:
        _uuid_counter += 1
        return f"shomei-ctx-{_uuid_counter}"


def _options() -> dict[str, Any]:
    return {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_resolved_contexts, document_loader),
        # No base: a relative IRI must stay relative so that it can be refused, not resolved
        # against an arbitrary default.
        "base": None,
    }


class BudgetExceededError(DocumentError):
    """Processing the document would cost more than the :class:`WorkBudget` allows."""


class WorkSpentError(BudgetExceededError):
    """The :class:`SharedWork` of the document's batch is spent: it was not checked at all."""


WORK_SPENT = "not checked: the work budget shared by the documents verified together is spent"


def check_budget(document: Any, budget: WorkBudget = DEFAULT_BUDGET) -> None:
    """Refuse a document whose JSON-LD processing would exceed ``budget``, without processing it.

    One walk of the JSON counts depth, objects and values, and the values of each property
    of each node (see :class:`WorkBudget`).

    Raises:
        BudgetExceededError: a limit is exceeded; the message names it and the document's
            figure.
    """
    if budget.shared is not None and budget.shared.spent:
        raise WorkSpentError(WORK_SPENT)
    stack: list[tuple[Any, int]] = [(document, 0)]
    values = nodes = steps = 0
    # (node id or object identity, property) -> number of values seen.
    per_property: dict[tuple[object, str], int] = {}
    while stack:
        node, depth = stack.pop()
        values += 1
        if depth > budget.max_depth:
            raise BudgetExceededError(
                f"the document is nested more than {budget.max_depth} levels deep"
            )
        if values > budget.max_values:
            raise BudgetExceededError(
                f"the document has more than {budget.max_values} values, the most this "
                "verifier processes"
            )
        if isinstance(node, dict):
            nodes += 1
            if nodes > budget.max_nodes:
                raise BudgetExceededError(
                    f"the document has more than {budget.max_nodes} objects, the most this "
                    "verifier processes"
                )
            node_id = node.get("id", node.get("@id"))
            owner: object = node_id if isinstance(node_id, str) else id(node)
            for key, value in node.items():
                count = len(value) if isinstance(value, list) else 1
                slot = (owner, key)
                before = per_property.get(slot, 0)
                per_property[slot] = before + count
                # Adding count values to before ones compares each with those before it.
                steps += count * before + count * (count + 1) // 2
                stack.append((value, depth + 1))
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)
        steps += 1
        if steps > budget.max_steps:
            raise BudgetExceededError(
                "the document would take too much work to process: it has properties with "
                f"very many values (more than {budget.max_steps} steps of JSON-LD processing, "
                "the most this verifier spends on one document)"
            )
    if budget.shared is not None and not budget.shared.spend(steps):
        raise WorkSpentError(WORK_SPENT)


def _jsonld_error(error: Exception) -> DocumentError:
    """Turn a PyLD error into a DocumentError, naming an unknown context if that was the cause."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, DocumentError):
            return cause
        details = getattr(cause, "details", None)
        if isinstance(details, dict):
            nested = details.get("cause")
            if isinstance(nested, DocumentError):
                return nested
        cause = cause.__cause__ or cause.__context__
    message = getattr(error, "message", None) or str(error)
    code = getattr(error, "code", None)
    return DocumentError(f"JSON-LD processing failed: {message}" + (f" ({code})" if code else ""))


def expand(
    document: JSONObject, *, budget: WorkBudget = DEFAULT_BUDGET
) -> tuple[list[Any], list[str]]:
    """Expand ``document``; return the expanded form and the properties expansion dropped.

    Raises:
        BudgetExceededError: the document is over ``budget`` (checked before expanding).
        DocumentError: unknown context, protected-term redefinition, malformed JSON-LD.
    """
    if not isinstance(document, dict):
        raise DocumentError("a JSON-LD document must be a JSON object")
    check_budget(document, budget)
    processor = _Processor()
    try:
        expanded = processor.expand(document, _options())
    except DocumentError:
        raise
    except Exception as error:  # PyLD raises JsonLdError and, on malformed input, others
        raise _jsonld_error(error) from error
    return expanded, processor.dropped


def _relative_iris(expanded: Any) -> Iterator[str]:
    """Yield node ids and types in expanded JSON-LD that are not absolute IRIs (they'd be lost)."""
    stack = [expanded]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if "@value" in node:
                continue
            node_id = node.get("@id")
            if isinstance(node_id, str) and not _is_absolute(node_id):
                yield node_id
            for type_iri in node.get("@type", ()):
                if isinstance(type_iri, str) and not _is_absolute(type_iri):
                    yield type_iri
            stack.extend(value for key, value in node.items() if key not in ("@id", "@type"))


def _is_absolute(iri: str) -> bool:
    """PyLD's own test, so that what we refuse is exactly what it would drop."""
    return bool(jsonld._is_absolute_iri(iri))


def undefined_terms(document: JSONObject) -> list[str]:
    """Properties and IRIs of ``document`` its contexts do not define: they would go unsigned."""
    return analyse(document).undefined


@dataclass(frozen=True)
class Analysis:
    """A document's RDF quads and what its contexts leave undefined, from one expansion."""

    quads: list[_rdfc.Quad]
    undefined: list[str]

    def canonical(self) -> str:
        """RDFC-1.0 canonical N-Quads, computed once (every proof of a set needs them)."""
        return self._canonical

    @cached_property
    def _canonical(self) -> str:
        return _rdfc.canonicalize(self.quads)


def analyse(document: JSONObject, *, budget: WorkBudget = DEFAULT_BUDGET) -> Analysis:
    """Expand ``document`` once; return its quads and its undefined terms.

    Raises:
        BudgetExceededError: the document is over ``budget`` (checked before expanding).
        DocumentError: the document cannot be processed.
    """
    expanded, dropped = expand(document, budget=budget)
    undefined = sorted(set(dropped) | set(_relative_iris(expanded)))
    # PyLD's to_rdf would expand again; build the dataset from the expansion we already have.
    processor = _Processor()
    issuer = IdentifierIssuer("_:b")
    node_map: dict[str, Any] = {"@default": {}}
    options = {
        "produceGeneralizedRdf": False,
        "processingMode": "json-ld-1.1",
        "rdfDirection": None,
    }
    try:
        processor._create_node_map(expanded, node_map, "@default", issuer)
        dataset = {
            name: processor._graph_to_rdf(graph, issuer, options)
            for name, graph in sorted(node_map.items())
            if name == "@default" or _is_absolute(name)
        }
    except Exception as error:  # PyLD raises JsonLdError and, on malformed input, others
        raise _jsonld_error(error) from error
    return Analysis(_rdfc.quads_from_pyld(dataset), undefined)


def require_lossless(undefined: Sequence[str], *, what: str = "the document") -> None:
    """Safe mode: refuse data that JSON-LD processing would drop (one rule for sign and verify).

    "Implementations that use JSON-LD processing, such as RDF Dataset Canonicalization, MUST
    throw an error, which SHOULD be DATA_LOSS_DETECTION_ERROR, when data is dropped by a
    JSON-LD processor" (https://www.w3.org/TR/vc-data-integrity/#securing-data-losslessly).

    Args:
        undefined: the terms and IRIs expansion dropped (``Analysis.undefined``).
        what: names the document in the message ("the credential", "the proof options").

    Raises:
        DataLossError: ``undefined`` is not empty; the message names every term.
    """
    if not undefined:
        return
    names = ", ".join(repr(name) for name in undefined)
    one = len(undefined) == 1
    raise DataLossError(
        f"{names} {'is' if one else 'are'} not defined by the @context of {what}: JSON-LD "
        f"processing drops {'it' if one else 'them'}, so no signature can cover "
        f"{'it' if one else 'them'} (DATA_LOSS_DETECTION_ERROR)",
        terms=undefined,
    )


def to_quads(document: JSONObject, *, strict: bool, what: str = "the document") -> list[_rdfc.Quad]:
    """Convert ``document`` to RDF quads with the shipped contexts.

    Args:
        document: a JSON-LD object (a credential, a proof configuration).
        strict: safe mode (:func:`require_lossless`): refuse a document with undefined terms or
            relative IRIs, which would not be covered by a signature.
        what: names the document in a safe-mode error.

    Raises:
        DocumentError: the document cannot be processed.
        DataLossError: (strict) the document has undefined terms.
    """
    analysis = analyse(document)
    if strict:
        require_lossless(analysis.undefined, what=what)
    return analysis.quads


def canonize(document: JSONObject, *, strict: bool = False, what: str = "the document") -> str:
    """RDFC-1.0 canonical N-Quads of ``document`` (UTF-8 text, one quad per line)."""
    return _rdfc.canonicalize(to_quads(document, strict=strict, what=what))
