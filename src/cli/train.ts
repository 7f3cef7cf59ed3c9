// npm run train: the lecture's training, and the course's networks, on Dawn from the command line
// (or, with --engine cpu, on the CPU engine: the same Engine interface, the same output).
// Exit codes: 0 done, 1 GPU failure or divergence, 2 bad arguments or data (nothing written).
import { readFileSync, writeFileSync } from 'node:fs';
import { DataError, readCsv } from '../data/csv';
import { selectDataset } from '../data/select';
import { oneHot, splitHoldout } from '../data/dataset';
import { generateLectureData } from '../data/generate';
import type { Dataset } from '../data/dataset';
import { acquireGpu, GpuError, type GpuContext } from '../gpu/context';
import type { DeviceClass } from '../gpu/plan';
import { isClassifier, unpackParams } from '../model/layout';
import { LOSS_OF_HEAD, modelText, opsOfSpec } from '../model/ops';
import { nodeGpu, NODE_GPU_HELP } from '../node/gpu';
import { accuracy } from '../cpu/model';
import { checkRun } from '../train/checks';
import { CpuEngine, GpuEngine, type Engine } from '../train/engine';
import { ResilientTraining, type ResilientResult } from '../train/recovery';
import { ConfigError, describeDivergence, type TrainerConfig } from '../train/trainer';
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

/** The engine the arguments ask for: the GPU Trainer on a device (`onDevice` learns each device), or the CPU engine. */
async function createEngine(args: CliArgs, data: Dataset, config: TrainerConfig, test: Dataset | undefined, onDevice: (ctx: GpuContext) => void): Promise<Engine> {
  if (args.engine === 'cpu') return new CpuEngine(data, config, test);
  const ctx = await acquire(args.deviceClass);
  onDevice(ctx);
  try {
    return await GpuEngine.create(ctx, data, config, test);
  } catch (e) {
    ctx.destroy();
    throw e;
  }
}

/** The run's summary line: epochs, losses, accuracy, time, and what ran it. */
function summary(engine: Engine, data: Dataset, result: ResilientResult, acc: { train: number; test?: number } | undefined): string {
  const perEpoch = engine.stepsPerEpoch;
  const batchSize = Math.min(engine.config.batchSize ?? data.n, data.n);
  const shuffled = engine.config.shuffle ?? false;
  const batches = perEpoch > 1 || shuffled ? ` (${engine.stepsDone} steps of batch ${batchSize}${shuffled ? ', shuffled' : ''})` : '';
  const usPerEpoch = (result.seconds * 1e6) / Math.max(1, result.epochs);
  const testPart = result.lastTestLoss === undefined ? '' : `, test loss ${result.lastTestLoss.toFixed(6)}`;
  const accPart = acc ? `, accuracy ${(100 * acc.train).toFixed(2)}% train` + (acc.test === undefined ? '' : ` / ${(100 * acc.test).toFixed(2)}% test`) : '';
  const ran =
    engine instanceof GpuEngine
      ? `strategy ${engine.trainer.strategy.name} (workgroup ${engine.trainer.strategy.workgroupSize}), adapter ${engine.ctx.adapterName}, ${engine.ctx.plan.deviceClass} plans`
      : `engine cpu (src/cpu, float32 state)`;
  return (
    `trained ${engine.epochsDone} epochs${batches} on ${data.n} points: final loss ${result.lastLoss.toFixed(6)}${testPart}${accPart}, ` +
    `${result.seconds.toFixed(2)} s (${usPerEpoch.toFixed(0)} µs/epoch), ${ran}` +
    (result.recoveries > 0 ? `, ${result.recoveries} device loss${result.recoveries > 1 ? 'es' : ''} recovered` : '')
  );
}

/** Train and test accuracy (probability > 0.5, or the argmax for ce), for classification heads: Trainer.accuracy for any engine. */
async function engineAccuracy(engine: Engine, data: Dataset, test?: Dataset): Promise<{ train: number; test?: number } | undefined> {
  if (!isClassifier(engine.layout.spec.head)) return undefined;
  const c = engine.layout.outputs;
  const train = accuracy((await engine.forward(data.x)).prob, data.y, c);
  return { train, test: test && accuracy((await engine.forward(test.x)).prob, test.y, c) };
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
  const problems = checkRun(config, data, test);
  if (problems.length > 0) throw new ConfigError(problems);
  const report = (e: GpuError) => e.kind !== 'device-lost' && console.error(`\nGPU: ${e.message}`);
  let ctx: GpuContext | undefined;
  const onDevice = (fresh: GpuContext) => {
    ctx = fresh;
    fresh.onError(report);
  };
  const run = new ResilientTraining(await createEngine(args, data, config, test, onDevice), () => createEngine(args, data, config, test, onDevice));
  try {
    const perEpoch = run.engine.stepsPerEpoch;
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
        if (args.loseDeviceAt !== undefined && !deviceLost && epochsDone >= args.loseDeviceAt && ctx) {
          deviceLost = true;
          ctx.device.destroy();
        }
      },
      onRecovered: (error, epoch, engine) => console.error(`\n${error.message}\nrecovered on a new device (${engine.description}); resuming from epoch ${epoch}`),
    });
    const engine = run.engine;
    const params = unpackParams(await engine.readParams(), engine.layout);
    const acc = await engineAccuracy(engine, data, test);
    const done = engine.epochsDone;
    if (result.diverged) console.error(`error: ${describeDivergence(result.diverged)}`);
    else console.log(summary(engine, data, result, acc));
    if (args.out) {
      const ranSteps = result.diverged ? result.diverged.step : engine.stepsDone;
      const ranEpochs = result.diverged ? result.diverged.epoch : done;
      const series = (values: Float32Array, count: number) => Array.from(values.subarray(0, count), (v) => (Number.isFinite(v) ? v : null));
      const gpu = engine instanceof GpuEngine ? engine : undefined;
      const out = {
        config: {
          ...engine.config,
          seed: engine.config.seed.toString(), // exact: a seed may exceed 2^53
          modelText: modelText(opsOfSpec(engine.layout.spec)),
          loss: LOSS_OF_HEAD[engine.layout.spec.head],
          stepsPerEpoch: perEpoch,
          ...(args.oneHot ? { oneHot: true } : {}),
          engine: engine.kind,
          strategy: gpu ? gpu.trainer.strategy.name : 'cpu',
          requestedStrategy: args.config.strategy,
          epochs: args.epochs,
          data: data.source,
          points: data.n,
          features: data.features,
          target: data.target,
          ...(test ? { test: test.source, testPoints: test.n } : {}),
        },
        adapter: gpu ? gpu.ctx.adapterName : engine.description,
        deviceClass: gpu ? gpu.ctx.plan.deviceClass : 'cpu',
        // Up to the last step that ran (with a divergence, the bad step's loss is the last one).
        loss: series(loss, ranSteps),
        ...(testLoss ? { test_loss: series(testLoss, ranEpochs) } : {}),
        ...(acc ? { accuracy: acc } : {}),
        params,
        seconds: result.seconds,
        ...(result.diverged ? { diverged: result.diverged } : {}),
      };
      writeFileSync(args.out, JSON.stringify(out) + '\n');
    }
    engine.destroy();
    return result.diverged ? 1 : 0;
  } finally {
    ctx?.destroy();
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
