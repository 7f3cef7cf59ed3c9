// npm run train: the lecture's training on Dawn from the command line.
// Exit codes: 0 done, 1 GPU failure or divergence, 2 bad arguments or data (nothing written).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCsv, DataError } from '../data/csv';
import { generateLectureData } from '../data/generate';
import type { Dataset } from '../data/dataset';
import { acquireGpu, GpuError, type GpuContext } from '../gpu/context';
import { unpackParams } from '../model/layout';
import { nodeGpu, NODE_GPU_HELP } from '../node/gpu';
import { ResilientTraining } from '../train/recovery';
import { describeDivergence, Trainer } from '../train/trainer';
import { parseArgs, USAGE, UsageError } from './args';
import { ProgressBar } from './progress';

function loadData(path: string | undefined): Dataset {
  if (path === undefined) return generateLectureData();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseCsv(text, path);
}

async function acquire(): Promise<GpuContext> {
  try {
    return await acquireGpu(await nodeGpu());
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
  const data = loadData(args.data);
  const firstCtx = await acquire();
  const report = (e: GpuError) => e.kind !== 'device-lost' && console.error(`\nGPU: ${e.message}`);
  firstCtx.onError(report);
  const run = new ResilientTraining(firstCtx, await Trainer.create(firstCtx, data, args.config), data, async () => {
    const ctx = await acquire();
    ctx.onError(report);
    return ctx;
  });
  try {
    const loss = new Float32Array(args.epochs).fill(NaN);
    const bar = new ProgressBar(args.epochs);
    let deviceLost = false;
    const result = await run.train(args.epochs, {
      onLoss: (first, chunk) => {
        loss.set(chunk, first);
        bar.update(first + chunk.length, chunk[chunk.length - 1]);
        if (args.loseDeviceAt !== undefined && !deviceLost && first + chunk.length >= args.loseDeviceAt) {
          deviceLost = true;
          run.ctx.device.destroy();
        }
      },
      onRecovered: (error, epoch, ctx) => console.error(`\n${error.message}\nrecovered on a new device (${ctx.adapterName}); resuming from epoch ${epoch}`),
    });
    const { trainer, ctx } = run;
    const params = unpackParams(await trainer.readParams(), trainer.layout);
    const { strategy } = trainer;
    const done = trainer.epochsDone;
    if (result.diverged) console.error(`error: ${describeDivergence(result.diverged)}`);
    else {
      const usPerEpoch = (result.seconds * 1e6) / Math.max(1, result.epochs);
      console.log(
        `trained ${done} epochs on ${data.x.length} points: final loss ${result.lastLoss.toFixed(6)}, ` +
          `${result.seconds.toFixed(2)} s (${usPerEpoch.toFixed(0)} µs/epoch), strategy ${strategy.name} (workgroup ${strategy.workgroupSize}), adapter ${ctx.adapterName}` +
          (result.recoveries > 0 ? `, ${result.recoveries} device loss${result.recoveries > 1 ? 'es' : ''} recovered` : ''),
      );
    }
    if (args.out) {
      const out = {
        config: { ...trainer.config, strategy: strategy.name, requestedStrategy: args.config.strategy, epochs: args.epochs, data: data.source, points: data.x.length },
        adapter: ctx.adapterName,
        // Up to the last epoch that ran (with a divergence, the bad epoch's loss is the last one).
        loss: Array.from(loss.subarray(0, result.diverged ? result.diverged.epoch : done), (v) => (Number.isFinite(v) ? v : null)),
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
    console.error(`error: ${(e as Error).message}${e instanceof UsageError ? '\n\n' + USAGE : ''}`);
    process.exit(usage ? 2 : 1);
  },
);
