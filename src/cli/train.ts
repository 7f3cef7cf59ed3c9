// npm run train: the lecture's training, and the course's networks, on Dawn from the command line.
// Exit codes: 0 done, 1 GPU failure or divergence, 2 bad arguments or data (nothing written).
import { readFileSync, writeFileSync } from 'node:fs';
import { DataError, readCsv } from '../data/csv';
import { selectDataset } from '../data/select';
import { oneHot, splitHoldout } from '../data/dataset';
import { generateLectureData } from '../data/generate';
import type { Dataset } from '../data/dataset';
import { acquireGpu, GpuError, type GpuContext } from '../gpu/context';
import type { DeviceClass } from '../gpu/plan';
import { unpackParams } from '../model/layout';
import { LOSS_OF_HEAD, modelText, opsOfSpec } from '../model/ops';
import { nodeGpu, NODE_GPU_HELP } from '../node/gpu';
import { ResilientTraining } from '../train/recovery';
import { ConfigError, describeDivergence, Trainer } from '../train/trainer';
import { describeProblem, parseArgs, resolveModel, USAGE, UsageError, type CliArgs } from './args';
import { ProgressBar } from './progress';

function readDataset(path: string, args: CliArgs): Dataset {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new DataError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const table = readCsv(bytes, { delimiter: args.delimiter });
  return selectDataset(table, { features: args.features, target: args.target, source: path });
}

/** The training set and the test set (--test, or --holdout's last rows), as the arguments ask. */
function loadData(args: CliArgs): { data: Dataset; test?: Dataset } {
  const all = args.data === undefined ? generateLectureData() : readDataset(args.data, args);
  if (args.holdout !== undefined) {
    const { train, test } = splitHoldout(all, args.holdout);
    return { data: train, test };
  }
  return { data: all, test: args.test === undefined ? undefined : readDataset(args.test, args) };
}

async function acquire(deviceClass?: DeviceClass): Promise<GpuContext> {
  try {
    return await acquireGpu(await nodeGpu(), { deviceClass });
  } catch (e) {
    if (e instanceof GpuError && e.kind === 'no-adapter') throw new GpuError('no-adapter', NODE_GPU_HELP);
    throw e;
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const loaded = loadData(args);
  const model = resolveModel(args, loaded.data);
  const classes = model.layers[model.layers.length - 1];
  const data = args.oneHot ? oneHot(loaded.data, classes) : loaded.data;
  const test = args.oneHot && loaded.test ? oneHot(loaded.test, classes) : loaded.test;
  const config = { ...args.config, model };
  const firstCtx = await acquire(args.deviceClass);
  const report = (e: GpuError) => e.kind !== 'device-lost' && console.error(`\nGPU: ${e.message}`);
  firstCtx.onError(report);
  let trainer: Trainer;
  try {
    trainer = await Trainer.create(firstCtx, data, config, test);
  } catch (e) {
    firstCtx.destroy();
    throw e;
  }
  const run = new ResilientTraining(firstCtx, trainer, data, test, async () => {
    const ctx = await acquire(args.deviceClass);
    ctx.onError(report);
    return ctx;
  });
  try {
    const perEpoch = run.trainer.batches.stepsPerEpoch;
    const loss = new Float32Array(args.epochs * perEpoch).fill(NaN);
    const testLoss = test ? new Float32Array(args.epochs).fill(NaN) : undefined;
    const bar = new ProgressBar(args.epochs);
    let deviceLost = false;
    const result = await run.train(args.epochs, {
      onLoss: (firstStep, chunk, testChunk) => {
        loss.set(chunk, firstStep);
        const epochsDone = Math.floor((firstStep + chunk.length) / perEpoch);
        if (testChunk) testLoss?.set(testChunk, firstStep / perEpoch);
        bar.update(epochsDone, chunk[chunk.length - 1]);
        if (args.loseDeviceAt !== undefined && !deviceLost && epochsDone >= args.loseDeviceAt) {
          deviceLost = true;
          run.ctx.device.destroy();
        }
      },
      onRecovered: (error, epoch, ctx) => console.error(`\n${error.message}\nrecovered on a new device (${ctx.adapterName}); resuming from epoch ${epoch}`),
    });
    const { trainer, ctx } = run;
    const params = unpackParams(await trainer.readParams(), trainer.layout);
    const acc = await trainer.accuracy();
    const { strategy } = trainer;
    const done = trainer.epochsDone;
    const batches = perEpoch > 1 || trainer.batches.shuffle ? ` (${trainer.stepsDone} steps of batch ${trainer.batches.batchSize}${trainer.batches.shuffle ? ', shuffled' : ''})` : '';
    if (result.diverged) console.error(`error: ${describeDivergence(result.diverged)}`);
    else {
      const usPerEpoch = (result.seconds * 1e6) / Math.max(1, result.epochs);
      const testPart = result.lastTestLoss === undefined ? '' : `, test loss ${result.lastTestLoss.toFixed(6)}`;
      const accPart = acc ? `, accuracy ${(100 * acc.train).toFixed(2)}% train` + (acc.test === undefined ? '' : ` / ${(100 * acc.test).toFixed(2)}% test`) : '';
      console.log(
        `trained ${done} epochs${batches} on ${data.n} points: final loss ${result.lastLoss.toFixed(6)}${testPart}${accPart}, ` +
          `${result.seconds.toFixed(2)} s (${usPerEpoch.toFixed(0)} µs/epoch), strategy ${strategy.name} (workgroup ${strategy.workgroupSize}), adapter ${ctx.adapterName}, ${ctx.plan.deviceClass} plans` +
          (result.recoveries > 0 ? `, ${result.recoveries} device loss${result.recoveries > 1 ? 'es' : ''} recovered` : ''),
      );
    }
    if (args.out) {
      const ranSteps = result.diverged ? result.diverged.step : trainer.stepsDone;
      const ranEpochs = result.diverged ? result.diverged.epoch : done;
      const series = (values: Float32Array, count: number) => Array.from(values.subarray(0, count), (v) => (Number.isFinite(v) ? v : null));
      const out = {
        config: {
          ...trainer.config,
          seed: trainer.config.seed.toString(), // exact: a seed may exceed 2^53
          modelText: modelText(opsOfSpec(trainer.layout.spec)),
          loss: LOSS_OF_HEAD[trainer.layout.spec.head],
          stepsPerEpoch: perEpoch,
          ...(args.oneHot ? { oneHot: true } : {}),
          strategy: strategy.name,
          requestedStrategy: args.config.strategy,
          epochs: args.epochs,
          data: data.source,
          points: data.n,
          features: data.features,
          target: data.target,
          ...(test ? { test: test.source, testPoints: test.n } : {}),
        },
        adapter: ctx.adapterName,
        deviceClass: ctx.plan.deviceClass,
        // Up to the last epoch that ran (with a divergence, the bad epoch's loss is the last one).
        loss: series(loss, ranSteps),
        ...(testLoss ? { test_loss: series(testLoss, ranEpochs) } : {}),
        ...(acc ? { accuracy: acc } : {}),
        params,
        seconds: result.seconds,
        ...(result.diverged ? { diverged: result.diverged } : {}),
      };
      writeFileSync(args.out, JSON.stringify(out) + '\n');
    }
    trainer.destroy();
    return result.diverged ? 1 : 0;
  } finally {
    run.ctx.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const usage = e instanceof UsageError || e instanceof DataError || e instanceof RangeError;
    const message = e instanceof ConfigError ? e.problems.map(describeProblem).join('\n') : (e as Error).message;
    console.error(`error: ${message}${e instanceof UsageError ? '\n\n' + USAGE : ''}`);
    process.exit(usage ? 2 : 1);
  },
);
