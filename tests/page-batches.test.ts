// The minibatch lessons on the page (src/app/batchlab): 05wk-1's shuffled SGD batches and three
// digits with CrossEntropyLoss, 05wk-2's CNN. Each trains in Chromium (WebGPU on SwiftShader, and the
// CNN without WebGPU on the CPU engine) and every loss per step and test loss per epoch is held to
// PyTorch's golden band (prefixes: the first epochs; the full runs are the CLI's and the bench's).
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, describe } from 'vitest';
import type { Page } from 'playwright';
import { downloadText, hook, idle, NO_GPU_FLAGS, results, root, servePage, waitText, WEBGPU_FLAGS, withPage } from './page-harness';
import { CNN_GOLDENS, STEP_GOLDENS, type StepGolden } from './shared';

servePage('test-results/page-batches-dist'); // apart from the other page files' builds: they may run side by side

interface BatchHook {
  losses: number[];
  tests: number[];
  readout?: { epoch: number; trainLoss: number; testLoss: number; accuracy: { train: number; test: number }; confusion: number[][] };
  epochs: number;
  steps: number;
  engine?: 'gpu' | 'cpu';
}
const batch = (page: Page) => hook<BatchHook>(page, 'batch()');

/** Trains `epochs` epochs through the page's controls and waits for the end. */
async function train(page: Page, epochs: number): Promise<BatchHook> {
  await page.fill('#batch-epochs', String(epochs));
  await page.click('#batch-play');
  await idle(page, 600_000);
  return batch(page);
}

/** Every step's loss within the golden's band, and every epoch's test loss within its band. */
function expectBand(g: StepGolden, got: BatchHook, epochs: number): void {
  const steps = epochs * g.config.steps_per_epoch;
  expect(got.losses).toHaveLength(steps);
  got.losses.forEach((l, i) => expect(Math.abs(l - g.loss[i]), `step ${i + 1}: ${l} against ${g.loss[i]}`).toBeLessThanOrEqual(g.tolerance[i]));
  expect(got.tests).toHaveLength(epochs);
  got.tests.forEach((l, e) => expect(Math.abs(l - g.test_loss[e]), `test loss of epoch ${e + 1}`).toBeLessThanOrEqual(g.test_tolerance[e]));
}

/** The README's picture of the lesson (docs/lessons/<id>-1280x800.png), as trained by the test. */
async function lessonScreenshot(page: Page, id: string): Promise<void> {
  mkdirSync(join(root, 'docs', 'lessons'), { recursive: true });
  const path = join(results, `lesson-${id}-1280x800.png`);
  await page.screenshot({ path });
  copyFileSync(path, join(root, 'docs', 'lessons', `${id}-1280x800.png`));
}

/** axe-core's serious and critical violations (evaluated through DevTools: the CSP refuses inline scripts). */
async function seriousAxe(page: Page): Promise<{ id: string; nodes: string[] }[]> {
  await page.evaluate(readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => ({ id: v.id, nodes: v.nodes.map((n: any) => n.target.join(' ')).slice(0, 3) }));
  });
}

const confusionTotal = (c: number[][]) => c.flat().reduce((a, b) => a + b, 0);

describe('the minibatch lessons', () => {
  test('05wk-1 minibatches: 2 epochs of shuffled batches of 256 (14 SGD steps) within the golden band; a bad model text is refused and the run kept', async () => {
    const g = STEP_GOLDENS['mnist01-h32-sgd-b256-shuffle'].golden;
    await withPage(WEBGPU_FLAGS, { query: 'lesson=05wk-1-minibatch', errors: 'uncaught' }, async (page) => {
      expect(await page.locator('#batch-model').inputValue()).toBe('Linear(784,32), ReLU(), Linear(32,1), Sigmoid()');
      await waitText(page, '#batch-run', 'batches of 256, shuffled each epoch, 7 steps an epoch');
      const got = await train(page, 2);
      expect(got.engine).toBe('gpu');
      expectBand(g, got, 2);
      await waitText(page, '#batch-status', 'Done: epoch 2 (14 steps)');
      expect(confusionTotal(got.readout!.confusion)).toBe(528);
      expect(await page.locator('#batch-confusion-body tr').count()).toBe(2);
      expect(await page.locator('#batch-digits canvas').count()).toBe(24);
      await lessonScreenshot(page, '05wk-1-minibatch');

      // Download as PyTorch: the net, and the loop that trains it again as the page did.
      const script = await downloadText(page, '#batch-export');
      expect(script).toContain('DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=256, shuffle=True)');
      expect(script).toContain('optimizr = torch.optim.SGD(net.parameters(), lr=0.001)');
      expect(script).toContain('for epoch in range(2):');
      expect(script).toContain(`(the page: ${got.readout!.trainLoss.toFixed(6)})`);

      // An edited text waits for Reset, and says so; a first layer that does not take the 784 pixels is refused in the lab's words.
      await page.fill('#batch-model', 'Linear(700,32), ReLU(), Linear(32,1), Sigmoid()');
      await waitText(page, '#batch-model-problem', 'The model text changed: Reset builds it');
      await page.click('#batch-reset');
      await waitText(page, '#batch-message', "the model's first Linear must take the 784 pixels, Linear(784, …)");
      expect(await page.locator('#batch-model').getAttribute('aria-invalid')).toBe('true');

      // A typo in the model: said beside the field, naming the problem; the model, its history and its steps stay.
      await page.fill('#batch-model', 'Linear(784,32), ReLU(), Linear(31,1), Sigmoid()');
      await page.click('#batch-reset');
      await waitText(page, '#batch-model-problem', 'The model text:');
      expect(await page.locator('#batch-model').getAttribute('aria-invalid')).toBe('true');
      const kept = await batch(page);
      expect([kept.steps, kept.losses.length]).toEqual([14, 14]);

      // Reset in the middle of a run stops it after its chunk and starts afresh from the seed.
      await page.fill('#batch-model', 'Linear(784,16), ReLU(), Linear(16,1), Sigmoid()');
      await page.fill('#batch-epochs', '500');
      await page.click('#batch-play');
      await page.waitForFunction(() => (window as any).lecture.batch().steps > 14, null, { timeout: 60_000, polling: 50 });
      await page.click('#batch-reset');
      await waitText(page, '#batch-status', 'Fresh parameters from the seed');
      await idle(page);
      const fresh = await batch(page);
      expect([fresh.steps, fresh.losses.length]).toEqual([0, 0]);
      await waitText(page, '#batch-play', 'Play');

      // Logistic regression, as torch writes it: no hidden layer, accepted and trained.
      await page.fill('#batch-model', 'Linear(784,1), Sigmoid()');
      await page.click('#batch-reset');
      await waitText(page, '#batch-status', 'Fresh parameters from the seed');
      const logistic = await train(page, 1);
      expect([logistic.steps, logistic.losses.length]).toEqual([7, 7]);
      expect(logistic.losses.every(Number.isFinite)).toBe(true);
    });
  });

  test('05wk-1 three digits: Linear(32,3) with CrossEntropyLoss, 5 full-batch Adam epochs within the band; the 3×3 confusion matrix covers the 719 test digits', async () => {
    const g = STEP_GOLDENS['mnist012-h32-ce'].golden;
    await withPage(WEBGPU_FLAGS, { query: 'lesson=05wk-1-mnist3', errors: 'uncaught' }, async (page) => {
      const got = await train(page, 5);
      expectBand(g, got, 5);
      const c = got.readout!.confusion;
      expect(c.map((r) => r.length)).toEqual([3, 3, 3]);
      expect(confusionTotal(c)).toBe(719);
      expect(await page.locator('#batch-confusion-head th').count()).toBe(4);
      await lessonScreenshot(page, '05wk-1-mnist3');
      await waitText(page, '#batch-accuracy', /Epoch 5: accuracy \d+\.\d% on the training digits, \d+\.\d% on the test digits \(the argmax of the logits\)/);
    });
  });

  test('05wk-2 CNN on WebGPU: the first epoch (13 batches of 128) within the band; 16 kernels and each shown digit’s 16 maps at three stages', async () => {
    const g = CNN_GOLDENS['mnist01-cnn-bce-b128'].golden;
    await withPage(WEBGPU_FLAGS, { query: 'lesson=05wk-2-cnn', errors: 'uncaught' }, async (page) => {
      const got = await train(page, 1);
      expect(got.engine).toBe('gpu');
      expectBand(g, got, 1);
      expect(await page.locator('#batch-maps-section').isHidden()).toBe(false);
      expect(await page.locator('#batch-kernels canvas').count()).toBe(16);
      expect(await page.locator('#batch-maps figure').count()).toBe(3);
      await lessonScreenshot(page, '05wk-2-cnn');
      expect(await seriousAxe(page)).toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await seriousAxe(page)).toEqual([]);
      expect(await page.locator('#batch-maps figure').first().locator('canvas').count()).toBe(1 + 3 * 16);
      // Unshuffled, the batches bring the 0s first and then the 1s: after one epoch the test accuracy is
      // what the confusion matrix counts, whatever it is (PyTorch's test loss is 0.725 there).
      const c = got.readout!.confusion;
      expect(got.readout!.accuracy.test).toBeCloseTo((c[0][0] + c[1][1]) / confusionTotal(c), 12);
    });
  });

  test('05wk-2 CNN without WebGPU: the CPU engine trains the first epoch within the band', async () => {
    const g = CNN_GOLDENS['mnist01-cnn-bce-b128'].golden;
    await withPage(NO_GPU_FLAGS, { query: 'lesson=05wk-2-cnn', errors: 'uncaught' }, async (page) => {
      const got = await train(page, 1);
      expect(got.engine).toBe('cpu');
      expectBand(g, got, 1);
      await waitText(page, '#batch-status', 'Done: epoch 1 (13 steps)');
    });
  });
});
