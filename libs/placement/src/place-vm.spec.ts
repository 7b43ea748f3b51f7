import { describe, expect, it } from "vitest";
import { PlacementError } from "./errors";
import { vm } from "./fixtures/builders";
import { leafSpine2x8OneHostDown } from "./fixtures/leaf-spine-2x8-one-host-down";
import type { PlaceVmRequest } from "./place-vm";
import { placeVm } from "./place-vm";

const fixture = leafSpine2x8OneHostDown;
// web0-2 on leaf 0, web3-4 on leaf 1, the db pair together on l0-h4 (12 of 16 vCPU used there).
const current = { web0: "l0-h0", web1: "l0-h1", web2: "l0-h2", web3: "l1-h1", web4: "l1-h2", db0: "l0-h4", db1: "l0-h4" };
const request = (over: Partial<PlaceVmRequest>): PlaceVmRequest => ({
  hosts: fixture.hosts,
  // web5 is listed but not running: the VMs not in `current` take no room.
  vms: fixture.vms,
  current,
  vm: vm("web5").cpus(4).memMiB(8192).build(),
  traffic: fixture.traffic,
  groups: fixture.groups,
  topology: fixture.topology,
  ...over,
});

describe("placeVm", () => {
  it("records every rejection with its filter and reason", () => {
    const r = placeVm(request({}));
    const byHost = Object.fromEntries(r.hosts.map((h) => [h.hostId, h.rejections.map((x) => `${x.filter}: ${x.reason}`)]));
    expect(byHost["l0-h3"]).toEqual(["host-state: host is failed, only active hosts take VMs"]);
    expect(byHost["l1-h0"]).toEqual(["host-state: host is cordoned, only active hosts take VMs"]);
    for (const h of ["l0-h0", "l0-h1", "l0-h2", "l1-h1", "l1-h2"]) {
      expect(byHost[h]).toEqual(['anti-affinity: anti-affinity group "web" already has a member on this host']);
    }
    expect(r.hosts.filter((h) => h.feasible).map((h) => h.hostId)).toEqual(["l0-h4", "l0-h5", "l0-h6", "l0-h7", "l1-h3", "l1-h4", "l1-h5", "l1-h6", "l1-h7"]);
  });

  it("scores feasible hosts per plugin, 0..100, and picks the best weighted mean", () => {
    const r = placeVm(request({}));
    const v = Object.fromEntries(r.hosts.map((h) => [h.hostId, h]));
    // Traffic to db0 (rate 20): 0 on l0-h4, 20 elsewhere on leaf 0, 60 on leaf 1 -> 100, 66.7, 0.
    expect(v["l0-h4"].scores.traffic).toBeCloseTo(100, 9);
    expect(v["l0-h5"].scores.traffic).toBeCloseTo(200 / 3, 9);
    expect(v["l1-h3"].scores.traffic).toBeCloseTo(0, 9);
    expect(v["l0-h5"].rawCosts.traffic).toBe(20);
    // Balance: l0-h4 is the most loaded feasible host -> 0; empty hosts -> 100.
    expect(v["l0-h4"].scores.balance).toBeCloseTo(0, 9);
    expect(v["l0-h5"].scores.balance).toBeCloseTo(100, 9);
    // Weights traffic 2, balance 1: l0-h4 (2 x 100 + 0) / 3 = 66.7 < l0-h5 (2 x 66.7 + 100) / 3 = 77.8;
    // l0-h5, h6, h7 tie and the first in host order wins.
    expect(v["l0-h5"].score).toBeCloseTo(700 / 9, 9);
    expect(r.hostId).toBe("l0-h5");
    for (const h of r.hosts) for (const s of Object.values(h.scores)) expect(s >= 0 && s <= 100).toBe(true);
    expect(r.hosts.find((h) => !h.feasible)!.scores).toEqual({});
  });

  it("with traffic alone it joins its peer's host", () => {
    expect(placeVm(request({ weights: { traffic: 1, balance: 0 } })).hostId).toBe("l0-h4");
  });

  it("an affinity group pins the new VM to its group's host", () => {
    const groups = [fixture.groups![0], { id: "db", policy: "affinity" as const, vmIds: ["db0", "db1", "db2"] }];
    const r = placeVm(request({ vm: vm("db2").cpus(2).memMiB(4096).build(), groups }));
    expect(r.hostId).toBe("l0-h4");
    expect(r.hosts.find((h) => h.hostId === "l0-h5")!.rejections).toEqual([{ filter: "affinity", reason: 'affinity group "db" runs on host "l0-h4"' }]);
  });

  it("says why when no host fits", () => {
    const r = placeVm(request({ vm: vm("huge").cpus(64).build() }));
    expect(r.hostId).toBeNull();
    expect(r.reason).toBe("0/16 hosts available: 16 capacity, 2 host-state");
  });

  it("refuses a VM that already runs", () => {
    expect(() => placeVm(request({ vm: vm("web0").build() }))).toThrow(PlacementError);
  });
});
