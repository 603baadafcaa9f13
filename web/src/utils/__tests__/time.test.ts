import { describe, expect, it } from "vitest";
import { formatTime, localDay, pad } from "@/utils/time";

describe("time helpers", () => {
  it("pads numbers to a width", () => {
    expect(pad(7)).toBe("07");
    expect(pad(12)).toBe("12");
    expect(pad(1, 4)).toBe("0001");
  });

  it("writes the local day of a date", () => {
    expect(localDay(new Date(2024, 0, 5, 23, 59))).toBe("2024-01-05");
    expect(localDay(new Date(2024, 11, 31))).toBe("2024-12-31");
  });

  it("formats ISO times in the local zone and keeps what it cannot read", () => {
    const d = new Date(2024, 4, 1, 9, 3);
    expect(formatTime(d.toISOString())).toBe("2024-05-01 09:03");
    expect(formatTime("soon")).toBe("soon");
    expect(formatTime(null)).toBe("");
  });
});
