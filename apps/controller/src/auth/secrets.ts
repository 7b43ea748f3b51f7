import { createHash, createHmac, randomBytes } from "node:crypto";

/**
 * A new bearer secret: 32 random bytes. The prefix tells a reader what a leaked string is (an operator
 * token or an agent credential) without opening anything.
 */
export function newSecret(prefix: "ferry_op" | "ferry_agent"): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

/** What is stored of a secret. A plain SHA-256 is enough: the secrets are 256 random bits, not passwords. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/**
 * The secret the two agents of a migration authenticate their connection with: derived from the controller's
 * transfer key and the migration's start, so nothing is stored, every replica computes the same, and a new
 * start of the migration gets a new secret.
 */
export function transferSecret(key: string, migration: { id: string; startedAt: Date }): string {
  return createHmac("sha256", key).update(`${migration.id}:${migration.startedAt.toISOString()}`).digest("base64url");
}
