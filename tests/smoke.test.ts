import { test, expect } from 'vitest';
import { withDevice } from './gpu';
import { Trainer } from '../src/train/trainer';
import { parseCsv } from '../src/data/csv';
import { DNNEX_CSV, LECTURE } from './shared';

for (const strategy of ['fused'] as const) {
  test('smoke ' + strategy, async () => {
    await withDevice(async (ctx) => {
      const data = parseCsv(DNNEX_CSV);
      const t = await Trainer.create(ctx, data, { strategy });
      const losses: number[] = [];
      const r = await t.train(6000, { onLoss: (_f, l) => losses.push(...l) });
      console.log(strategy, r, losses.slice(0, 3), LECTURE.loss.slice(0, 3), losses[2999], losses[5999]);
      let max = 0; for (let i = 0; i < 6000; i++) max = Math.max(max, Math.abs(losses[i] - LECTURE.loss[i]));
      console.log('max diff', max, Array.from(await t.readParams()));
      t.destroy();
    });
  });
}
