import { describe, expect, it } from "vitest";
import { ESTIMATED_CARD_HEIGHT, observedSize, type SizedList } from "./virtual-size.ts";

/** An element that fails the test if anything reads its layout (a forced synchronous layout). */
function unmeasurable(index: number): Element {
  const el = document.createElement("li");
  el.dataset.index = String(index);
  for (const prop of ["offsetHeight", "offsetWidth"] as const) {
    Object.defineProperty(el, prop, {
      get() {
        throw new Error(`${prop} was read: that forces a layout of the whole board`);
      },
    });
  }
  el.getBoundingClientRect = () => {
    throw new Error("getBoundingClientRect was called: that forces a layout of the whole board");
  };
  return el;
}

function list(sizes: Record<string, number>): SizedList {
  const keys = ["t_a", "t_b", "t_c"];
  return {
    itemSizeCache: new Map(Object.entries(sizes)),
    indexFromElement: (element) => Number((element as HTMLElement).dataset.index),
    options: { getItemKey: (index) => keys[index] ?? index },
  };
}

function entry(blockSize: number): ResizeObserverEntry {
  return { borderBoxSize: [{ blockSize, inlineSize: 280 }] } as unknown as ResizeObserverEntry;
}

describe("the size of a virtualised card", () => {
  it("is what the ResizeObserver reports, rounded", () => {
    expect(observedSize(unmeasurable(0), entry(131.6), list({ t_a: 90 }))).toBe(132);
  });

  it("is its last known size while a card just put back in view waits for its report", () => {
    expect(observedSize(unmeasurable(1), undefined, list({ t_b: 148 }))).toBe(148);
  });

  it("is the estimate for a card never measured, without reading the element's layout", () => {
    expect(observedSize(unmeasurable(2), undefined, list({}))).toBe(ESTIMATED_CARD_HEIGHT);
  });
});
