import { describe, expect, it } from "vitest";
import { parseSse } from "./events";

describe("parseSse", () => {
  it.each([
    ["one event", 'id: 1-0\ndata: {"a":1}\n\n', [{ id: "1-0", data: '{"a":1}' }], ""],
    ["comments only", ": keepalive\n\n", [], ""],
    ["a partial event stays in rest", 'id: 1-0\ndata: {"a"', [], 'id: 1-0\ndata: {"a"'],
    ["CRLF and multi-line data", "data: a\r\ndata: b\r\n\r\n", [{ data: "a\nb" }], ""],
    ["no space after the colon", "id:2-0\ndata:x\n\nid: 3-0\n", [{ id: "2-0", data: "x" }], "id: 3-0\n"],
  ])("%s", (_, text, events, rest) => {
    expect(parseSse(text)).toEqual({ events, rest });
  });
});
