/**
 * XBZRLE (XOR-based zero run-length encoding), the delta format QEMU took from Svärd et al. (VEE 2011): the
 * page is compared with the version the target already holds, and the encoding is a sequence of
 *   zero-run length (ULEB128), non-zero-run length (ULEB128), the non-zero run's bytes
 * where a zero run is a stretch of unchanged bytes. A trailing zero run is left out. Here the run carries the XOR
 * of the two versions (QEMU carries the new bytes; the size is the same), and the decoder XORs it back in.
 */

function ulebSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n >>>= 7;
    size++;
  }
  return size;
}

function writeUleb(dst: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    dst[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  dst[at++] = n;
  return at;
}

/**
 * Encodes `cur` against `old` (same length) into dst. Returns the encoded length, 0 when the pages are equal,
 * or -1 when the encoding would not fit in dst (QEMU passes a page-sized dst: "overflow", send the full page).
 */
export function xbzrleEncode(old: Uint8Array, cur: Uint8Array, dst: Uint8Array): number {
  const n = cur.length;
  // Word-at-a-time scanning over the (usually long) unchanged stretches when the views are 4-byte aligned.
  const aligned = (old.byteOffset & 3) === 0 && (cur.byteOffset & 3) === 0;
  const old32 = aligned ? new Uint32Array(old.buffer, old.byteOffset, n >>> 2) : undefined;
  const cur32 = aligned ? new Uint32Array(cur.buffer, cur.byteOffset, n >>> 2) : undefined;
  let i = 0;
  let d = 0;
  while (i < n) {
    const zStart = i;
    if (old32 && cur32) {
      while ((i & 3) !== 0 && i < n && old[i] === cur[i]) i++;
      if ((i & 3) === 0) {
        let w = i >>> 2;
        const words = n >>> 2;
        while (w < words && old32[w] === cur32[w]) w++;
        i = w << 2;
      }
    }
    while (i < n && old[i] === cur[i]) i++;
    if (i === n) return zStart === 0 ? 0 : d;
    const zLen = i - zStart;
    const nzStart = i;
    while (i < n && old[i] !== cur[i]) i++;
    const nzLen = i - nzStart;
    if (d + ulebSize(zLen) + ulebSize(nzLen) + nzLen > dst.length) return -1;
    d = writeUleb(dst, d, zLen);
    d = writeUleb(dst, d, nzLen);
    for (let k = 0; k < nzLen; k++) dst[d + k] = old[nzStart + k] ^ cur[nzStart + k];
    d += nzLen;
  }
  return d;
}

/** Applies an encoding made by xbzrleEncode to `page` (the old version), turning it into the new one. */
export function xbzrleDecode(src: Uint8Array, length: number, page: Uint8Array): void {
  let i = 0;
  let at = 0;
  const read = (): number => {
    let n = 0;
    let shift = 0;
    for (;;) {
      if (i >= length) throw new RangeError("xbzrle: truncated length");
      const b = src[i++];
      n += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return n;
      shift += 7;
    }
  };
  while (i < length) {
    at += read();
    const nz = read();
    if (nz === 0 || at + nz > page.length || i + nz > length) throw new RangeError("xbzrle: corrupt run");
    for (let k = 0; k < nz; k++) page[at + k] ^= src[i + k];
    i += nz;
    at += nz;
  }
}
