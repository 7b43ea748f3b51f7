import { createHash } from "node:crypto";
import { closeSync, ftruncateSync, mkdirSync, openSync, readSync, readvSync, renameSync, rmSync, writeSync, writevSync } from "node:fs";
import { dirname } from "node:path";

/** Guest pages are 4 KiB, the size of x86's base page and of the migration library's default. */
export const GUEST_PAGE_BYTES = 4096;

/** Chunk the digest reads the image in: large enough to keep the hash busy, small enough to stay off the heap's big pages. */
const DIGEST_CHUNK_BYTES = 8 << 20;

/**
 * A guest's memory as a file of memMiB, sparse where no page was ever written (a fresh VM costs no disk). All
 * access is positional (pread/pwrite) and synchronous: the workload, the sender and the receiver share the
 * agent's event loop, so a page is never read half-written.
 */
export class GuestImage {
  readonly pageCount: number;
  readonly pageSizeBytes = GUEST_PAGE_BYTES;
  private fd: number | null;

  private constructor(
    private path_: string,
    readonly memMiB: number,
    fd: number,
  ) {
    this.fd = fd;
    this.pageCount = (memMiB * 1048576) / GUEST_PAGE_BYTES;
  }

  /** Opens the image at `path`, creating it (all zero, sparse) when it does not exist. */
  static open(path: string, memMiB: number): GuestImage {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, "a+");
    closeSync(fd);
    const rw = openSync(path, "r+");
    ftruncateSync(rw, memMiB * 1048576);
    return new GuestImage(path, memMiB, rw);
  }

  get path(): string {
    return this.path_;
  }

  get byteLength(): number {
    return this.pageCount * GUEST_PAGE_BYTES;
  }

  /** Reads consecutive whole pages from `first` into `pages` (one view per page) with one readv. */
  readPages(first: number, pages: readonly Uint8Array[]): void {
    if (first < 0 || first + pages.length > this.pageCount) throw new RangeError(`pages ${first}+${pages.length} outside ${this.path_}`);
    const length = pages.length * GUEST_PAGE_BYTES;
    let done = readvSync(this.handle(), pages as Uint8Array[], first * GUEST_PAGE_BYTES);
    // A short readv is rare (signals): finish page by page.
    while (done < length) {
      const page = Math.floor(done / GUEST_PAGE_BYTES);
      const n = readSync(this.handle(), pages[page], done - page * GUEST_PAGE_BYTES, (page + 1) * GUEST_PAGE_BYTES - done, first * GUEST_PAGE_BYTES + done);
      if (n === 0) throw new Error(`${this.path_}: short read at page ${first + page}`);
      done += n;
    }
  }

  readPage(page: number, out: Uint8Array): void {
    this.readPages(page, [out.subarray(0, GUEST_PAGE_BYTES)]);
  }

  /** Writes bytes at a byte offset of the guest's memory. */
  writeAt(offset: number, bytes: Uint8Array): void {
    if (offset < 0 || offset + bytes.length > this.byteLength) throw new RangeError(`write outside ${this.path_}: ${offset}+${bytes.length}`);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.handle(), bytes, done, bytes.length - done, offset + done);
  }

  writePage(page: number, bytes: Uint8Array): void {
    this.writeAt(page * GUEST_PAGE_BYTES, bytes.subarray(0, GUEST_PAGE_BYTES));
  }

  /** Writes consecutive whole pages from `first` with one writev. */
  writePages(first: number, pages: readonly Uint8Array[]): void {
    if (first < 0 || first + pages.length > this.pageCount) throw new RangeError(`pages ${first}+${pages.length} outside ${this.path_}`);
    const length = pages.length * GUEST_PAGE_BYTES;
    let done = writevSync(this.handle(), pages as Uint8Array[], first * GUEST_PAGE_BYTES);
    // A short writev is rare (signals, full disk): finish page by page.
    while (done < length) {
      const page = Math.floor(done / GUEST_PAGE_BYTES);
      this.writeAt(first * GUEST_PAGE_BYTES + done, pages[page].subarray(done - page * GUEST_PAGE_BYTES));
      done = (page + 1) * GUEST_PAGE_BYTES;
    }
  }

  /** SHA-256 of the whole image, hex; yields to the event loop between chunks. */
  async digest(): Promise<string> {
    const hash = createHash("sha256");
    const chunk = Buffer.allocUnsafe(DIGEST_CHUNK_BYTES);
    for (let at = 0; at < this.byteLength; at += DIGEST_CHUNK_BYTES) {
      const length = Math.min(DIGEST_CHUNK_BYTES, this.byteLength - at);
      let done = 0;
      while (done < length) done += readSync(this.handle(), chunk, done, length - done, at + done);
      hash.update(chunk.subarray(0, length));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return hash.digest("hex");
  }

  /** Moves the file (an incoming image becoming the VM's own); the open handle stays valid. */
  moveTo(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    renameSync(this.path_, path);
    this.path_ = path;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** Closes and deletes the file. */
  remove(): void {
    this.close();
    rmSync(this.path_, { force: true });
  }

  private handle(): number {
    if (this.fd === null) throw new Error(`${this.path_} is closed`);
    return this.fd;
  }
}
