// npm run train: the lecture's training on Dawn from the command line.
// Exit codes: 0 done, 1 GPU or runtime failure, 2 bad arguments or data (nothing written).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCsv, DataError } from '../data/csv';
import { generateLectureData } from '../data/generate';
import type { Dataset } from '../data/dataset';
import { acquireGpu, GpuError, type GpuContext } from '../gpu/context';
import { unpackParams } from '../model/layout';
import { nodeGpu, NODE_GPU_HELP } from '../node/gpu';
import { Trainer } from '../train/trainer';
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

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const data = loadData(args.data);

  let ctx: GpuContext;
  try {
    ctx = await acquireGpu(await nodeGpu());
  } catch (e) {
    if (e instanceof GpuError && e.kind === 'no-adapter') throw new GpuError('no-adapter', NODE_GPU_HELP);
    throw e;
  }
  const failures: GpuError[] = [];
  ctx.onError((e) => failures.push(e));
  try {
    const trainer = await Trainer.create(ctx, data, args.config);
    const loss = new Float32Array(args.epochs);
    const bar = new ProgressBar(args.epochs);
    const result = await trainer.train(args.epochs, {
      onLoss: (first, chunk) => {
        loss.set(chunk, first);
        bar.update(first + chunk.length, chunk[chunk.length - 1]);
      },
      shouldStop: () => failures.length > 0,
    });
    if (failures.length > 0) throw failures[0];
    const params = unpackParams(await trainer.readParams(), trainer.layout);
    const { strategy } = trainer;
    const usPerEpoch = (result.seconds * 1e6) / result.epochs;
    console.log(
      `trained ${result.epochs} epochs on ${data.x.length} points: final loss ${result.lastLoss.toFixed(6)}, ` +
        `${result.seconds.toFixed(2)} s (${usPerEpoch.toFixed(0)} µs/epoch), strategy ${strategy.name} (workgroup ${strategy.workgroupSize}), adapter ${ctx.adapterName}`,
    );
    if (args.out) {
      const report = {
        config: { ...trainer.config, strategy: strategy.name, requestedStrategy: args.config.strategy, epochs: args.epochs, data: data.source, points: data.x.length },
        adapter: ctx.adapterName,
        loss: Array.from(loss),
        params,
        seconds: result.seconds,
      };
      writeFileSync(args.out, JSON.stringify(report) + '\n');
    }
    trainer.destroy();
    return 0;
  } finally {
    ctx.destroy();
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
