// A test wallet that does what the Learner Credential Wallet (LCW) does to receive a badge
// through a VC-API exchange (https://w3c-ccg.github.io/vc-api/#exchanges), then checks what it
// received with @digitalbazaar/vc, holder binding included.
//
// stdin:  one request or an array of requests:
//   {"link": "https://lcw.app/request?request=…" | "interaction:https://…?iuv=1"
//            | "dccrequest://request?…&vc_request_url=…",
//    "allow": ["http://127.0.0.1:PORT"]}     the service's loopback origin (nothing else)
// stdout: one result, or an array in the same order:
//   {"holder", "request" (the presentation request), "credential", "exchange": [statuses],
//    "verified", "bound", "errors", "status"}
//
// Like LCW 2.2.x: a `request=` link is parsed as a wallet API message (query string, then
// decodeURI); an interaction URL is fetched with Accept: application/json for its protocols;
// only `protocols.vcapi` is used. The wallet makes a did:key (Ed25519VerificationKey2020),
// POSTs {} to the exchange, requires `challenge` and `domain` in the DID Authentication
// request, signs an empty presentation with Ed25519Signature2020 and POSTs it to the same URL
// as {"verifiablePresentation": …}. A legacy `dccrequest://` link (LCW 2.1) needs `issuer`,
// `vc_request_url` and `auth_type=bearer`; the bare presentation, signed over the link's
// challenge without a domain, is POSTed to `vc_request_url`.
//
// Then the credential is presented back in a presentation signed by the same key and
// @digitalbazaar/vc's `verify` checks both proofs and the credential's status list (fetched
// live from the allowed origin); "bound" says whether credentialSubject.id is the holder.

import * as vc from '@digitalbazaar/vc';
import {Ed25519VerificationKey2020} from
  '@digitalbazaar/ed25519-verification-key-2020';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {answer, allowedOrigins, describeError, makeDocumentLoader} from './lib.mjs';

const ED25519_2020_CONTEXT = 'https://w3id.org/security/suites/ed25519-2020/v1';
const TIMEOUT_MS = 10000;

// One LCW profile: an Ed25519VerificationKey2020 key and its did:key
// (https://w3c-ccg.github.io/did-key-spec/: the DID is did:key:<fingerprint>, the method
// <did>#<fingerprint>).
async function newProfile() {
  const key = await Ed25519VerificationKey2020.generate();
  const fingerprint = key.fingerprint();
  const did = `did:key:${fingerprint}`;
  key.controller = did;
  key.id = `${did}#${fingerprint}`;
  return {did, key};
}

async function post(url, body, origins, log) {
  if(!origins.has(new URL(url).origin)) {
    throw new Error(`refused to POST to "${url}": not an allowed loopback origin.`);
  }
  const response = await fetch(url, {
    method: 'POST',
    headers: {'content-type': 'application/json', accept: 'application/json'},
    body: JSON.stringify(body),
    redirect: 'error',
    signal: AbortSignal.timeout(TIMEOUT_MS)
  });
  log.push(response.status);
  const text = await response.text();
  if(!response.ok) {
    throw new Error(`POST ${url} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text);
}

// What LCW's deep link handling finds in a link: an exchange URL or a legacy request.
async function exchangeOf(link, origins) {
  if(link.startsWith('dccrequest://') || link.startsWith('org.dcconsortium://')) {
    const params = new URL(link.replace(/^[a-z.]+:\/\//, 'https://x/')).searchParams;
    if(!params.get('issuer') || !params.get('vc_request_url')) {
      throw new Error('a legacy request needs issuer and vc_request_url');
    }
    const authType = params.get('auth_type') ?? 'code';
    if(authType !== 'bearer') {
      throw new Error(`Unsupported auth_type value: ${authType}`);
    }
    return {legacy: true, url: params.get('vc_request_url'),
      challenge: params.get('challenge') ?? crypto.randomUUID()};
  }
  if(link.startsWith('interaction:')) {
    const url = decodeURIComponent(link.slice('interaction:'.length));
    if(new URL(url).searchParams.get('iuv') !== '1') {
      throw new Error('an interaction URL needs iuv=1');
    }
    if(!origins.has(new URL(url).origin)) {
      throw new Error(`refused to GET "${url}": not an allowed loopback origin.`);
    }
    const response = await fetch(url, {
      headers: {accept: 'application/json'}, signal: AbortSignal.timeout(TIMEOUT_MS)
    });
    if(!response.ok) {
      throw new Error(`GET ${url} answered ${response.status}`);
    }
    const {protocols} = await response.json();
    if(!protocols?.vcapi) {
      throw new Error('Only the "vcapi" protocol is supported currently.');
    }
    return {legacy: false, url: protocols.vcapi};
  }
  const request = new URL(link).searchParams.get('request');
  const message = JSON.parse(decodeURI(request));
  if(!message.protocols?.vcapi) {
    throw new Error('Only the "vcapi" protocol is supported currently.');
  }
  return {legacy: false, url: message.protocols.vcapi};
}

async function signedPresentation({did, key, challenge, domain, credential, documentLoader}) {
  const presentation = vc.createPresentation({
    holder: did, ...(credential ? {verifiableCredential: [credential]} : {})
  });
  presentation['@context'].push(ED25519_2020_CONTEXT);
  return vc.signPresentation({
    presentation, suite: new Ed25519Signature2020({key}), challenge,
    ...(domain ? {domain} : {}), documentLoader
  });
}

async function receive(request, exchange) {
  const origins = allowedOrigins(request.allow ?? []);
  const documentLoader = makeDocumentLoader({fetch: true, allow: request.allow ?? []});
  const {did, key} = await newProfile();
  const target = await exchangeOf(request.link, origins);
  let vpr = null;
  let credential;
  if(target.legacy) {
    const vp = await signedPresentation({
      did, key, challenge: target.challenge, documentLoader
    });
    credential = await post(target.url, vp, origins, exchange);
  } else {
    const first = await post(target.url, {}, origins, exchange);
    vpr = first.verifiablePresentationRequest;
    const {challenge, domain} = vpr ?? {};
    if(!challenge || !domain) {
      throw new Error('Both "challenge" and "domain" are required for DID Auth.');
    }
    const endpoint = vpr.interact?.service?.[0]?.serviceEndpoint ?? target.url;
    if(endpoint !== target.url) {
      throw new Error(`the request names another endpoint: ${endpoint}`);
    }
    const vp = await signedPresentation({did, key, challenge, domain, documentLoader});
    const second = await post(target.url, {verifiablePresentation: vp}, origins, exchange);
    credential = [].concat(second.verifiablePresentation?.verifiableCredential ?? [])[0];
  }
  if(!credential) {
    throw new Error('the exchange returned no credential');
  }
  // Present it back, as to an employer, and let @digitalbazaar/vc check everything.
  const challenge = crypto.randomUUID();
  const presentation = await signedPresentation({
    did, key, challenge, domain: 'employer.example', credential, documentLoader
  });
  const status = [];
  const result = await vc.verify({
    presentation, challenge, domain: 'employer.example', documentLoader,
    suite: [new DataIntegrityProof({cryptosuite: eddsaRdfc2022}), new Ed25519Signature2020()],
    checkStatus: async options => {
      const checked = await checkBitstringStatus({...options, verifyBitstringStatusListCredential: true});
      for(const {credentialStatus, status: bit} of checked.results ?? []) {
        status.push({statusPurpose: credentialStatus.statusPurpose, set: Boolean(bit)});
      }
      if(checked.verified && status.some(s => s.set)) {
        return {verified: false, error: new Error('status bit set: revocation')};
      }
      return checked;
    }
  });
  const errors = describeError(result.error);
  for(const r of result.credentialResults ?? []) {
    errors.push(...describeError(r.error));
    if(r.statusResult && !r.statusResult.verified) {
      errors.push(...describeError(r.statusResult.error));
    }
  }
  return {
    holder: did, request: vpr, credential, exchange,
    verified: result.verified === true,
    presentationVerified: result.presentationResult?.verified === true,
    bound: credential.credentialSubject?.id === did,
    errors: [...new Set(errors)], status
  };
}

async function settle(request) {
  const exchange = [];  // the HTTP statuses the exchange answered, in order
  try {
    return await receive(request, exchange);
  } catch(error) {
    return {verified: false, errors: describeError(error), exchange, status: []};
  }
}

await answer(settle, error => ({verified: false, errors: describeError(error)}));
