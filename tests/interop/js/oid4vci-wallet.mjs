// An OpenID4VCI wallet built on @openid4vc/openid4vci (the OpenWallet Foundation's client):
// resolve the offer, read the issuer's metadata, redeem the pre-authorized code with the
// transaction code, prove possession of a fresh Ed25519 key and receive the credential.
//
// stdin: {"offer": "openid-credential-offer://…", "txCode": "123456" | null,
//         "version": "1.0" | "draft13", "binding": "did:key" | "jwk",
//         "stage": "credential" | "token"}
// stdout: {"ok": true, "credential", "holder", "requests": [[method, path, body]…],
//          "detectedVersion", "tokenResponse"}  or  {"ok": false, "error", "status", "body"}
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

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58(bytes) {
  let n = BigInt('0x' + Buffer.from(bytes).toString('hex'));
  let out = '';
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

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

  const {publicKey, privateKey} = await generateKeyPair('EdDSA', {crv: 'Ed25519'});
  const publicJwk = await exportJWK(publicKey);
  const raw = Buffer.from(publicJwk.x, 'base64url');
  const multikey = 'z' + base58(Buffer.concat([Buffer.from([0xed, 0x01]), raw]));
  const didKey = `did:key:${multikey}`;
  const holder = input.binding === 'jwk'
    ? 'did:jwk:' + Buffer.from(JSON.stringify(publicJwk)).toString('base64url')
    : didKey;
  const signer = input.binding === 'jwk'
    ? {method: 'jwk', alg: 'EdDSA', publicJwk}
    : {method: 'did', alg: 'EdDSA', didUrl: `${didKey}#${multikey}`};

  const client = new Openid4vciClient({
    callbacks: {
      fetch: loggingFetch,
      hash: (data, alg) =>
        new Uint8Array(crypto.createHash(alg.replace('-', '').toLowerCase()).update(data).digest()),
      generateRandom: (n) => new Uint8Array(crypto.randomBytes(n)),
      clientAuthentication: clientAuthenticationAnonymous(),
      signJwt: async (_signer, {header, payload}) => {
        const jwt = await new CompactSign(Buffer.from(JSON.stringify(payload)))
          .setProtectedHeader(header)
          .sign(privateKey);
        return {jwt, signerJwk: publicJwk};
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
  return {
    ok: true,
    credential,
    holder,
    requests,
    detectedVersion,
    responseMembers: Object.keys(answer).sort(),
    tokenResponse: accessTokenResponse,
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
