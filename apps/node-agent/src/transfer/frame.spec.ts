import { describe, expect, it } from "vitest";
import { checksum, encodeFrame, encodeJson, FRAME_HEADER_BYTES, FrameDecoder, FrameError, FrameType, verifiedPayload, writeHeader } from "./frame";

describe("frames", () => {
  it("a frame round-trips whatever the chunking", () => {
    const frames = [encodeJson(FrameType.Hello, { a: 1 }), encodeFrame(FrameType.Page, 7, Buffer.alloc(4096, 3)), encodeFrame(FrameType.Sync, 42)];
    const stream = Buffer.concat(frames);
    for (const chunk of [1, 5, 16, 17, 1000, stream.length]) {
      const d = new FrameDecoder();
      const got = [];
      for (let at = 0; at < stream.length; at += chunk) got.push(...d.push(stream.subarray(at, at + chunk)));
      expect(got.map((f) => [f.type, f.page, f.payload.length])).toEqual([
        [FrameType.Hello, 0, 7],
        [FrameType.Page, 7, 4096],
        [FrameType.Sync, 42, 0],
      ]);
      expect(got.every((f) => verifiedPayload(f))).toBe(true);
    }
  });

  it.each([
    { name: "a flipped payload bit fails the checksum", damage: (b: Buffer) => (b[FRAME_HEADER_BYTES + 100] ^= 1), error: /checksum mismatch/ },
    { name: "an unknown type is refused", damage: (b: Buffer) => (b[0] = 99), error: /unknown frame type 99/ },
    { name: "a huge length is refused before buffering", damage: (b: Buffer) => b.writeUInt32BE(0xffffffff, 8), error: /over the limit/ },
  ])("$name", ({ damage, error }) => {
    const b = encodeFrame(FrameType.Page, 1, Buffer.alloc(4096, 9));
    damage(b);
    expect(() => new FrameDecoder().push(b).forEach(verifiedPayload)).toThrow(error);
  });

  it("the CRC32 is the standard one (zlib's)", () => {
    expect(checksum(Buffer.from("123456789"))).toBe(0xcbf43926);
  });

  it("a truncated frame inside a compressed batch is an error", () => {
    const b = Buffer.alloc(FRAME_HEADER_BYTES + 10);
    writeHeader(b, 0, FrameType.Page, 0, 4096, 0);
    expect(() => FrameDecoder.all(b)).toThrow(FrameError);
  });
});
