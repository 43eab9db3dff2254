// Print the JSON-LD contexts that the independent npm packages ship, as {url: context}.
// The tests compare them with badges/contexts/: a context that differs by one term changes
// every canonical form, so "the same URL" must mean "the same document" on both sides.

import * as credentials from '@digitalbazaar/credentials-context';
import * as dataIntegrity from '@digitalbazaar/data-integrity-context';
import * as did from 'did-context';
import * as ed25519Signature2020 from 'ed25519-signature-2020-context';
import * as multikey from '@digitalbazaar/multikey-context';
import * as security from '@digitalbazaar/security-context';
import * as statusList from '@digitalbazaar/vc-bitstring-status-list-context';
import {describeError, writeResult} from './lib.mjs';

const PACKAGES = {
  '@digitalbazaar/credentials-context': credentials,
  '@digitalbazaar/data-integrity-context': dataIntegrity,
  'did-context': did,
  'ed25519-signature-2020-context': ed25519Signature2020,
  '@digitalbazaar/multikey-context': multikey,
  '@digitalbazaar/security-context': security,
  '@digitalbazaar/vc-bitstring-status-list-context': statusList
};

try {
  const contexts = {};
  for(const [name, module] of Object.entries(PACKAGES)) {
    const map = module.contexts ?? module.default?.contexts;
    for(const [url, document] of map) {
      contexts[url] = {package: name, document};
    }
  }
  writeResult({contexts});
} catch(error) {
  writeResult({contexts: null, error: describeError(error).join('; ')});
}
