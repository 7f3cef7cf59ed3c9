// The map pacer (src/gpu/pacer.ts) against a simulated GPU, on fake timers: maps are held back
// until the work is nearly done, come back in order, and never cost much more than the work.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { MapPacer } from '../src/gpu/pacer';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A GPU that runs submits in order, `msPerUnit` per unit of work; a map resolves when its submit is done. */
function simulatedGpu(msPerUnit: number) {
  let busyUntil = 0;
  return {
    submit(work: number) {
      const start = Math.max(performance.now(), busyUntil);
      busyUntil = start + work * msPerUnit;
      const end = busyUntil;
      return {
        start,
        end,
        /** When map() was called: the time spent waiting on it from then to `end` is spinning. */
        mappedAt: NaN,
        map(): Promise<number> {
          this.mappedAt = performance.now();
          return new Promise((resolve) => setTimeout(() => resolve(end), Math.max(0, end - performance.now())));
        },
      };
    },
  };
}

test('maps are held until the work is nearly done, in order, at little cost', async () => {
  const pacer = new MapPacer();
  const gpu = simulatedGpu(2); // 2 ms per epoch
  const jobs = Array.from({ length: 12 }, () => gpu.submit(50)); // 100 ms each, all queued at once
  const results: number[] = [];
  const done = jobs.map((job) => pacer.pace(50, () => job.map()).then((end) => results.push(end)));
  await vi.advanceTimersByTimeAsync(12 * 100 + 100);
  await Promise.all(done);

  expect(results).toEqual(jobs.map((j) => j.end)); // each resolves with its own submit, in order
  const spun = jobs.map((j) => (j.end - Math.max(j.mappedAt, j.start)) / (j.end - j.start));
  expect(spun[0]).toBe(1); // nothing measured yet: the first two maps wait the whole job
  expect(spun[1]).toBe(1);
  for (const share of spun.slice(4)) expect(share).toBeLessThanOrEqual(0.15); // then at most ~10% of a job
  // Holding never made the results late: the last came back with the work.
  expect(performance.now()).toBeLessThanOrEqual(jobs[11].end + 100);
});

test('a rate measured too slow is probed down within a few maps, then held to the work', async () => {
  // One submit at a time, as a trainer waiting on each chunk: the first two jobs are slow (as a
  // spinning wait is), the rest five times faster.
  const pacer = new MapPacer();
  const late: number[] = [];
  const spun: number[] = [];
  for (let i = 0; i < 10; i++) {
    const start = performance.now();
    const end = start + 50 * (i < 2 ? 10 : 2);
    let mappedAt = NaN;
    const result = pacer.pace(50, () => {
      mappedAt = performance.now();
      return new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, end - mappedAt)));
    });
    await vi.advanceTimersByTimeAsync(1000);
    await result;
    late.push(Math.max(mappedAt, end) - end);
    spun.push((end - Math.min(mappedAt, end)) / (end - start));
  }
  expect(late.slice(0, 2)).toEqual([0, 0]);
  expect(Math.max(...late.slice(2, 5))).toBeGreaterThan(0); // held past the end while the rate was too slow
  expect(late.slice(5)).toEqual([0, 0, 0, 0, 0]); // then never
  for (const share of spun.slice(6)) expect(share).toBeLessThanOrEqual(0.15);
});
