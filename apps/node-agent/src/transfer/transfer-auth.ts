import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Bytes of the challenge the target sends before anything else. */
export const NONCE_BYTES = 32;

/** A fresh challenge: the proof is bound to it, so a recorded Hello cannot be replayed on another connection. */
export function newNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

/**
 * What the source proves it holds the migration's transfer secret with: HMAC-SHA256 over the migration id and the
 * target's challenge. The secret itself never crosses the wire.
 */
export function transferProof(secret: string, migrationId: string, nonce: Uint8Array): string {
  return createHmac("sha256", secret).update(`ferry-transfer:${migrationId}:${Buffer.from(nonce).toString("hex")}`).digest("hex");
}

/** Whether `proof` is the proof for this migration and challenge, compared in constant time. */
export function proofMatches(secret: string, migrationId: string, nonce: Uint8Array, proof: string): boolean {
  const expected = Buffer.from(transferProof(secret, migrationId, nonce), "hex");
  const given = Buffer.from(proof, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What the controller says of a migration coming to this node: its transfer secret, and the VM it moves. */
export interface TransferTerms {
  readonly secret: string;
  readonly vmId: string;
  readonly memMiB: number;
}

/**
 * The terms of a migration this node is the target of, from the controller; rejects for any other migration
 * (unknown, not running, or not coming here).
 */
export type TargetSecrets = (migrationId: string) => Promise<TransferTerms>;
