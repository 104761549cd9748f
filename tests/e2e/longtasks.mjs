// How long the page's main thread is blocked, measured in the real window. WebKitGTK may not
// offer the Long Tasks API, so the page keeps two heartbeats instead: a setTimeout(0) chain and a
// requestAnimationFrame chain. Each tick notes the time since the one before; while a task runs
// neither can tick, so a gap of more than 50 ms means the page was blocked (or, for frames, not
// drawn) that long. Cheap enough to leave running for a whole step: a timer wakes every ~4 ms.

const PROBE = '__bookingDeskLongTaskProbe';

/**
 * Starts (or starts again) the heartbeats in the page. Gaps over `threshold` ms are counted, and
 * the first `keep` of them kept with when they happened.
 */
export async function installLongTaskProbe(browser, { threshold = 50, keep = 50 } = {}) {
  await browser.execute(
    (name, threshold, keep) => {
      window[name]?.stop();
      const clock = () => ({ ticks: 0, last: performance.now(), longest: 0, over: 0, gaps: [] });
      const probe = { threshold, keep, started: performance.now(), timer: clock(), frame: clock(), hidden: document.hidden };
      const note = (c) => {
        const now = performance.now();
        const gap = now - c.last;
        c.last = now;
        c.ticks += 1;
        c.longest = Math.max(c.longest, gap);
        if (gap > probe.threshold) {
          c.over += 1;
          if (c.gaps.length < probe.keep) c.gaps.push({ at: Math.round(now - gap - probe.started), ms: Math.round(gap) });
        }
      };
      // A hidden window gets no frames and slowed timers: its gaps are not blocking, so say so.
      const onVisibility = () => {
        if (document.hidden) probe.hidden = true;
      };
      let stopped = false;
      let timeout = 0;
      let frame = 0;
      const tick = () => {
        note(probe.timer);
        timeout = setTimeout(tick, 0);
      };
      const draw = () => {
        note(probe.frame);
        frame = requestAnimationFrame(draw);
      };
      probe.stop = () => {
        stopped = true;
        clearTimeout(timeout);
        cancelAnimationFrame(frame);
        document.removeEventListener('visibilitychange', onVisibility);
      };
      probe.reset = () => {
        const now = performance.now();
        probe.started = now;
        probe.hidden = document.hidden;
        for (const c of [probe.timer, probe.frame]) Object.assign(c, clock(), { last: now });
      };
      probe.stopped = () => stopped;
      probe.note = note;
      document.addEventListener('visibilitychange', onVisibility);
      timeout = setTimeout(tick, 0);
      frame = requestAnimationFrame(draw);
      window[name] = probe;
    },
    PROBE,
    threshold,
    keep,
  );
}

/**
 * What the heartbeats saw since they were installed (or last reset), as plain data:
 *   { ms, threshold, hidden, longestMs, over, ticks, gaps: [{ at, ms }], frames: { longestMs, over, ticks, gaps } }
 * `longestMs` and `over` come from the timer heartbeat (main-thread blocking); `frames` from the
 * frame heartbeat (time without a frame drawn). `at` is ms after the start of the measurement.
 * `reset: true` starts a new measurement once read, so a test can measure one step at a time.
 */
export async function readLongTasks(browser, { reset = false } = {}) {
  const read = await browser.execute(
    (name, reset) => {
      const probe = window[name];
      if (!probe || probe.stopped()) return null;
      // Reading is a tick of the timer too: a task that has only just ended is counted even if
      // the timer has not fired since.
      probe.note(probe.timer);
      const summary = (c) => ({ longestMs: Math.round(c.longest), over: c.over, ticks: c.ticks, gaps: c.gaps.slice() });
      const out = {
        ms: Math.round(performance.now() - probe.started),
        threshold: probe.threshold,
        hidden: probe.hidden || document.hidden,
        timer: summary(probe.timer),
        frames: summary(probe.frame),
      };
      if (reset) probe.reset();
      return out;
    },
    PROBE,
    reset,
  );
  if (read === null) throw new Error('the long-task probe is not running in the page: call installLongTaskProbe first (after any reload)');
  const { timer, ...rest } = read;
  return { ...rest, longestMs: timer.longestMs, over: timer.over, ticks: timer.ticks, gaps: timer.gaps };
}
