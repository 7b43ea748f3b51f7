import { describe, expect, it } from "vitest";
import type { NodeState } from "@ferry/protocol";
import { NodeAction, transition } from "./node-transitions";

describe("node transitions", () => {
  it.each<{ from: NodeState; action: NodeAction; want: NodeState | "refused"; changed?: boolean }>([
    { from: "active", action: "cordon", want: "cordoned", changed: true },
    { from: "cordoned", action: "cordon", want: "cordoned", changed: false },
    { from: "cordoned", action: "uncordon", want: "active", changed: true },
    { from: "active", action: "uncordon", want: "active", changed: false },
    { from: "active", action: "maintenance-on", want: "maintenance", changed: true },
    { from: "cordoned", action: "maintenance-on", want: "maintenance", changed: true },
    { from: "maintenance", action: "maintenance-off", want: "active", changed: true },
    { from: "failed", action: "cordon", want: "refused" },
    { from: "failed", action: "uncordon", want: "refused" },
    { from: "maintenance", action: "uncordon", want: "refused" },
    { from: "off", action: "maintenance-on", want: "refused" },
    { from: "cordoned", action: "maintenance-off", want: "refused" },
    { from: "active", action: "drain", want: "draining", changed: true },
    { from: "cordoned", action: "drain", want: "draining", changed: true },
    { from: "draining", action: "drain", want: "draining", changed: false },
    { from: "maintenance", action: "drain", want: "refused" },
    { from: "failed", action: "drain", want: "refused" },
  ])("$action on $from gives $want", ({ from, action, want, changed }) => {
    const result = transition(from, action);
    if (want === "refused") {
      expect(result.ok).toBe(false);
    } else {
      expect(result).toEqual({ ok: true, to: want, changed });
    }
  });
});
