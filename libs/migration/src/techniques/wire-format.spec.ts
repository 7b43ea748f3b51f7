import { describe, expect, it } from "vitest";
import { mainStreamFormat, wireFormat } from "./wire-format";

describe("wire format", () => {
  it.each([
    // Main stream: 4096 + 8 per page, 8 + 1 per zero page: 10 x 4104 + 6 x 9 = 41 094.
    { name: "main stream, 4 KiB, 6 of 16 zero", format: mainStreamFormat(4096), pages: 16, zero: 6, want: 41_094 },
    { name: "main stream, multifd off", format: wireFormat(4096, { multifd: false, multifdChannels: 8 }), pages: 16, zero: 0, want: 16 * 4104 },
    // Multifd, 4 KiB pages: 128 pages a packet, so 200 pages are 2 packets: 150 x 4096 + 200 x 8 + 2 x 320 = 616 640.
    { name: "multifd, 4 KiB, 50 of 200 zero", format: wireFormat(4096, { multifd: true, multifdChannels: 4 }), pages: 200, zero: 50, want: 616_640 },
    // Multifd, 2 MiB pages: a packet holds one page (512 KiB < 2 MiB), so 3 pages are 3 packets.
    { name: "multifd, 2 MiB, 3 pages", format: wireFormat(2 << 20, { multifd: true, multifdChannels: 2 }), pages: 3, zero: 0, want: 3 * (2 << 20) + 3 * 8 + 3 * 320 },
  ])("$name: $want bytes", ({ format, pages, zero, want }) => {
    expect(format.batchBytes(pages, zero)).toBe(want);
  });

  it("multifd costs each channel a handshake and a SYNC packet per sync; the main stream costs neither", () => {
    expect(wireFormat(4096, { multifd: true, multifdChannels: 4 })).toMatchObject({ streams: 4, setupBytes: 4 * 64, syncBytes: 4 * 320 });
    expect(mainStreamFormat(4096)).toMatchObject({ streams: 1, setupBytes: 0, syncBytes: 0 });
  });

  it("the mean page size is what a long batch averages to", () => {
    const f = wireFormat(4096, { multifd: true, multifdChannels: 2 });
    expect(f.meanPageBytes(0.25) * 128_000).toBeCloseTo(f.batchBytes(128_000, 32_000), 6);
    expect(mainStreamFormat(4096).meanPageBytes(1)).toBe(9);
  });
});
