import { FrameError } from "./frame";

/**
 * The pages a post-copy guest wrote on the target between two of its write counts, as the target read them at
 * the later one: applied in order on the source's checkpoint image, they keep it equal to the target's image at
 * `toWrites`. Layout: f64 fromWrites | f64 toWrites | u32 count | count x u32 page | count x page bytes.
 */
export interface ReverseBatch {
  readonly fromWrites: number;
  readonly toWrites: number;
  readonly pages: Uint32Array;
  /** The pages' bytes, one page after another. */
  readonly bytes: Buffer;
}

const HEAD_BYTES = 20;

export function encodeReverseBatch(fromWrites: number, toWrites: number, pages: Uint32Array, bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEAD_BYTES + pages.length * 4 + bytes.length);
  out.writeDoubleBE(fromWrites, 0);
  out.writeDoubleBE(toWrites, 8);
  out.writeUInt32BE(pages.length, 16);
  for (let i = 0; i < pages.length; i++) out.writeUInt32BE(pages[i], HEAD_BYTES + i * 4);
  out.set(bytes, HEAD_BYTES + pages.length * 4);
  return out;
}

export function decodeReverseBatch(payload: Buffer, pageBytes: number): ReverseBatch {
  if (payload.length < HEAD_BYTES) throw new FrameError("truncated reverse batch");
  const fromWrites = payload.readDoubleBE(0);
  const toWrites = payload.readDoubleBE(8);
  const count = payload.readUInt32BE(16);
  if (payload.length !== HEAD_BYTES + count * (4 + pageBytes)) throw new FrameError(`reverse batch of ${count} pages has ${payload.length} bytes`);
  if (!Number.isSafeInteger(fromWrites) || !Number.isSafeInteger(toWrites) || fromWrites < 0 || toWrites < fromWrites) {
    throw new FrameError(`reverse batch with write counts ${fromWrites}..${toWrites}`);
  }
  const pages = new Uint32Array(count);
  for (let i = 0; i < count; i++) pages[i] = payload.readUInt32BE(HEAD_BYTES + i * 4);
  return { fromWrites, toWrites, pages, bytes: payload.subarray(HEAD_BYTES + count * 4) };
}

/** Page numbers as the payload of a Request or Discard frame. */
export function encodePageList(pages: ArrayLike<number>): Buffer {
  const out = Buffer.allocUnsafe(pages.length * 4);
  for (let i = 0; i < pages.length; i++) out.writeUInt32BE(pages[i], i * 4);
  return out;
}

export function decodePageList(payload: Buffer): Uint32Array {
  if (payload.length % 4 !== 0) throw new FrameError(`a page list of ${payload.length} bytes`);
  const pages = new Uint32Array(payload.length / 4);
  for (let i = 0; i < pages.length; i++) pages[i] = payload.readUInt32BE(i * 4);
  return pages;
}
