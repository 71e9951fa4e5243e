import { createHash, createHmac } from 'node:crypto';
import type { Random } from '../ports.ts';
import { hmacKey } from '../hmac-key.ts';

/**
 * A flow's secrets all come from one 256-bit value that lives only in the browser's flow
 * cookie: `state`, `nonce` and the PKCE `code_verifier` are HMAC-SHA256 of it under a server
 * key, and the flow record is keyed on its SHA-256. So the server stores no secret, the
 * verifier never leaves the server (the browser holds the cookie, not the key), and a callback
 * only works in the browser that started it (docs/security.md SEC-35, SEC-39).
 */
export interface FlowSecrets {
  /** The cookie value. */
  cookieValue: string;
  /** SHA-256 of the cookie value: the flow record's key. */
  idHash: Uint8Array;
  state: string;
  nonce: string;
  codeVerifier: string;
}

function derive(flowKey: Uint8Array, cookieValue: string, purpose: string): string {
  return createHmac('sha256', hmacKey(flowKey)).update(`gatehouse oauth flow v1\0${purpose}\0${cookieValue}`).digest('base64url');
}

/** The secrets of a new flow (at the start): a fresh 256-bit cookie value from `random`. */
export function newFlowSecrets(flowKey: Uint8Array, random: Random): FlowSecrets {
  return flowSecrets(flowKey, Buffer.from(random.bytes(32)).toString('base64url'));
}

/** The secrets of a flow from its cookie value (at the callback). */
export function flowSecrets(flowKey: Uint8Array, cookieValue: string): FlowSecrets {
  return {
    cookieValue,
    idHash: new Uint8Array(createHash('sha256').update(cookieValue).digest()),
    state: derive(flowKey, cookieValue, 'state'),
    nonce: derive(flowKey, cookieValue, 'nonce'),
    // 43 base64url characters: the RFC 7636 minimum length, 256 bits.
    codeVerifier: derive(flowKey, cookieValue, 'pkce'),
  };
}
