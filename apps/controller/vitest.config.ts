import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared";

// A hook starts or stops a controller (and its agents): seconds on a quiet machine, far longer on a loaded one.
export default mergeConfig(
  shared,
  defineProject({ test: { name: "controller", globalSetup: ["test/support/global-setup.ts"], testTimeout: 30_000, hookTimeout: 60_000 } }),
);
