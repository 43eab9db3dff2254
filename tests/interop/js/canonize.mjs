// Canonicalize JSON-LD documents with jsonld.js + rdf-canonize (RDFC-1.0), as an oracle for
// our own canonical N-Quads.
//
// stdin:  {"document": {...}, "safe": true} or an array of such requests
// stdout: {"nquads": "..."} or {"error": "..."} per request, in the same order
// Options match what @digitalbazaar/data-integrity uses when it signs and verifies: RDFC-1.0,
// no base IRI, and safe mode (undefined terms and relative IRIs are errors) unless "safe" is
// false. Contexts come only from badges/contexts/ (see lib.mjs).

import jsonld from 'jsonld';
import {answer, describeError, makeDocumentLoader} from './lib.mjs';

const documentLoader = makeDocumentLoader();

async function canonizeOne({document, safe = true}) {
  try {
    const nquads = await jsonld.canonize(document, {
      algorithm: 'RDFC-1.0', format: 'application/n-quads', safe, base: null, documentLoader
    });
    return {nquads};
  } catch(error) {
    return {error: describeError(error).join('; ')};
  }
}

await answer(canonizeOne, error => ({error: describeError(error).join('; ')}));
