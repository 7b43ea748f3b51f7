import { describe, expect, it } from "vitest";
import { NONCE_BYTES, newNonce, proofMatches, transferProof } from "./transfer-auth";

const MIGRATION = "00000000-0000-4000-8000-000000000001";
const OTHER = "00000000-0000-4000-8000-000000000009";
const nonce = Buffer.alloc(NONCE_BYTES, 7);

describe("transfer proof", () => {
  it.each([
    { name: "right secret, migration and nonce", proof: transferProof("s3cret", MIGRATION, nonce), matches: true },
    { name: "wrong secret", proof: transferProof("guess", MIGRATION, nonce), matches: false },
    { name: "proof made for another migration id", proof: transferProof("s3cret", OTHER, nonce), matches: false },
    { name: "proof over another nonce (a replayed Hello)", proof: transferProof("s3cret", MIGRATION, Buffer.alloc(NONCE_BYTES, 8)), matches: false },
    { name: "empty proof", proof: "", matches: false },
    { name: "truncated proof", proof: transferProof("s3cret", MIGRATION, nonce).slice(0, 62), matches: false },
  ])("$name: $matches", ({ proof, matches }) => {
    expect(proofMatches("s3cret", MIGRATION, nonce, proof)).toBe(matches);
  });

  it("is an HMAC-SHA256 (64 hex digits) that does not contain the secret", () => {
    const proof = transferProof("s3cret", MIGRATION, nonce);
    expect(proof).toMatch(/^[0-9a-f]{64}$/);
    expect(proof).not.toContain(Buffer.from("s3cret").toString("hex"));
  });

  it("nonces are fresh", () => {
    expect(newNonce().equals(newNonce())).toBe(false);
    expect(newNonce()).toHaveLength(NONCE_BYTES);
  });
});
