// Data Integrity verification with Digital Bazaar's implementations (shared by the scripts).
//
// Proofs: DataIntegrityProof with eddsa-rdfc-2022, and Ed25519Signature2020. The proof purpose
// is vc's CredentialIssuancePurpose: assertionMethod, and the method's controller must be the
// issuer. A BitstringStatusListEntry is checked with @digitalbazaar/vc-bitstring-status-list;
// unlike that library's own result, a set bit makes "verified" false here.

import * as vc from '@digitalbazaar/vc';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {describeError, makeDocumentLoader} from './lib.mjs';

function suites() {
  return [new DataIntegrityProof({cryptosuite: eddsaRdfc2022}), new Ed25519Signature2020()];
}

function statusEntries(credential) {
  return [].concat(credential.credentialStatus ?? []);
}

// Check every status entry; the list credentials are verified with the same clock as the
// credential (the library would use the real clock).
function statusChecker({now, report}) {
  return async ({credential, documentLoader, suite}) => {
    const entries = statusEntries(credential);
    const unknown = entries.filter(e => e.type !== 'BitstringStatusListEntry');
    if(unknown.length) {
      const types = unknown.map(e => e.type).join(', ');
      return {verified: false, error: new Error(`unsupported credentialStatus type: ${types}`)};
    }
    for(const entry of entries) {
      const {document: list} = await documentLoader(entry.statusListCredential);
      const listResult = await vc.verifyCredential({
        credential: list, suite, documentLoader, now
      });
      if(!listResult.verified) {
        const error = new Error(
          `status list ${entry.statusListCredential} did not verify`, {cause: listResult.error});
        return {verified: false, error};
      }
    }
    const result = await checkBitstringStatus({
      credential, documentLoader, suite, verifyBitstringStatusListCredential: false
    });
    for(const {credentialStatus, status} of result.results ?? []) {
      report.push({
        id: credentialStatus.id ?? null,
        statusPurpose: credentialStatus.statusPurpose,
        statusListIndex: credentialStatus.statusListIndex,
        set: Boolean(status)
      });
    }
    if(result.verified && report.some(entry => entry.set)) {
      const purposes = report.filter(entry => entry.set).map(entry => entry.statusPurpose);
      return {verified: false, error: new Error(`status bit set: ${purposes.join(', ')}`)};
    }
    return result;
  };
}

function proofSummaries(result) {
  return (result.results ?? []).filter(r => r.proof).map(r => ({
    type: r.proof.type,
    cryptosuite: r.proof.cryptosuite ?? null,
    verificationMethod: r.proof.verificationMethod ?? null,
    verified: Boolean(r.verified),
    errors: describeError(r.error)
  }));
}

/**
 * Verify one credential (see verify-di.mjs for the request and result fields).
 *
 * @param {object} request - {credential, documents, now, status, fetch, allow}.
 * @returns {Promise<object>} {verified, errors, proofs, status}.
 */
export async function verifyOne(request) {
  const {credential, documents = {}, now, status = 'check'} = request;
  const documentLoader = makeDocumentLoader({
    documents, fetch: request.fetch === true, allow: request.allow ?? []
  });
  const report = [];
  const checkStatus = status === 'ignore' ?
    async () => ({verified: true}) : statusChecker({now, report});
  const result = await vc.verifyCredential({
    credential, suite: suites(), documentLoader, checkStatus,
    ...(now ? {now} : {})
  });
  const errors = describeError(result.error);
  if(result.statusResult && !result.statusResult.verified) {
    errors.push(...describeError(result.statusResult.error));
  }
  return {
    verified: result.verified === true,
    errors: [...new Set(errors)],
    proofs: proofSummaries(result),
    status: report
  };
}

/** verifyOne, with any exception turned into a failed result. */
export async function settle(request) {
  try {
    return await verifyOne(request);
  } catch(error) {
    return {verified: false, errors: describeError(error), proofs: [], status: []};
  }
}
