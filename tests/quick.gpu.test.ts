import { test } from 'vitest';
import { parseCsv } from '../src/data/csv';
import { singleHidden } from '../src/model/layout';
import { Trainer } from '../src/train/trainer';
import { encodeSteps } from '../src/train/steps';
import { withDevice } from './gpu';
import { DNNEX_CSV, COURSE } from './shared';
import { readCsv } from '../src/data/csv';
import { selectDataset } from '../src/data/select';
test('quick', async () => {
  await withDevice(async (ctx) => {
    const cases: [string, any, any][] = [
      ['lecture', parseCsv(DNNEX_CSV, 'dnnex.csv'), singleHidden(2)],
      ['mnist', selectDataset(readCsv(COURSE['mnist37-h32-bce'].csv), { source: 'm' }), { layers: [784, 32, 1], head: 'bce', dropout: 0 }],
    ];
    for (const [name, data, model] of cases) {
      const t = await Trainer.create(ctx, data, { strategy: 'fused', model, tiles: process.env.TILES as any });
      const steps = t.strategy.epochSteps!;
      await t.train(2);
      for (const s of steps) {
        const reps = name === 'mnist' ? 5 : 100;
        const enc = ctx.device.createCommandEncoder();
        const pass = enc.beginComputePass();
        for (let i = 0; i < reps; i++) encodeSteps(pass, [s], 1);
        pass.end();
        const t0 = performance.now();
        ctx.device.queue.submit([enc.finish()]);
        await ctx.device.queue.onSubmittedWorkDone();
        console.log(name, s.kernel.spec.file, s.group.label, s.workgroups.join('x'), ((performance.now() - t0) * 1000 / reps).toFixed(0), 'us');
      }
      t.destroy();
    }
  });
});
