import { describe, expect, it } from "vitest";
import { parseUserAgent } from "@/components/account/userAgent";

describe("parseUserAgent", () => {
  it("names the browser and system people recognise", () => {
    expect(parseUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"))
      .toEqual({ browser: "Chrome 126", os: "Windows", mobile: false });
    expect(parseUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.68"))
      .toMatchObject({ browser: "Edge 126" });
    expect(parseUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN"))
      .toEqual({ browser: "WeChat 8", os: "iOS 17", mobile: true });
    expect(parseUserAgent("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"))
      .toMatchObject({ browser: "Safari 17", os: "macOS" });
    expect(parseUserAgent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"))
      .toMatchObject({ browser: "Firefox 128", os: "Linux" });
    expect(parseUserAgent("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"))
      .toEqual({ browser: "Chrome 126", os: "Android 14", mobile: true });
  });

  it("leaves unknown parts empty instead of guessing", () => {
    expect(parseUserAgent("")).toEqual({ browser: "", os: "", mobile: false });
    expect(parseUserAgent(null)).toEqual({ browser: "", os: "", mobile: false });
    expect(parseUserAgent("python-httpx/0.28.1")).toMatchObject({ browser: "Python", os: "" });
  });
});
