// The lecture's bent line built by hand is exactly the model with fixed weights, on the GPU.
import { expect, test } from 'vitest';
import { linspace } from '../src/data/dataset';
import { BENT_LINE_PARAMS, packParams, paramLayout, singleHidden } from '../src/model/layout';
import { gpuForwardWith } from '../src/train/forward';
import { expectClose, withDevice } from './gpu';

test('forward pass with W1=[[1],[-1]], b1=0, W2=[[-4.5,-9]], b2=4.5 is -4.5·relu(x) - 9·relu(-x) + 4.5', async () => {
  await withDevice(async (ctx) => {
    const x = linspace(-1, 1, 1001);
    const layout = paramLayout(singleHidden(2));
    const trace = await gpuForwardWith(ctx, packParams(BENT_LINE_PARAMS, layout), layout, x);
    const relu = (v: number) => Math.max(v, 0);
    const bent = Array.from(x, (v) => -4.5 * relu(v) - 9 * relu(-v) + 4.5);
    expectClose(trace.logit, bent, 1e-6, 0, 'bent line');
    expectClose(trace.prob, bent.map((v) => 1 / (1 + Math.exp(-v))), 1e-6, 0, 'its sigmoid');
    // The panels: (x, -x) before the ReLU and (relu(x), relu(-x)) after, interleaved per point.
    expectClose(trace.layers[0].preact, Array.from(x).flatMap((v) => [v, -v]), 0, 0, 'x and -x');
    expectClose(trace.layers[0].hidden, Array.from(x).flatMap((v) => [relu(v), relu(-v)]), 0, 0, 'relu(x) and relu(-x)');
    expect(trace.logit[0]).toBeCloseTo(-4.5, 6); // x = -1: -9·1 + 4.5
    expect(trace.logit[1000]).toBeCloseTo(0, 6); // x = 1: -4.5·1 + 4.5
  });
});
