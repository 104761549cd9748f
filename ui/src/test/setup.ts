import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { trackFrames } from "./frames";

afterEach(() => cleanup());

trackFrames();

// jsdom lays nothing out: give the slot list a viewport so the virtualiser renders a window of
// rows, and let scrolling move it, as a browser would.
Object.defineProperty(HTMLElement.prototype, "clientHeight", {
  configurable: true,
  get(this: HTMLElement) {
    return this.dataset.testid === "slot-list" ? 600 : 0;
  },
});
Object.defineProperty(HTMLElement.prototype, "clientWidth", {
  configurable: true,
  get(this: HTMLElement) {
    return this.dataset.testid === "slot-list" ? 800 : 0;
  },
});
Object.defineProperty(HTMLElement.prototype, "scrollHeight", {
  configurable: true,
  get(this: HTMLElement) {
    if (this.dataset.testid !== "slot-list") return 0;
    const inner = this.querySelector<HTMLElement>(".slot-list__inner");
    return Math.max(600, parseFloat(inner?.style.height ?? "0") || 0);
  },
});
// jsdom keeps no scroll position; remember it so the virtualiser can follow the highlight.
const scrollTops = new WeakMap<Element, number>();
Object.defineProperty(Element.prototype, "scrollTop", {
  configurable: true,
  get(this: Element) {
    return scrollTops.get(this) ?? 0;
  },
  set(this: Element, v: number) {
    scrollTops.set(this, v);
  },
});
Element.prototype.scrollTo = function scrollTo(this: Element, arg?: ScrollToOptions | number, y?: number) {
  const top = typeof arg === "object" ? arg.top : y;
  if (typeof top === "number") {
    this.scrollTop = top;
    // Browsers report scrolling a moment later, never inside the call.
    setTimeout(() => this.dispatchEvent(new Event("scroll")), 0);
  }
} as Element["scrollTo"];

// jsdom has no scrollIntoView: screens that bring a panel into view call it, and tests spy on it.
Element.prototype.scrollIntoView = function scrollIntoView() {};
