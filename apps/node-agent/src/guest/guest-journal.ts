import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";

/**
 * What the journal holds: the image is the one the deterministic write stream of `seed` gives after `writes`
 * writes, once the writes redoFrom..writes are (re)applied. redoFrom === writes: nothing to redo.
 */
export interface JournalRecord {
  readonly seed: number;
  readonly writes: number;
  readonly redoFrom: number;
}

const recordSchema = z
  .object({ seed: z.number().int(), writes: z.number().int().nonnegative(), redoFrom: z.number().int().nonnegative() })
  .refine((r) => r.redoFrom <= r.writes, "redoFrom after writes");

/** One record, padded to a fixed length: rewritten in place with one pwrite, never longer than a disk sector. */
const RECORD_BYTES = 128;

/**
 * The redo journal of a guest image: a sidecar `<image>.state.json` written before the image moves from write
 * count `from` to `to`. Every write puts fixed bytes in a fixed slot, so replaying from..to in order over a
 * partly applied run gives exactly the image after `to`: after a SIGKILL the guest continues where its journal
 * says. One in-place pwrite of at most 128 bytes per call: a killed process leaves either the old record or the
 * new one (the kernel copies it in one piece), at the cost of a few microseconds. No fsync: the journal survives
 * the agent's death, not the machine's.
 */
export class GuestJournal {
  private fd: number | null;
  private readonly buf = Buffer.alloc(RECORD_BYTES);

  private constructor(
    private path_: string,
    readonly seed: number,
  ) {
    this.fd = openSync(path_, existsSync(path_) ? "r+" : "w+");
  }

  /** The sidecar of the image at `imagePath`. */
  static pathOf(imagePath: string): string {
    return `${imagePath}.state.json`;
  }

  /** The record left at `imagePath`'s sidecar, if any (an unreadable one counts as none). */
  static read(imagePath: string): JournalRecord | undefined {
    const path = GuestJournal.pathOf(imagePath);
    if (!existsSync(path)) return undefined;
    const parsed = recordSchema.safeParse(safeJson(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : undefined;
  }

  /** Opens (creating) the sidecar of `imagePath` and writes `record` to it. */
  static create(imagePath: string, record: JournalRecord): GuestJournal {
    mkdirSync(dirname(imagePath), { recursive: true });
    const journal = new GuestJournal(GuestJournal.pathOf(imagePath), record.seed);
    journal.write(record);
    return journal;
  }

  get path(): string {
    return this.path_;
  }

  /** Call before the image moves from write count `from` to `to` (the workload's writes, or pages applied from elsewhere). */
  moving(from: number, to: number): void {
    this.write({ seed: this.seed, writes: to, redoFrom: from });
  }

  /** The image is at `writes`, complete (an image received whole). */
  settled(writes: number): void {
    this.write({ seed: this.seed, writes, redoFrom: writes });
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  remove(): void {
    this.close();
    rmSync(this.path_, { force: true });
  }

  private write(record: JournalRecord): void {
    if (this.fd === null) throw new Error(`${this.path_} is closed`);
    this.buf.fill(0x20);
    const n = this.buf.write(JSON.stringify(record), 0, "utf8");
    if (n >= RECORD_BYTES) throw new Error(`journal record too long: ${JSON.stringify(record)}`);
    this.buf[RECORD_BYTES - 1] = 0x0a;
    writeSync(this.fd, this.buf, 0, RECORD_BYTES, 0);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
