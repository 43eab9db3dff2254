// An OpenID4VCI wallet built on @openid4vc/openid4vci (the OpenWallet Foundation's client):
// resolve the offer, read the issuer's metadata, redeem the pre-authorized code with the
// transaction code, prove possession of a fresh Ed25519 key and receive the credential.
//
// stdin: {"offer": "openid-credential-offer://…", "txCode": "123456" | null,
//         "version": "1.0" | "draft13", "binding": "did:key" | "jwk",
//         "stage": "credential" | "token", "allow": [origins the verifier may fetch]}
// stdout: {"ok": true, "credential", "holder", "requests": [[method, path, body]…],
//          "detectedVersion", "tokenResponse", "presented"}  or  {"ok": false, "error", …}
// "presented": with a did:key, the credential presented back in a presentation signed by
// the holder key and checked by @digitalbazaar/vc (both proofs, status list).
//
// "draft13": the client treats the issuer as a draft 13/14 one (the library's Draft14 mode,
// the wire format of draft 13): no nonce endpoint call, the c_nonce from the token response,
// a `format` + `credential_definition` request with a single `proof`.
// The loopback service is plain HTTP: the library's own allowInsecureUrls switch admits it.
import crypto from 'node:crypto';
import {
  Openid4vciClient,
  Openid4vciVersion,
  setGlobalConfig,
} from '@openid4vc/openid4vci';
import {clientAuthenticationAnonymous} from '@openid4vc/oauth2';
import {CompactSign, exportJWK, generateKeyPair} from 'jose';
import * as vc from '@digitalbazaar/vc';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {describeError, makeDocumentLoader} from './lib.mjs';

const ED25519_2020_CONTEXT = 'https://w3id.org/security/suites/ed25519-2020/v1';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function main() {
  const input = await readStdin();
  setGlobalConfig({allowInsecureUrls: true});
  const requests = [];
  const loggingFetch = async (url, init = {}) => {
    const path = new URL(url).pathname;
    const body = typeof init.body === 'string' ? init.body : init.body?.toString() ?? null;
    requests.push([init.method ?? 'GET', path, body]);
    return fetch(url, init);
  };

  // did:key: an Ed25519VerificationKey2020, as Digital Bazaar's wallets hold one; its key
  // also signs the presentation of the received credential below. jwk: a jose key pair.
  const didKeyPair = await Ed25519VerificationKey2020.generate();
  const multikey = didKeyPair.fingerprint();
  const didKey = `did:key:${multikey}`;
  didKeyPair.controller = didKey;
  didKeyPair.id = `${didKey}#${multikey}`;
  const {publicKey, privateKey} = await generateKeyPair('EdDSA', {crv: 'Ed25519'});
  const publicJwk = await exportJWK(publicKey);
  const holder = input.binding === 'jwk'
    ? 'did:jwk:' + Buffer.from(JSON.stringify(publicJwk)).toString('base64url')
    : didKey;
  const signer = input.binding === 'jwk'
    ? {method: 'jwk', alg: 'EdDSA', publicJwk}
    : {method: 'did', alg: 'EdDSA', didUrl: didKeyPair.id};
  const signCompact = async (header, payload) => {
    if (input.binding === 'jwk') {
      return new CompactSign(Buffer.from(JSON.stringify(payload)))
        .setProtectedHeader(header)
        .sign(privateKey);
    }
    const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signingInput = `${part(header)}.${part(payload)}`;
    const signature = await didKeyPair.signer().sign({data: Buffer.from(signingInput)});
    return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
  };

  const client = new Openid4vciClient({
    callbacks: {
      fetch: loggingFetch,
      hash: (data, alg) =>
        new Uint8Array(crypto.createHash(alg.replace('-', '').toLowerCase()).update(data).digest()),
      generateRandom: (n) => new Uint8Array(crypto.randomBytes(n)),
      clientAuthentication: clientAuthenticationAnonymous(),
      signJwt: async (_signer, {header, payload}) => {
        return {jwt: await signCompact(header, payload), signerJwk: publicJwk};
      },
    },
  });

  const credentialOffer = await client.resolveCredentialOffer(input.offer);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const detectedVersion = issuerMetadata.originalDraftVersion;
  if (input.version === 'draft13') {
    issuerMetadata.originalDraftVersion = Openid4vciVersion.Draft14;
  }
  const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer,
    issuerMetadata,
    txCode: input.txCode ?? undefined,
  });
  if (input.stage === 'token') {
    return {ok: true, requests, detectedVersion, tokenResponse: accessTokenResponse};
  }
  const configurationId = credentialOffer.credential_configuration_ids[0];
  let nonce;
  if (input.version === 'draft13') {
    nonce = accessTokenResponse.c_nonce;
  } else {
    nonce = (await client.requestNonce({issuerMetadata})).c_nonce;
  }
  const {jwt} = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    signer,
    nonce,
    credentialConfigurationId: configurationId,
  });
  const proofArgs = input.version === 'draft13'
    ? {proof: {proof_type: 'jwt', jwt}}
    : {proofs: {jwt: [jwt]}};
  const response = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: configurationId,
    ...proofArgs,
  });
  const answer = response.credentialResponse;
  const credential = answer.credentials ? answer.credentials[0].credential : answer.credential;
  const presented = input.binding === 'jwk'
    ? null  // Digital Bazaar's resolver reads did:key, not did:jwk
    : await presentBack(credential, didKey, didKeyPair, input.allow ?? []);
  return {
    presented,
    ok: true,
    credential,
    holder,
    requests,
    detectedVersion,
    responseMembers: Object.keys(answer).sort(),
    tokenResponse: accessTokenResponse,
  };
}

// Present the credential, as to an employer, in a presentation the holder key signs, and let
// @digitalbazaar/vc check both proofs and the credential's status list (fetched live).
async function presentBack(credential, did, key, allow) {
  const documentLoader = makeDocumentLoader({fetch: true, allow});
  const challenge = crypto.randomUUID();
  const domain = 'employer.example';
  const presentation = vc.createPresentation({holder: did, verifiableCredential: [credential]});
  presentation['@context'].push(ED25519_2020_CONTEXT);
  const signed = await vc.signPresentation({
    presentation, suite: new Ed25519Signature2020({key}), challenge, domain, documentLoader,
  });
  const result = await vc.verify({
    presentation: signed, challenge, domain, documentLoader,
    suite: [new DataIntegrityProof({cryptosuite: eddsaRdfc2022}), new Ed25519Signature2020()],
    checkStatus: (options) => checkBitstringStatus({...options, verifyBitstringStatusListCredential: true}),
  });
  const errors = describeError(result.error);
  for (const r of result.credentialResults ?? []) errors.push(...describeError(r.error));
  return {
    verified: result.verified === true,
    presentationVerified: result.presentationResult?.verified === true,
    errors: [...new Set(errors)],
  };
}

main().then(
  (result) => process.stdout.write(JSON.stringify(result)),
  async (error) => {
    const response = error.response ?? error.errorResponse;
    let body = error.responseText ?? null;
    if (!body && response && typeof response.clone === 'function') {
      try {
        body = await response.clone().text();
      } catch {
        body = null;
      }
    }
    process.stdout.write(JSON.stringify({
      ok: false,
      error: String(error?.message ?? error),
      status: response?.status ?? error.response?.status ?? null,
      body,
    }));
  },
);
