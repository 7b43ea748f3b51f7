import { describe, it } from "vitest";
import { host, vm } from "../fixtures/builders";
import type { FilterCase } from "../fixtures/harness";
import { checkFilterCase } from "../fixtures/harness";
import { hostStateFilter } from "./host-state";

const base = { topology: { kind: "labels" as const } };
const cases: FilterCase[] = [
  ...(["cordoned", "maintenance", "draining", "off", "failed"] as const).map((s) => ({
    name: `host-state: ${s} takes no VM`,
    problem: { ...base, hosts: [host("h").state(s).build()], vms: [vm("n").build()] },
    vm: "n",
    host: "h",
    reject: `host is ${s}`,
  })),
  {
    name: "host-state: active takes VMs",
    problem: { ...base, hosts: [host("h").build()], vms: [vm("n").build()] },
    vm: "n",
    host: "h",
  },
  {
    name: "host-state: a VM may stay on a cordoned host",
    problem: { ...base, hosts: [host("h").state("cordoned").build()], vms: [vm("a").build()], current: { a: "h" } },
    vm: "a",
    host: "h",
  },
  {
    name: "host-state: a search from scratch may put a VM back on its cordoned host",
    problem: { ...base, hosts: [host("h").state("cordoned").build()], vms: [vm("a").build()], current: { a: "h" } },
    vm: "a",
    host: "h",
  },
  {
    name: "host-state: but no other VM",
    problem: { ...base, hosts: [host("h").state("draining").build()], vms: [vm("a").build(), vm("n").build()], current: { a: "h" } },
    vm: "n",
    host: "h",
    reject: "host is draining",
  },
];

describe("host-state filter", () => {
  it.each(cases)("$name", (c) => checkFilterCase(hostStateFilter(), c));
});
