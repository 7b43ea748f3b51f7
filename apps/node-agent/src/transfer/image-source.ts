import { PageSet, type PageContent, type SourceVm } from "@ferry/migration";
import type { Guest } from "../guest/guest-host";

/** Device state the library's stop conditions budget for; the real state (the workload's position) is far smaller. */
const DEVICE_STATE_BYTES = 512 * 1024;

/**
 * The library's SourceVm over a real guest: its image and its workload. The dirty log is the workload's exact
 * one; throttling and pausing act on the workload's writes.
 */
export class ImageSource implements SourceVm {
  readonly pageCount: number;
  readonly pageSizeBytes: number;
  readonly deviceStateBytes = DEVICE_STATE_BYTES;
  readonly content: PageContent;
  private readonly log: PageSet;

  constructor(private readonly guest: Guest) {
    this.pageCount = guest.image.pageCount;
    this.pageSizeBytes = guest.image.pageSizeBytes;
    this.log = new PageSet(this.pageCount);
    this.content = { kind: "bytes", readPage: (page, out) => guest.image.readPage(page, out) };
  }

  startDirtyTracking(): void {
    this.guest.workload.setTracking(true);
  }

  stopDirtyTracking(): void {
    this.guest.workload.setTracking(false);
    this.guest.workload.setThrottle(0);
  }

  syncDirtyLog(): PageSet {
    this.guest.workload.takeDirty(this.log);
    return this.log;
  }

  setThrottle(fraction: number): void {
    this.guest.workload.setThrottle(fraction);
  }

  pause(): void {
    this.guest.workload.pause();
  }

  resumeHere(): void {
    this.guest.workload.setTracking(false);
    this.guest.workload.resume();
  }
}
