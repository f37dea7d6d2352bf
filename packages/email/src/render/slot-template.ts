import { randomBytes } from "node:crypto";

/**
 * A document cut at its per-message values: `statics[0] + value(slots[0]) + statics[1] + ...`.
 * Filling one is a handful of string concatenations, which is the whole point.
 */
export interface SlotTemplate {
  readonly statics: readonly string[];
  /** For each gap between statics, the index of the slot value that goes there. */
  readonly slots: readonly number[];
}

/**
 * One unique placeholder per slot. Letters, digits and underscores only, so neither
 * React's escaping nor the HTML-to-text conversion alters them; a random part per
 * compilation, so no template text can contain one by accident. The trailing `_`
 * keeps `…_1_` from being a prefix of `…_10_`.
 */
export function createPlaceholders(count: number): string[] {
  const nonce = randomBytes(8).toString("hex");
  return Array.from({ length: count }, (_, index) => `otpslot${nonce}_${index}_`);
}

/** Cuts `document` at every occurrence of the placeholders. */
export function cutAtPlaceholders(document: string, placeholders: readonly string[]): SlotTemplate {
  const slotByPlaceholder = new Map(placeholders.map((placeholder, index) => [placeholder, index]));
  const pattern = new RegExp(placeholders.join("|"), "g");
  const statics: string[] = [];
  const slots: number[] = [];
  let staticStart = 0;
  for (const match of document.matchAll(pattern)) {
    statics.push(document.slice(staticStart, match.index));
    // The pattern only matches placeholders, so the lookup always succeeds.
    slots.push(slotByPlaceholder.get(match[0]) as number);
    staticStart = match.index + match[0].length;
  }
  statics.push(document.slice(staticStart));
  return { statics, slots };
}

/** How many times each slot occurs, to check that a conversion kept every placeholder. */
export function countSlots(template: SlotTemplate, slotCount: number): number[] {
  const counts = new Array<number>(slotCount).fill(0);
  for (const slot of template.slots) counts[slot] = (counts[slot] ?? 0) + 1;
  return counts;
}

export function fillSlots(template: SlotTemplate, values: readonly string[]): string {
  const { statics, slots } = template;
  let result = statics[0] as string;
  for (let gap = 0; gap < slots.length; gap++) {
    result += (values[slots[gap] as number] as string) + (statics[gap + 1] as string);
  }
  return result;
}
