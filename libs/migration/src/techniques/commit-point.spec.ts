import { describe, expect, it } from "vitest";
import { scenario } from "../fixtures/scenarios";
import { runMigration } from "../simulator/simulate";
import type { TechniqueSpec } from "../spec";

const TECHNIQUES: TechniqueSpec[] = [{ name: "non-live" }, { name: "pre-copy" }, { name: "post-copy" }, { name: "hybrid" }];

describe("the commit point", () => {
  it.each(TECHNIQUES)("$name asks once before the switchover and completes when allowed", async (technique) => {
    let asked = 0;
    const result = await runMigration(scenario("web256", "lan1g", technique), { beforeSwitchover: async () => void asked++ });
    expect(asked).toBe(1);
    expect(result.outcome).toBe("completed");
  });

  it.each(TECHNIQUES)("$name cancelled at the commit point never resumes on the target", async (technique) => {
    const abort = new AbortController();
    const result = await runMigration(scenario("web256", "lan1g", technique), {
      signal: abort.signal,
      beforeSwitchover: async () => abort.abort("cancelled"),
    });
    expect(result.outcome).toBe("cancelled");
    expect(result.resumeMs).toBe(0);
  });
});
