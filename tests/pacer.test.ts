// The map pacer (src/gpu/pacer.ts) against a simulated GPU, on fake timers: maps come back in
// order, and within a few maps each is requested close to when its work ends, neither long before
// (the wait would spin) nor after (the GPU would sit idle).
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { MapPacer } from '../src/gpu/pacer';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

interface Job {
  start: number;
  end: number;
  mappedAt: number;
}

/** Shares of each job's time spent spinning (mapped before its end) and idle (mapped after it). */
const costs = (jobs: Job[]) => ({
  spun: jobs.map((j) => Math.max(0, j.end - Math.max(j.mappedAt, j.start)) / (j.end - j.start)),
  late: jobs.map((j) => Math.max(0, j.mappedAt - j.end) / (j.end - j.start)),
});

/** A map that resolves at `job.end`, noting when it was requested. */
const mapOf = (job: Job) => () => {
  job.mappedAt = performance.now();
  return new Promise<number>((resolve) => setTimeout(() => resolve(job.end), Math.max(0, job.end - job.mappedAt)));
};

test('all submits queued at once: maps in order, soon requested within 10% of each end', async () => {
  const pacer = new MapPacer();
  let busyUntil = 0;
  const jobs: Job[] = Array.from({ length: 14 }, () => {
    const start = busyUntil;
    busyUntil = start + 100; // 50 epochs at 2 ms each, back to back
    return { start, end: busyUntil, mappedAt: NaN };
  });
  const results: number[] = [];
  const done = jobs.map((job) => pacer.pace(50, mapOf(job)).then((end) => results.push(end)));
  await vi.advanceTimersByTimeAsync(14 * 100 + 200);
  await Promise.all(done);

  expect(results).toEqual(jobs.map((j) => j.end)); // each resolves with its own submit, in order
  const { spun, late } = costs(jobs);
  expect(spun.slice(0, 2)).toEqual([1, 1]); // nothing measured yet: the first two maps wait the whole job
  expect(spun[2]).toBeLessThan(0.6); // then held from the first measurement on
  for (let i = 7; i < jobs.length; i++) {
    expect(spun[i], `job ${i} spun`).toBeLessThanOrEqual(0.1);
    expect(late[i], `job ${i} late`).toBeLessThanOrEqual(0.1);
  }
});

test('one submit at a time, the first two five times slower: the pacer follows the rate down', async () => {
  const pacer = new MapPacer();
  const jobs: Job[] = [];
  for (let i = 0; i < 14; i++) {
    const start = performance.now();
    const job = { start, end: start + 50 * (i < 2 ? 10 : 2), mappedAt: NaN };
    jobs.push(job);
    const result = pacer.pace(50, mapOf(job));
    await vi.advanceTimersByTimeAsync(1000);
    await result;
  }
  const { spun, late } = costs(jobs);
  expect(Math.max(...late.slice(2, 5))).toBeGreaterThan(0); // held too long while the bound was the slow rate
  for (let i = 8; i < jobs.length; i++) {
    expect(spun[i], `job ${i} spun`).toBeLessThanOrEqual(0.1);
    expect(late[i], `job ${i} late`).toBeLessThanOrEqual(0.1);
  }
});
