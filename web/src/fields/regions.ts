/**
 * The GB/T 2260 divisions (GET /regions) for the address cascader: loaded once per page
 * life (the browser caches the response for a day, with an ETag), as Element Plus
 * cascader options, plus a code -> name map for showing stored addresses.
 */
import { api } from "@/api/client";

interface RegionNode { c: string; n: string; s?: RegionNode[] }
export interface RegionOption { value: string; label: string; children?: RegionOption[]; leaf?: boolean }

let loading: Promise<RegionOption[]> | null = null;
const names = new Map<string, string>();

function toOption(node: RegionNode, depth: number, maxDepth: number): RegionOption {
  names.set(node.c, node.n);
  const option: RegionOption = { value: node.c, label: node.n };
  if (node.s?.length && depth < maxDepth) option.children = node.s.map((s) => toOption(s, depth + 1, maxDepth));
  return option;
}

let tree: RegionNode[] | null = null;

export async function loadRegions(): Promise<RegionNode[]> {
  if (tree) return tree;
  if (!loading) {
    loading = api<RegionNode[]>("GET", "/regions").then((t) => {
      tree = t;
      return [];
    });
    loading.catch(() => (loading = null));
  }
  await loading;
  return tree!;
}

/** Cascader options down to `level` (province = 1, city = 2, district = 3). */
export async function regionOptions(level: "province" | "city" | "district" = "district"): Promise<RegionOption[]> {
  const depth = { province: 1, city: 2, district: 3 }[level];
  return (await loadRegions()).map((p) => toOption(p, 1, depth));
}

export function regionName(code: string | null | undefined): string {
  return code ? names.get(code) ?? "" : "";
}

/** Names leaving out the placeholder cities of the data set (北京市朝阳区, not 北京市市辖区朝阳区). */
export const PLACEHOLDER_CITIES = new Set(["市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"]);
