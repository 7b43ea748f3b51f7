import { Logger, type ArgumentsHost } from "@nestjs/common";
import { MigrationError } from "@ferry/migration";
import { PlacementError } from "@ferry/placement";
import { beforeAll, describe, expect, it } from "vitest";
import { DomainErrorFilter } from "./domain-error.filter";
import { FerryError } from "./errors";

/** Runs the filter on `thrown` and returns the status and body it answered with. */
function answer(thrown: unknown): { status: number; body: Record<string, unknown> } {
  const out = { status: 0, body: {} as Record<string, unknown> };
  const response = {
    status(code: number) {
      out.status = code;
      return this;
    },
    json(body: Record<string, unknown>) {
      out.body = body;
      return this;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new DomainErrorFilter().catch(thrown, host);
  return out;
}

describe("DomainErrorFilter", () => {
  // A 500 logs its stack; not here.
  beforeAll(() => Logger.overrideLogger(false));
  it.each([
    { name: "a domain error", thrown: new FerryError("VmNotFound", "vm x does not exist"), status: 404, error: "VmNotFound" },
    { name: "malformed placement input", thrown: new PlacementError("InvalidProblem", "vm.id must be a string"), status: 400, error: "ValidationFailed" },
    { name: "an infeasible placement", thrown: new PlacementError("Infeasible", "VMs need 9 cpu"), status: 409, error: "NoFeasibleNode" },
    {
      name: "malformed migration input",
      thrown: new MigrationError("InvalidInput", "vm.memMiB: too small", [{ field: "vm.memMiB", reason: "too small" }]),
      status: 400,
      error: "ValidationFailed",
    },
    { name: "anything else", thrown: new TypeError("x is undefined"), status: 500, error: "InternalError" },
  ])("answers $name with $status", ({ thrown, status, error }) => {
    const got = answer(thrown);
    expect(got.status).toBe(status);
    expect(got.body).toMatchObject({ statusCode: status, error });
  });

  it("keeps the field problems of a migration library error", () => {
    const got = answer(new MigrationError("InvalidInput", "bad", [{ field: "sla", reason: "must be > 0" }]));
    expect(got.body.details).toEqual([{ field: "sla", reason: "must be > 0" }]);
  });
});
