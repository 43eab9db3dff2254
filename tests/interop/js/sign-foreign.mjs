// Make the "foreign" fixtures in tests/vectors_foreign/: OB 3.0 credentials from made-up
// issuers, signed by independent implementations (Digital Bazaar's vc / data-integrity /
// ed25519-signature-2020 and panva's jose), never by our own code.
//
//   node sign-foreign.mjs [output directory]      (default: ../../vectors_foreign)
//
// Every key is generated here, used, and dropped when the process ends: no private key is
// written anywhere. Everything else (ids, dates, salts, names) is fixed, so a re-run changes
// only keys, did:key identifiers and signatures. Before writing, each Data Integrity fixture
// is verified again with the same libraries, so a broken generator cannot leave bad files.
//
// Per fixture <name>: <name>.json (or <name>.jwt) and <name>.world.json, the URL -> document
// map a verifier needs (DID documents by their https URL, status lists, JWK Sets).

import {createHash} from 'node:crypto';
import {mkdirSync, writeFileSync} from 'node:fs';
import {resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createCredential as createStatusListCredential, createList} from
  '@digitalbazaar/vc-bitstring-status-list';
import * as jose from 'jose';
import {didWebUrl, makeDocumentLoader} from './lib.mjs';
import {verifyOne} from './di.mjs';

const DEFAULT_OUT = fileURLToPath(new URL('../../vectors_foreign/', import.meta.url));
const OUT = resolve(process.argv[2] ?? DEFAULT_OUT);
const VERIFY_AT = '2026-11-30T12:00:00Z';

const VC1 = 'https://www.w3.org/2018/credentials/v1';
const VC2 = 'https://www.w3.org/ns/credentials/v2';
const OB303 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
const OB_EXTENSIONS = 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json';
const ED25519_2020 = 'https://w3id.org/security/suites/ed25519-2020/v1';
const DID_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
const JWK_V1 = 'https://w3id.org/security/jwk/v1';
const SCHEMA = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/' +
  'ob_v3p0_achievementcredential_schema.json';

// IdentityHash (OB 3.0 B.1.x): "sha256$" + hex(SHA-256(identifier || salt)).
function emailIdentity(email, salt) {
  const digest = createHash('sha256').update(email + salt, 'utf8').digest('hex');
  return {
    type: 'IdentityObject', identityHash: `sha256$${digest}`, identityType: 'emailAddress',
    hashed: true, salt
  };
}

function achievement({slug, name, description, narrative, host}) {
  return {
    id: `https://${host}/achievements/${slug}`,
    type: ['Achievement'],
    name,
    description,
    criteria: {id: `https://${host}/achievements/${slug}/criteria`, narrative},
    image: {id: `https://${host}/images/${slug}.png`, type: 'Image', caption: name}
  };
}

async function didKeyMultikey() {
  const generated = await Ed25519Multikey.generate();
  const did = `did:key:${generated.publicKeyMultibase}`;
  const exported = await generated.export({publicKey: true, secretKey: true});
  const key = await Ed25519Multikey.from({
    ...exported, id: `${did}#${generated.publicKeyMultibase}`, controller: did
  });
  return {did, key};
}

async function issueDataIntegrity({credential, key, created, documents = {}}) {
  const suite = new DataIntegrityProof({
    signer: key.signer(), cryptosuite: eddsaRdfc2022, date: created
  });
  return vc.issue({credential, suite, documentLoader: makeDocumentLoader({documents})});
}

// --- (a) eddsa-rdfc-2022, VCDM 2.0, did:key issuer, e-mail recipient ---------------------------

const NORTHWIND = 'skills.northwind.example';

async function fixtureA() {
  const {did, key} = await didKeyMultikey();
  const credential = {
    '@context': [VC2, OB303],
    id: 'urn:uuid:0f6c1d2e-8a41-4d0b-9b7e-3f2a9c5d7e11',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Data Stewardship Foundations',
    issuer: {
      id: did, type: ['Profile'], name: 'Northwind Skills Institute',
      url: `https://${NORTHWIND}/`, email: 'badges@northwind.example'
    },
    validFrom: '2025-09-15T09:00:00Z',
    validUntil: '2030-09-15T09:00:00Z',
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [emailIdentity('mei.ono@example.net', '4b2f0c9e71d84a36b51e0a7c93d2f648')],
      achievement: achievement({
        slug: 'data-stewardship', host: NORTHWIND,
        name: 'Data Stewardship Foundations',
        description: 'Handles personal data under a documented retention and access policy.',
        narrative: 'Completed the six-week course and passed the final assessment (75% or more).'
      })
    }
  };
  const signed = await issueDataIntegrity({credential, key, created: '2025-09-15T09:00:05Z'});
  return {name: 'a-eddsa-didkey', credential: signed, world: {}};
}

// --- (b) eddsa-rdfc-2022, VCDM 2.0, did:web issuer, status list; (f) a revoked sibling --------

const OTHER = 'badges.other.example';
const OTHER_DID = `did:web:${OTHER}:issuers:1`;
const OTHER_LIST = `https://${OTHER}/status/1/revocation`;
const LIVE_INDEX = 8804;
const REVOKED_INDEX = 17;

function otherCredential({id, email, salt, index, validFrom}) {
  return {
    '@context': [VC2, OB303, OB_EXTENSIONS],
    id,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Incident Response Practitioner',
    issuer: {
      id: OTHER_DID, type: ['Profile'], name: 'Other Example Security Academy',
      url: `https://${OTHER}/`,
      description: 'Vendor-neutral security training for operations teams.'
    },
    validFrom,
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [emailIdentity(email, salt)],
      achievement: achievement({
        slug: 'incident-response', host: OTHER,
        name: 'Incident Response Practitioner',
        description: 'Leads the first 24 hours of a security incident.',
        narrative: 'Ran a tabletop exercise and passed the practical assessment.'
      })
    },
    credentialSchema: [{id: SCHEMA, type: '1EdTechJsonSchemaValidator2019'}],
    credentialStatus: {
      id: `${OTHER_LIST}#${index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(index),
      statusListCredential: OTHER_LIST
    }
  };
}

async function fixturesBF() {
  const keyId = `${OTHER_DID}#key-2025-06`;
  const key = await Ed25519Multikey.generate({id: keyId, controller: OTHER_DID});
  const didDocument = {
    '@context': [DID_V1, MULTIKEY_V1],
    id: OTHER_DID,
    verificationMethod: [{
      id: keyId, type: 'Multikey', controller: OTHER_DID,
      publicKeyMultibase: key.publicKeyMultibase
    }],
    authentication: [keyId],
    assertionMethod: [keyId]
  };
  const didUrl = didWebUrl(OTHER_DID);
  const list = await createList({length: 131072});
  list.setStatus(REVOKED_INDEX, true);
  const listCredential = await createStatusListCredential({
    id: OTHER_LIST, list, statusPurpose: 'revocation'
  });
  listCredential.issuer = OTHER_DID;
  listCredential.validFrom = '2026-11-01T00:00:00Z';
  const documents = {[didUrl]: didDocument};
  const signedList = await issueDataIntegrity({
    credential: listCredential, key, created: '2026-11-01T00:00:00Z', documents
  });
  const world = {[didUrl]: didDocument, [OTHER_LIST]: signedList};
  const live = await issueDataIntegrity({
    credential: otherCredential({
      id: 'https://badges.other.example/credentials/5d0e2b7a-1c9f-4e83-a6b2-9f0d4c7e1a35',
      email: 'k.yamada@example.org', salt: 'c7d1e9a05b3f4e28a6d0b9c3e7f21a54',
      index: LIVE_INDEX, validFrom: '2026-03-02T10:30:00Z'
    }),
    key, created: '2026-03-02T10:30:00Z', documents
  });
  const revoked = await issueDataIntegrity({
    credential: otherCredential({
      id: 'https://badges.other.example/credentials/a3e9c5f1-7b2d-4c60-8e14-2d6f0b9a8c77',
      email: 'r.silva@example.com', salt: '0e8b4f27c9a1463d9f5b2c7e1a0d8346',
      index: REVOKED_INDEX, validFrom: '2026-02-10T08:00:00Z'
    }),
    key, created: '2026-02-10T08:00:00Z', documents
  });
  return [
    {name: 'b-eddsa-didweb', credential: live, world, didDocument},
    {name: 'f-eddsa-didweb-revoked', credential: revoked, world}
  ];
}

// --- (c) Ed25519Signature2020, VCDM 1.1, did:key issuer, subject DID --------------------------

async function fixtureC() {
  const key = await Ed25519VerificationKey2020.generate();
  const did = `did:key:${key.fingerprint()}`;
  key.controller = did;
  key.id = `${did}#${key.fingerprint()}`;
  const host = 'learn.riverbend.example';
  const credential = {
    '@context': [VC1, OB303, ED25519_2020],
    id: 'urn:uuid:7c3b9e10-52d4-4f8a-b1c6-0a9e4d2f6b83',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Accessible Web Forms',
    issuer: {
      id: did, type: ['Profile'], name: 'Riverbend Community College',
      url: `https://${host}/`
    },
    issuanceDate: '2024-04-22T14:00:00Z',
    credentialSubject: {
      id: 'did:example:3f1d8a6c2b7e4d90a5c1e8f2b6d4a079',
      type: ['AchievementSubject'],
      achievement: achievement({
        slug: 'accessible-forms', host,
        name: 'Accessible Web Forms',
        description: 'Builds forms that meet WCAG 2.2 AA with assistive technologies.',
        narrative: 'Submitted an audited form project with no AA failures.'
      })
    }
  };
  const suite = new Ed25519Signature2020({key, date: '2024-04-22T14:00:03Z'});
  const signed = await vc.issue({credential, suite, documentLoader: makeDocumentLoader()});
  return {name: 'c-ed25519signature2020-vcdm11', credential: signed, world: {}};
}

// --- (d) VC-JWT: ES256 from a did:web issuer, RS256 with the host's JWK Set -------------------

function jwtCredential({id, issuer, subject, validFrom, validUntil, badge}) {
  return {
    '@context': [VC2, OB303],
    id,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: badge.name,
    issuer,
    validFrom,
    ...(validUntil ? {validUntil} : {}),
    credentialSubject: {id: subject, type: ['AchievementSubject'], achievement: badge}
  };
}

// OB 3.0 §8.2: the payload is the credential plus iss, jti, sub, nbf (and exp for validUntil).
async function signJwt({credential, alg, kid, privateKey}) {
  const seconds = iso => Math.floor(Date.parse(iso) / 1000);
  const jwt = new jose.SignJWT(credential)
    .setProtectedHeader({alg, kid, typ: 'JWT'})
    .setIssuer(credential.issuer.id)
    .setJti(credential.id)
    .setSubject(credential.credentialSubject.id)
    .setNotBefore(seconds(credential.validFrom))
    .setIssuedAt(seconds(credential.validFrom));
  if(credential.validUntil) {
    jwt.setExpirationTime(seconds(credential.validUntil));
  }
  return jwt.sign(privateKey);
}

async function fixturesD() {
  // ES256, did:web, the key listed as a JsonWebKey verification method
  const esDid = `did:web:${OTHER}:issuers:2`;
  const esKid = `${esDid}#jwt-es256-1`;
  const es = await jose.generateKeyPair('ES256', {extractable: true});
  const {kty, crv, x, y} = await jose.exportJWK(es.publicKey);
  const esDocument = {
    '@context': [DID_V1, JWK_V1],
    id: esDid,
    verificationMethod: [{
      id: esKid, type: 'JsonWebKey', controller: esDid, publicKeyJwk: {kty, crv, x, y}
    }],
    assertionMethod: [esKid]
  };
  const esToken = await signJwt({
    alg: 'ES256', kid: esKid, privateKey: es.privateKey,
    credential: jwtCredential({
      id: 'urn:uuid:e2a7c4d9-0b3f-4d1e-9a86-5c2f7b0e3d48',
      issuer: {
        id: esDid, type: ['Profile'], name: 'Other Example Security Academy',
        url: `https://${OTHER}/`
      },
      subject: 'did:example:learner:9b1e4c7a',
      validFrom: '2026-05-20T00:00:00Z',
      validUntil: '2029-05-20T00:00:00Z',
      badge: achievement({
        slug: 'secure-code-review', host: OTHER,
        name: 'Secure Code Review',
        description: 'Finds and explains common vulnerability classes in pull requests.',
        narrative: 'Reviewed three seeded code bases and reported every planted flaw.'
      })
    })
  });

  // RS256, https issuer, kid = the host's JWK Set URL with the member's kid as fragment
  const host = 'credentials.another.example';
  const rs = await jose.generateKeyPair('RS256', {modulusLength: 2048, extractable: true});
  const rsJwk = await jose.exportJWK(rs.publicKey);
  const jwksUrl = `https://${host}/.well-known/jwks.json`;
  const jwks = {keys: [{kty: rsJwk.kty, n: rsJwk.n, e: rsJwk.e, kid: 'rsa-2026-01', use: 'sig',
    alg: 'RS256'}]};
  const rsToken = await signJwt({
    alg: 'RS256', kid: `${jwksUrl}#rsa-2026-01`, privateKey: rs.privateKey,
    credential: jwtCredential({
      id: `https://${host}/credentials/41f7`,
      issuer: {
        id: `https://${host}/issuers/7`, type: ['Profile'],
        name: 'Another Example Professional Board', url: `https://${host}/`
      },
      subject: 'did:example:member:0042',
      validFrom: '2026-01-12T09:15:00Z',
      badge: achievement({
        slug: 'continuing-education-2025', host,
        name: 'Continuing Education 2025',
        description: 'Completed the yearly continuing-education requirement.',
        narrative: 'Logged 40 approved hours between January and December 2025.'
      })
    })
  });
  return [
    {name: 'd-jwt-es256-didweb', token: esToken, world: {[didWebUrl(esDid)]: esDocument},
      didDocument: esDocument},
    {name: 'd-jwt-rs256-jwks', token: rsToken, world: {[jwksUrl]: jwks}}
  ];
}

// --- (e) (a) with one changed word, proof kept ------------------------------------------------

function fixtureE(a) {
  const tampered = structuredClone(a.credential);
  tampered.credentialSubject.achievement.name = 'Data Stewardship Expert';
  return {name: 'e-eddsa-didkey-tampered', credential: tampered, world: {}};
}

async function selfCheck(fixture, expected) {
  const result = await verifyOne({
    credential: fixture.credential, documents: fixture.world, now: VERIFY_AT
  });
  if(result.verified !== expected) {
    throw new Error(`${fixture.name}: verified=${result.verified}, expected ${expected}: ` +
      JSON.stringify(result.errors));
  }
}

// The JWT's key as the world publishes it, renamed to the header's kid so that jose's local
// key set picks it.
async function selfCheckJwt(fixture) {
  const {kid} = jose.decodeProtectedHeader(fixture.token);
  const published = fixture.didDocument ?
    fixture.didDocument.verificationMethod.find(m => m.id === kid).publicKeyJwk :
    Object.values(fixture.world)[0].keys.find(k => kid.endsWith(`#${k.kid}`));
  const keys = jose.createLocalJWKSet({keys: [{...published, kid}]});
  await jose.jwtVerify(fixture.token, keys, {currentDate: new Date(VERIFY_AT)});
}

function write(name, content) {
  const text = typeof content === 'string' ? content + '\n' :
    JSON.stringify(content, null, 2) + '\n';
  writeFileSync(resolve(OUT, name), text, 'utf8');
}

const a = await fixtureA();
const [b, f] = await fixturesBF();
const c = await fixtureC();
const d = await fixturesD();
const e = fixtureE(a);
for(const [fixture, expected] of [[a, true], [b, true], [c, true], [e, false], [f, false]]) {
  await selfCheck(fixture, expected);
}
for(const jwt of d) {
  await selfCheckJwt(jwt);
}
mkdirSync(OUT, {recursive: true});
for(const fixture of [a, b, c, e, f, ...d]) {
  if(fixture.token) {
    write(`${fixture.name}.jwt`, fixture.token);
  } else {
    write(`${fixture.name}.json`, fixture.credential);
  }
  write(`${fixture.name}.world.json`, fixture.world);
  if(fixture.didDocument) {
    write(`${fixture.name}.did.json`, fixture.didDocument);
  }
}
process.stdout.write(`wrote ${[a, b, c, e, f, ...d].length} fixtures to ${OUT}\n`);
