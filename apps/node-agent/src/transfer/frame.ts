import { crc32 } from "@node-rs/crc32";

/**
 * The agents' data protocol: a stream of frames over one TCP connection, each a 16-byte header and a payload.
 *
 *   u8 type | u8 0 | u16 0 | u32 page | u32 payload length | u32 CRC32
 *
 * Big-endian. For PAGE, ZERO and DELTA the CRC32 is of the page the target must end up with (so a delta is
 * checked after decoding, and a zero page costs the header only); for every other frame it is of the payload.
 */
export const FRAME_HEADER_BYTES = 16;

export enum FrameType {
  /**
   * Source to target, first: the migration's facts and the proof over the target's Challenge (JSON); opens the
   * incoming image once the proof checks out.
   */
  Hello = 1,
  /** Target to source: the incoming image is ready. */
  Ready = 2,
  /** A full page. */
  Page = 3,
  /** A page that is all zero: header only. */
  Zero = 4,
  /** An XBZRLE delta against the version of the page the target holds. */
  Delta = 5,
  /** Frames compressed together with deflate (payload: raw deflate of whole frames). */
  Compressed = 6,
  /** The guest's device state (JSON): what the target's workload continues from. */
  State = 7,
  /** A marker the target answers with Ack once everything before it is applied (page = sequence number). */
  Sync = 8,
  Ack = 9,
  /** Source asks for the SHA-256 of the target's image; the target answers with the same type (payload: hex). */
  Digest = 10,
  /** Source to target: the controller's verdict, "commit" or "abort" (payload). */
  Verdict = 11,
  /** Either side: a reason (payload), then the connection closes. */
  Error = 12,
  /** Target to source, on connecting: the nonce (payload) the source's Hello must prove the transfer secret over. */
  Challenge = 13,
  /**
   * Source to target, post-copy: the device state is there and pages are still missing, so the guest starts on
   * the target now and faults on the pages it lacks.
   */
  Resume = 14,
  /** Source to target, before a hybrid's Resume: the pages whose copy on the target is stale (u32 page numbers). */
  Discard = 15,
  /** Target to source, post-copy: pages the guest faulted on (u32 page numbers). */
  Request = 16,
  /** Target to source, post-copy: pages the guest wrote since the last one (the reverse dirty log; see reverse-batch.ts). */
  Reverse = 17,
}

export interface Frame {
  readonly type: FrameType;
  readonly page: number;
  readonly crc: number;
  readonly payload: Buffer;
}

export const ZERO_PAGE = Buffer.alloc(4096);
export const ZERO_PAGE_CRC = crc32(ZERO_PAGE);

export function checksum(bytes: Uint8Array): number {
  return crc32(bytes) >>> 0;
}

export function writeHeader(out: Buffer, at: number, type: FrameType, page: number, length: number, crc: number): void {
  out.writeUInt8(type, at);
  out.writeUInt8(0, at + 1);
  out.writeUInt16BE(0, at + 2);
  out.writeUInt32BE(page >>> 0, at + 4);
  out.writeUInt32BE(length >>> 0, at + 8);
  out.writeUInt32BE(crc >>> 0, at + 12);
}

/** One frame whose CRC covers its payload (control frames). */
export function encodeFrame(type: FrameType, page = 0, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  writeHeader(out, 0, type, page, payload.length, checksum(payload));
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

export function encodeJson(type: FrameType, value: unknown): Buffer {
  return encodeFrame(type, 0, Buffer.from(JSON.stringify(value)));
}

/** Frames larger than this are refused: a corrupt length must not make the receiver buffer gigabytes. */
export const MAX_PAYLOAD_BYTES = 64 << 20;

export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FrameError";
  }
}

/**
 * Cuts a byte stream into frames; chunks may split frames anywhere. Frames are views into the chunks; only a
 * frame split across two chunks is copied (joining whole chunks would copy the stream once more).
 */
export class FrameDecoder {
  private partial: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    if (this.partial.length > 0) {
      const need = this.bytesToComplete(this.partial, chunk);
      this.partial = Buffer.concat([this.partial, chunk.subarray(0, need)]);
      chunk = chunk.subarray(need);
      if (this.partial.length < FRAME_HEADER_BYTES || this.partial.length < FRAME_HEADER_BYTES + frameLength(this.partial, 0)) return frames;
      frames.push(frameAt(this.partial, 0));
      this.partial = Buffer.alloc(0);
    }
    let at = 0;
    while (chunk.length - at >= FRAME_HEADER_BYTES && chunk.length - at >= FRAME_HEADER_BYTES + frameLength(chunk, at)) {
      const f = frameAt(chunk, at);
      frames.push(f);
      at += FRAME_HEADER_BYTES + f.payload.length;
    }
    if (at < chunk.length) this.partial = Buffer.from(chunk.subarray(at));
    return frames;
  }

  /** Decodes frames from a complete buffer (the inside of a Compressed frame). */
  static all(bytes: Buffer): Frame[] {
    const d = new FrameDecoder();
    const frames = d.push(bytes);
    if (d.partial.length > 0) throw new FrameError(`${d.partial.length} bytes of a truncated frame`);
    return frames;
  }

  /** How many bytes of `chunk` complete the partial frame (its header first, then its payload). */
  private bytesToComplete(partial: Buffer, chunk: Buffer): number {
    if (partial.length >= FRAME_HEADER_BYTES) return Math.min(chunk.length, FRAME_HEADER_BYTES + frameLength(partial, 0) - partial.length);
    const headerPart = Math.min(chunk.length, FRAME_HEADER_BYTES - partial.length);
    const header = Buffer.concat([partial, chunk.subarray(0, headerPart)]);
    if (header.length < FRAME_HEADER_BYTES) return headerPart;
    return Math.min(chunk.length, FRAME_HEADER_BYTES + frameLength(header, 0) - partial.length);
  }
}

/** The payload length of the frame whose header starts at `at`, after checking the header. */
function frameLength(b: Buffer, at: number): number {
  const type = b.readUInt8(at);
  if (type < FrameType.Hello || type > FrameType.Reverse) throw new FrameError(`unknown frame type ${type}`);
  const length = b.readUInt32BE(at + 8);
  if (length > MAX_PAYLOAD_BYTES) throw new FrameError(`frame of ${length} bytes is over the limit`);
  return length;
}

function frameAt(b: Buffer, at: number): Frame {
  const length = b.readUInt32BE(at + 8);
  return {
    type: b.readUInt8(at),
    page: b.readUInt32BE(at + 4),
    crc: b.readUInt32BE(at + 12),
    payload: b.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length),
  };
}

/** The payload's CRC, checked: a control frame that arrived damaged is an error, never acted on. */
export function verifiedPayload(frame: Frame): Buffer {
  if (checksum(frame.payload) !== frame.crc) throw new FrameError(`checksum mismatch on a frame of type ${FrameType[frame.type]}`);
  return frame.payload;
}
