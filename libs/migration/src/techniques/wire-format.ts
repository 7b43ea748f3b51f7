import { MULTIFD_INIT_BYTES, MULTIFD_PACKET_BYTES, MULTIFD_PACKET_HEADER_BYTES, PAGE_HEADER_BYTES, ZERO_PAGE_BYTES } from "../spec";

/**
 * What pages cost on the wire, for the two ways QEMU sends them:
 * - the main migration stream: each page is an 8-byte header and its bytes; a zero page is the header and one
 *   byte (save_zero_page);
 * - multifd: pages are spread over `channels` parallel streams in packets of 512 KiB of pages, each packet a
 *   320-byte header plus an 8-byte offset per page; zero pages are listed by offset only (zero-page-detection
 *   multifd, QEMU 9.0). Every dirty-log sync sends a SYNC packet (a bare header) on every channel, and every
 *   channel opens with a 64-byte handshake: the per-channel cost.
 * The simulator sizes its batches with it and the predictor its expected bytes, so the two count the same bytes.
 */
export interface WireFormat {
  /** Parallel streams the pages go over (1 without multifd). */
  readonly streams: number;
  /** Bytes of a batch of `pages` pages, `zeroPages` of them all zero. */
  batchBytes(pages: number, zeroPages: number): number;
  /** Expected bytes per page when a fraction `zeroShare` of pages is zero (batch headers spread over pages). */
  meanPageBytes(zeroShare: number): number;
  /** Bytes each dirty-log sync adds. */
  readonly syncBytes: number;
  /** Bytes the channels' handshakes add, once. */
  readonly setupBytes: number;
}

export interface MultifdSpec {
  readonly multifd: boolean;
  readonly multifdChannels: number;
}

export function wireFormat(pageSizeBytes: number, multifd?: MultifdSpec): WireFormat {
  return multifd?.multifd ? multifdFormat(pageSizeBytes, multifd.multifdChannels) : mainStreamFormat(pageSizeBytes);
}

/** Pages outside pre-copy's rounds (post-copy's push and page requests) go on the main stream. */
export function mainStreamFormat(pageSizeBytes: number): WireFormat {
  const full = pageSizeBytes + PAGE_HEADER_BYTES;
  return {
    streams: 1,
    batchBytes: (pages, zeroPages) => (pages - zeroPages) * full + zeroPages * ZERO_PAGE_BYTES,
    meanPageBytes: (zeroShare) => (1 - zeroShare) * full + zeroShare * ZERO_PAGE_BYTES,
    syncBytes: 0,
    setupBytes: 0,
  };
}

function multifdFormat(pageSizeBytes: number, channels: number): WireFormat {
  const packetPages = Math.max(1, Math.floor(MULTIFD_PACKET_BYTES / pageSizeBytes));
  return {
    streams: channels,
    batchBytes: (pages, zeroPages) =>
      (pages - zeroPages) * pageSizeBytes + pages * PAGE_HEADER_BYTES + Math.ceil(pages / packetPages) * MULTIFD_PACKET_HEADER_BYTES,
    meanPageBytes: (zeroShare) => (1 - zeroShare) * pageSizeBytes + PAGE_HEADER_BYTES + MULTIFD_PACKET_HEADER_BYTES / packetPages,
    syncBytes: channels * MULTIFD_PACKET_HEADER_BYTES,
    setupBytes: channels * MULTIFD_INIT_BYTES,
  };
}
