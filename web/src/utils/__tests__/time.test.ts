import { describe, expect, it } from "vitest";
import { daysBetween, formatTime, localDay, pad } from "@/utils/time";

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

  it("lists the days of a range across month ends", () => {
    expect(daysBetween(new Date(2024, 1, 27), new Date(2024, 2, 2))).toEqual([
      "2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02",
    ]);
    expect(daysBetween(new Date(2024, 4, 1, 18), new Date(2024, 4, 1, 9))).toEqual(["2024-05-01"]);
    expect(daysBetween(new Date(2024, 4, 2), new Date(2024, 4, 1))).toEqual([]);
  });
});
