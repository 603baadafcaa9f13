/**
 * Browser and operating system named from a User-Agent string, enough for a person to
 * recognise "their" session (微信 on iPhone, Chrome on Windows). Order matters: Edge and
 * Opera and the Chinese browsers also say "Chrome", and every browser says "Safari".
 */
export interface ParsedAgent {
  browser: string;
  os: string;
  mobile: boolean;
}

const BROWSERS: [RegExp, string][] = [
  [/MicroMessenger\/([\d.]+)/, "WeChat"],
  [/DingTalk\/([\d.]+)/, "DingTalk"],
  [/Lark\/([\d.]+)|Feishu\/([\d.]+)/, "Feishu"],
  [/Edg(?:e|A|iOS)?\/([\d.]+)/, "Edge"],
  [/OPR\/([\d.]+)/, "Opera"],
  [/QQBrowser\/([\d.]+)/, "QQ Browser"],
  [/UCBrowser\/([\d.]+)/, "UC Browser"],
  [/Firefox\/([\d.]+)|FxiOS\/([\d.]+)/, "Firefox"],
  [/(?:Chrome|CriOS)\/([\d.]+)/, "Chrome"],
  [/Version\/([\d.]+).*Safari\//, "Safari"],
  [/python-httpx\/([\d.]+)|python-requests\/([\d.]+)/, "Python"],
  [/curl\/([\d.]+)/, "curl"],
];

/** programs, not browsers: their version means nothing to the reader */
const TOOLS = new Set(["Python", "curl"]);

const SYSTEMS: [RegExp, string | ((m: RegExpMatchArray) => string)][] = [
  [/HarmonyOS/, "HarmonyOS"],
  [/iPhone OS ([\d_]+)/, (m) => `iOS ${m[1].split("_")[0]}`],
  [/iPad.*OS ([\d_]+)/, (m) => `iPadOS ${m[1].split("_")[0]}`],
  [/Android ([\d.]+)/, (m) => `Android ${m[1].split(".")[0]}`],
  [/Windows NT 10/, "Windows"],
  [/Windows NT 6\.1/, "Windows 7"],
  [/Windows/, "Windows"],
  [/Mac OS X/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

export function parseUserAgent(agent: string | null | undefined): ParsedAgent {
  const ua = agent ?? "";
  let browser = "";
  for (const [re, name] of BROWSERS) {
    const m = ua.match(re);
    if (m) {
      const version = TOOLS.has(name) ? "" : (m[1] ?? m[2] ?? "").split(".")[0];
      browser = version ? `${name} ${version}` : name;
      break;
    }
  }
  let os = "";
  for (const [re, name] of SYSTEMS) {
    const m = ua.match(re);
    if (m) {
      os = typeof name === "string" ? name : name(m);
      break;
    }
  }
  return { browser, os, mobile: /Mobile|iPhone|Android/.test(ua) };
}
