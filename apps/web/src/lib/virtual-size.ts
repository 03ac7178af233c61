/** A card's height before the browser has laid it out. */
export const ESTIMATED_CARD_HEIGHT = 104;

/** What `observedSize` reads of the virtualizer: its cache of measured sizes, by item key. */
export interface SizedList {
  itemSizeCache: ReadonlyMap<number | string | bigint, number>;
  indexFromElement(element: Element): number;
  options: { getItemKey(index: number): number | string | bigint };
}

/**
 * A virtualised card's size as the ResizeObserver reports it (after the browser's own layout);
 * a card just put in view keeps its last known size, or the estimate, until that report. The
 * library's default reads `offsetHeight` as each card mounts, which forced a layout of the whole
 * board for every card put in view (docs/performance.md).
 */
export function observedSize(element: Element, entry: ResizeObserverEntry | undefined, instance: SizedList): number {
  const box = entry?.borderBoxSize?.[0];
  if (box) return Math.round(box.blockSize);
  const key = instance.options.getItemKey(instance.indexFromElement(element));
  return instance.itemSizeCache.get(key) ?? ESTIMATED_CARD_HEIGHT;
}
