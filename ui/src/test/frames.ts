// jsdom runs animation-frame callbacks on a real 60 Hz timer. Work the app puts off to the next
// frame (search events applied together) must also be reachable at a moment a test chooses, as a
// browser paints between bursts of messages: `passFrame` lets one frame pass at once.

const waiting = new Map<number, FrameRequestCallback>();
const request = window.requestAnimationFrame.bind(window);
const cancel = window.cancelAnimationFrame.bind(window);

/** Keeps track of the callbacks waiting for a frame; jsdom still runs them on its own timer too. */
export function trackFrames(): void {
  window.requestAnimationFrame = (callback) => {
    const id = request((time) => {
      waiting.delete(id);
      callback(time);
    });
    waiting.set(id, callback);
    return id;
  };
  window.cancelAnimationFrame = (id) => {
    waiting.delete(id);
    cancel(id);
  };
}

/** One animation frame passes now: every callback waiting for it runs, once. */
export function passFrame(): void {
  const due = [...waiting];
  waiting.clear();
  const now = performance.now();
  for (const [id, callback] of due) {
    cancel(id);
    callback(now);
  }
}
