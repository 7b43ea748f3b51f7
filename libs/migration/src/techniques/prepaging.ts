import type { PageSet } from "../simulator/page-set";
import type { Prepaging } from "../spec";

/**
 * The order in which post-copy pushes the pages the target lacks (Hines & Gopalan, VEE 2009). Every order skips
 * pages already sent, so each page crosses the network once whatever the order.
 * - none: sequential from the lowest page; faults are served but do not move the push.
 * - bubble: one pivot, the latest fault; the push grows a bubble around it, one page forward then one backward,
 *   skipping sent pages, until a new fault moves the pivot. Spatial locality makes the pages next to a fault
 *   likely next.
 * - multi-pivot: the bubbles around the last `maxPivots` faults grow in turn; an edge stops where it meets a
 *   sent page (another bubble), and when every bubble is closed the push falls back to sequential order.
 */
export interface PushOrder {
  /** The source learned of a fault on this page. */
  onFault(page: number): void;
  /**
   * Puts up to `max` unsent pages into out[at...], marks them in `sent`, and returns the new length. Returns
   * fewer only when no unsent page is left.
   */
  fill(sent: PageSet, out: Uint32Array, at: number, max: number): number;
}

export function createPushOrder(kind: Prepaging, pageCount: number, maxPivots: number): PushOrder {
  switch (kind) {
    case "none":
      return sequentialOrder();
    case "bubble":
      return bubbleOrder();
    case "multi-pivot":
      return multiPivotOrder(pageCount, maxPivots);
  }
}

function sequentialOrder(): PushOrder {
  let cursor = 0;
  return {
    onFault() {},
    fill(sent, out, at, max) {
      const end = at + max;
      while (at < end) {
        // Pages below the cursor are all sent (demand pages only ever add to `sent`).
        const p = sent.nextClear(cursor);
        if (p < 0) break;
        sent.add(p);
        out[at++] = p;
        cursor = p + 1;
      }
      return at;
    },
  };
}

function bubbleOrder(): PushOrder {
  let forward = 0;
  let backward = -1;
  return {
    onFault(page) {
      forward = page + 1;
      backward = page - 1;
    },
    fill(sent, out, at, max) {
      const end = at + max;
      while (at < end) {
        const f = forward >= 0 ? sent.nextClear(forward) : -1;
        if (f >= 0) {
          sent.add(f);
          out[at++] = f;
          forward = f + 1;
        } else forward = -1;
        if (at >= end) break;
        const b = backward >= 0 ? sent.prevClear(backward) : -1;
        if (b >= 0) {
          sent.add(b);
          out[at++] = b;
          backward = b - 1;
        } else backward = -1;
        if (f < 0 && b < 0) {
          // Both edges ran off the ends: whatever is left lies between earlier bubbles.
          const rest = sent.nextClear(0);
          if (rest < 0) break;
          forward = rest;
          backward = -1;
        }
      }
      return at;
    },
  };
}

function multiPivotOrder(pageCount: number, maxPivots: number): PushOrder {
  // Edges of live bubbles; an edge of -1 is closed. Oldest pivot first.
  const forward: number[] = [];
  const backward: number[] = [];
  let cursor = 0;
  let turn = 0;
  return {
    onFault(page) {
      forward.push(page + 1 < pageCount ? page + 1 : -1);
      backward.push(page - 1);
      if (forward.length > maxPivots) {
        forward.shift();
        backward.shift();
      }
    },
    fill(sent, out, at, max) {
      const end = at + max;
      while (at < end && forward.length > 0) {
        if (turn >= forward.length) turn = 0;
        const f = forward[turn];
        if (f >= 0 && !sent.has(f)) {
          sent.add(f);
          out[at++] = f;
          forward[turn] = f + 1 < pageCount ? f + 1 : -1;
        } else forward[turn] = -1;
        if (at < end) {
          const b = backward[turn];
          if (b >= 0 && !sent.has(b)) {
            sent.add(b);
            out[at++] = b;
            backward[turn] = b - 1;
          } else backward[turn] = -1;
        }
        if (forward[turn] < 0 && backward[turn] < 0) {
          forward.splice(turn, 1);
          backward.splice(turn, 1);
        } else turn++;
      }
      while (at < end) {
        let p = sent.nextClear(cursor);
        if (p < 0) p = sent.nextClear(0);
        if (p < 0) break;
        sent.add(p);
        out[at++] = p;
        cursor = p + 1;
      }
      return at;
    },
  };
}
