// Verify Data Integrity credentials with Digital Bazaar's implementations, as an oracle.
//
// stdin:  one request or an array of requests:
//   {"credential": {...},
//    "documents": {url: document, ...},     DID documents by https URL, status lists, ...
//    "now": "2026-11-30T12:00:00Z",         the verifier's clock (default: the real one)
//    "status": "check" | "ignore",          credentialStatus handling (default "check")
//    "fetch": true, "allow": ["http://127.0.0.1:PORT"]}   live loopback fetches (tests only)
// stdout: one result, or an array in the same order:
//   {"verified": bool, "errors": [...], "proofs": [...], "status": [...]}
// The script always prints JSON and exits 0; a crash becomes {"verified": false, "errors"}.
// What is checked is described in di.mjs; what is loaded, in lib.mjs.

import {answer, describeError} from './lib.mjs';
import {settle} from './di.mjs';

await answer(settle, error => ({
  verified: false, errors: describeError(error), proofs: [], status: []
}));
