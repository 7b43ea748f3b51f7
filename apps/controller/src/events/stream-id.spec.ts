import { describe, expect, it } from "vitest";
import { compareStreamIds } from "./stream-id";

describe("compareStreamIds", () => {
  it.each([
    ["1-0", "2-0", -1],
    ["2-0", "1-5", 1],
    ["5-1", "5-2", -1],
    ["5-2", "5-2", 0],
    ["10-0", "9-99", 1],
    ["1700000000000-0", "999999999999-0", 1],
  ])("%s vs %s", (a, b, sign) => {
    expect(Math.sign(compareStreamIds(a, b))).toBe(sign);
  });
});
