import { PageSet } from "../simulator/page-set";

/**
 * Improved pre-copy (b): a frequently-updated-page bitmap. A page dirtied in two consecutive rounds is likely to
 * be dirtied again, so re-sending it now is probably wasted: it is held back while it keeps being dirtied, and
 * goes in the stop-and-copy (or in a later round, once a round passes without it being dirtied).
 */
export class HotPageBitmap {
  private readonly previous: PageSet;
  /** Pages dirtied in both of the last two rounds. */
  readonly held: PageSet;

  constructor(pageCount: number) {
    this.previous = new PageSet(pageCount);
    this.held = new PageSet(pageCount);
  }

  /** Takes the dirty log of the round that just ended. */
  update(dirty: PageSet): void {
    this.held.copyFrom(dirty);
    this.held.intersectWith(this.previous);
    this.previous.copyFrom(dirty);
  }

  /** out = need minus the held pages: what the next round sends. */
  sendable(need: PageSet, out: PageSet): void {
    out.copyFrom(need);
    out.subtract(this.held);
  }
}
