// The lecture, end to end, against PyTorch: every strategy trains 3000 epochs, then 3000 more from
// where it stopped (params and Adam state kept), on ../shared/data/dnnex.csv with seed 43052. In
// Node every strategy; in Chromium the page's two (resident, auto's lecture choice, and fused, the
// general path), the same kernels through the browser's compiler (CI's 20-minute budget).
import { describe, expect, test } from 'vitest';
import { parseCsv } from '../src/data/csv';
import { singleHidden, unpackParams } from '../src/model/layout';
import { STRATEGY_NAMES, type StrategyName } from '../src/train/strategy';
import { Trainer } from '../src/train/trainer';
import { expectClose, inBrowser, withDevice } from './gpu';
import { DNNEX_CSV, LECTURE } from './shared';

const data = parseCsv(DNNEX_CSV, 'dnnex.csv');

const STRATEGIES: readonly StrategyName[] = inBrowser ? ['resident', 'fused'] : STRATEGY_NAMES;

describe.each(STRATEGIES)('%s', (strategy) => {
  test('matches the PyTorch trajectory: every loss within 1e-4, params and probs within 1e-3', async () => {
    await withDevice(async (ctx) => {
      const trainer = await Trainer.create(ctx, data, { strategy, seed: 43052n, model: singleHidden(2), lr: 0.001 });
      expect(unpackParams(await trainer.readParams(), trainer.layout)).toEqual(LECTURE.init);
      const losses: number[] = [];
      const onLoss = (first: number, chunk: Float32Array) => {
        expect(first).toBe(losses.length); // in order, no gap, no duplicate
        losses.push(...chunk);
      };
      for (const checkpoint of ['3000', '6000'] as const) {
        await trainer.train(3000, { onLoss });
        expect(trainer.epochsDone).toBe(Number(checkpoint));
        const golden = LECTURE.checkpoints[checkpoint];
        const params = unpackParams(await trainer.readParams(), trainer.layout);
        for (const name of ['W1', 'b1', 'W2', 'b2'] as const) expectClose(params[name], golden.params[name], 1e-3, 0, `${name} after ${checkpoint}`);
        const { prob } = await trainer.forward(data.x);
        expectClose(prob, golden.prob, 1e-3, 0, `prob after ${checkpoint}`);
      }
      expectClose(losses, LECTURE.loss, 1e-4, 0, 'loss per epoch');
      expect(losses[5999]).toBeCloseTo(0.26702, 4);
      trainer.destroy();
    });
  });

  test('deterministic: two runs give bit-identical losses and params', async () => {
    await withDevice(async (ctx) => {
      const run = async () => {
        const trainer = await Trainer.create(ctx, data, { strategy, seed: 7n, model: singleHidden(16), lr: 0.01 });
        const losses: number[] = [];
        await trainer.train(strategy === 'unfused' ? 200 : 600, { onLoss: (_, l) => losses.push(...l) });
        const params = Array.from(await trainer.readParams());
        trainer.destroy();
        return { losses, params };
      };
      const [a, b] = [await run(), await run()];
      expect(a.losses.length).toBeGreaterThan(0);
      expect(b.losses).toEqual(a.losses);
      expect(b.params).toEqual(a.params);
    });
  });
});
