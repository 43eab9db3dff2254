// Verify compact JWS / VC-JWT tokens with `jose`, as an oracle.
//
// stdin:  one request or an array of requests:
//   {"token": "...",
//    "jwks": {"keys": [...]}  |  "jwksUrl": "http://127.0.0.1:PORT/.well-known/jwks.json",
//    "now": "2026-11-30T12:00:00Z"}         the verifier's clock for nbf/exp (default: real)
// stdout: one result, or an array in the same order:
//   {"verified": bool, "payload": {...} | null, "header": {...} | null, "error": "..." | null}
// The script always prints JSON and exits 0.
//
// Only RS256, ES256 and EdDSA are accepted (OB 3.0 §8.2 and 1EdTech's validator; EdDSA
// because we issue it). jwtVerify checks the signature and the nbf / exp claims; the key is
// chosen from the set by the header's kid and alg. A remote set is fetched from loopback only.

import * as jose from 'jose';
import {allowedOrigins, answer, describeError} from './lib.mjs';

const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

function keySet(request) {
  if(request.jwks && request.jwksUrl) {
    throw new Error('give either "jwks" or "jwksUrl", not both');
  }
  if(request.jwks) {
    return jose.createLocalJWKSet(request.jwks);
  }
  if(request.jwksUrl) {
    allowedOrigins([request.jwksUrl]); // throws unless it is http on a loopback host
    return jose.createRemoteJWKSet(new URL(request.jwksUrl), {timeoutDuration: 5000});
  }
  throw new Error('a request needs "jwks" or "jwksUrl"');
}

async function verifyOne(request) {
  let header = null;
  try {
    header = jose.decodeProtectedHeader(request.token);
    const options = {algorithms: ALGORITHMS};
    if(request.now) {
      options.currentDate = new Date(request.now);
    }
    const {payload, protectedHeader} = await jose.jwtVerify(
      request.token, keySet(request), options);
    return {verified: true, payload, header: protectedHeader, error: null};
  } catch(error) {
    return {verified: false, payload: null, header, error: describeError(error).join('; ')};
  }
}

await answer(verifyOne, error => ({
  verified: false, payload: null, header: null, error: describeError(error).join('; ')
}));
