// Shared plumbing for the oracle scripts: reading requests, writing results, and a JSON-LD
// document loader that serves nothing but what the caller hands over.
//
// The loader answers, in order:
//   1. the JSON-LD contexts shipped in badges/contexts/ (index.json maps URL -> file);
//   2. did:key DIDs and DID URLs, derived locally by @digitalbazaar/did-method-key;
//   3. did:web DIDs and DID URLs, mapped to their document URL (did:web method, "Read") and
//      looked up in the caller's documents;
//   4. http(s) URLs looked up in the caller's documents;
//   5. with {"fetch": true}, http URLs on an allowed loopback origin, fetched live.
// Everything else is refused, so a verification can never depend on the public internet.

import {readFileSync} from 'node:fs';
import * as DidKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const CONTEXTS_DIR = new URL('../../../badges/contexts/', import.meta.url);
const MAX_FETCH_BYTES = 2 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 5000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const METHOD_LISTS = [
  'verificationMethod', 'assertionMethod', 'authentication',
  'capabilityInvocation', 'capabilityDelegation'
];

let shipped;

/** The contexts our library ships, by URL (read once per process). */
export function shippedContexts() {
  if(!shipped) {
    const index = JSON.parse(readFileSync(new URL('index.json', CONTEXTS_DIR), 'utf8'));
    shipped = new Map();
    for(const {url, file} of index) {
      shipped.set(url, JSON.parse(readFileSync(new URL(file, CONTEXTS_DIR), 'utf8')));
    }
  }
  return shipped;
}

/** Read all of stdin as JSON. */
export async function readRequest() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Print one JSON value and nothing else on stdout. */
export function writeResult(value) {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/**
 * Answer one request or an array of requests read from stdin, in order, with one JSON value.
 *
 * @param {Function} handle - Request -> result; must not throw.
 * @param {Function} crashed - Error -> result, for input that cannot be read at all.
 */
export async function answer(handle, crashed) {
  try {
    const request = await readRequest();
    if(Array.isArray(request)) {
      const results = [];
      for(const item of request) {
        results.push(await handle(item));
      }
      writeResult(results);
    } else {
      writeResult(await handle(request));
    }
  } catch(error) {
    writeResult(crashed(error));
  }
}

/** A short, readable description of an error and the errors it wraps. */
export function describeError(error) {
  if(error === undefined || error === null) {
    return [];
  }
  if(Array.isArray(error)) {
    return error.flatMap(describeError);
  }
  if(typeof error !== 'object' || typeof error.message !== 'string') {
    return [String(error)];
  }
  const name = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
  const messages = [`${name}${error.message}`];
  // jsonld's safe mode names the term it would have dropped
  const event = error.details?.event;
  if(event?.code) {
    const property = event.details?.property ?? event.details?.value ?? '';
    messages.push(`${event.code}${property ? `: ${JSON.stringify(property)}` : ''}`);
  }
  if(error.errors) {
    messages.push(...describeError(error.errors));
  }
  if(error.cause) {
    messages.push(...describeError(error.cause));
  }
  return messages;
}

/** The document URL of a did:web DID (did:web method, "Read"); http for allowed loopback hosts. */
export function didWebUrl(did, {httpOrigins = new Set()} = {}) {
  const parts = did.split(':');
  if(parts.length < 3 || parts[0] !== 'did' || parts[1] !== 'web' || !parts[2]) {
    throw new Error(`"${did}" is not a did:web DID.`);
  }
  const authority = decodeURIComponent(parts[2]);
  if(authority.includes('/') || authority.includes('@')) {
    throw new Error(`"${did}" has a malformed did:web authority.`);
  }
  const segments = parts.slice(3).map(decodeURIComponent);
  if(segments.some(s => s === '' || s === '.' || s === '..' || s.includes('/'))) {
    throw new Error(`"${did}" has a malformed did:web path.`);
  }
  const path = segments.length ? segments.join('/') : '.well-known';
  const httpOrigin = `http://${authority}`;
  const scheme = httpOrigins.has(httpOrigin) ? 'http' : 'https';
  return `${scheme}://${authority}/${path}/did.json`;
}

function loopbackOrigin(url) {
  const parsed = new URL(url);
  if(parsed.protocol !== 'http:' || !LOOPBACK_HOSTS.has(parsed.hostname)) {
    throw new Error(`"${url}" is not an http URL on a loopback host.`);
  }
  return parsed.origin;
}

/** Normalise the "allow" list to http origins on loopback hosts. */
export function allowedOrigins(allow = []) {
  return new Set(allow.map(loopbackOrigin));
}

/** GET a JSON document from an allowed loopback origin (no redirects, bounded). */
export async function fetchJson(url, origins) {
  if(!origins.has(new URL(url).origin)) {
    throw new Error(`refused to fetch "${url}": not an allowed loopback origin.`);
  }
  const response = await fetch(url, {
    redirect: 'error',
    headers: {accept: 'application/json, application/did+json, application/ld+json'},
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS)
  });
  if(!response.ok) {
    throw new Error(`GET ${url} answered ${response.status}.`);
  }
  const body = await response.arrayBuffer();
  if(body.byteLength > MAX_FETCH_BYTES) {
    throw new Error(`GET ${url} returned more than ${MAX_FETCH_BYTES} bytes.`);
  }
  return JSON.parse(Buffer.from(body).toString('utf8'));
}

function withoutFragment(url) {
  return url.split('#')[0];
}

function absolute(reference, documentId) {
  return reference.startsWith('#') ? documentId + reference : reference;
}

/** The node whose id is `id` among a controller document's verification methods. */
export function findMethod(document, id) {
  const documentId = typeof document.id === 'string' ? document.id : '';
  for(const list of METHOD_LISTS) {
    const entries = [].concat(document[list] ?? []);
    for(const entry of entries) {
      if(entry && typeof entry === 'object' &&
        absolute(String(entry.id ?? ''), documentId) === id) {
        return {...entry, id, '@context': document['@context']};
      }
    }
  }
  throw new Error(`"${id}" is not listed in ${documentId || 'its controller document'}.`);
}

/**
 * A JSON-LD document loader over the shipped contexts plus `documents` (URL -> JSON).
 *
 * @param {object} options - Options.
 * @param {object} [options.documents] - URL -> document; did:web documents by their https URL.
 * @param {boolean} [options.fetch] - Whether to fetch from `allow` origins.
 * @param {string[]} [options.allow] - Loopback origins such as "http://127.0.0.1:8000".
 * @returns {Function} The document loader.
 */
export function makeDocumentLoader({documents = {}, fetch: live = false, allow = []} = {}) {
  const contexts = shippedContexts();
  const origins = live ? allowedOrigins(allow) : new Set();
  const didKeyDriver = DidKey.driver();
  didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
  const fetched = new Map();

  async function lookUp(url) {
    if(Object.hasOwn(documents, url)) {
      return structuredClone(documents[url]);
    }
    if(origins.size && /^http:/.test(url)) {
      if(!fetched.has(url)) {
        fetched.set(url, fetchJson(url, origins));
      }
      return structuredClone(await fetched.get(url));
    }
    throw new Error(`refused to load "${url}": not among the given documents.`);
  }

  async function resolve(url) {
    if(contexts.has(url)) {
      return structuredClone(contexts.get(url));
    }
    if(url.startsWith('did:key:')) {
      return didKeyDriver.get({url});
    }
    if(url.startsWith('did:web:')) {
      const did = withoutFragment(url);
      const httpsUrl = didWebUrl(did);
      const documentUrl = didWebUrl(did, {httpOrigins: origins});
      const document = Object.hasOwn(documents, httpsUrl) ?
        structuredClone(documents[httpsUrl]) : await lookUp(documentUrl);
      if(document.id !== did) {
        throw new Error(`the DID document at ${documentUrl} is for "${document.id}".`);
      }
      return url.includes('#') ? findMethod(document, url) : document;
    }
    if(/^https?:\/\//.test(url)) {
      if(Object.hasOwn(documents, url) || !url.includes('#')) {
        return lookUp(url);
      }
      return findMethod(await lookUp(withoutFragment(url)), url);
    }
    throw new Error(`refused to load "${url}": unsupported URL scheme.`);
  }

  return async url => ({contextUrl: null, documentUrl: url, document: await resolve(url)});
}
