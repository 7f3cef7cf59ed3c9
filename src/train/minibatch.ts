// One chunk's dispatches, epoch by epoch and step by step: the test evaluation at each epoch's start
// (the parameters before its first update), then per optimizer step the gather of its minibatch
// (kernels/gather_rows.wgsl: the batch is copied from the data resident on the GPU, in the epoch's
// row order; nothing is uploaded but the orders) and the strategy's steps on it. In full batch in
// file order nothing is gathered: the strategy trains on the data as it lies, as before.
//
// A strategy is built for one batch size, so a last batch shorter than B gets a second instance
// of it, sized for that batch, on the same parameters, gradients and optimizer state.
import type { GpuContext } from '../gpu/context';
import { getKernel } from '../gpu/kernel';
import { KERNELS } from '../gpu/kernels';
import { dimsUniform } from '../gpu/structs';
import type { Dataset } from '../data/dataset';
import type { TrainingBuffers } from './buffers';
import type { BatchPlan, EpochOrders } from './batches';
import { ELEMENT_WG, elementGrid } from './layer-steps';
import { encodeStepsAt, type Step } from './steps';
import type { Strategy, StrategyDescriptor, StrategyOptions } from './strategy';

export class EpochProgram {
  private constructor(
    readonly plan: BatchPlan,
    /** The strategy for batches of B rows (the full batch, when not gathered). */
    readonly strategy: Strategy,
    /** The strategy for the last, shorter batch (the same one when B divides N). */
    private readonly lastStrategy: Strategy,
    private readonly evaluation: readonly Step[],
    private readonly gather: Step | undefined,
    /** (chunkEpochs, N) u32: each epoch's row order, written per chunk. */
    private readonly orderBuffer: GPUBuffer | undefined,
    private readonly orders: EpochOrders,
  ) {}

  /**
   * The program of one run: the strategy built once per batch size (twice when the last batch is
   * shorter), the gather step and its row-order buffer when the plan gathers. `evaluation` holds
   * the test set's steps (they bind the epoch's slot), empty without one.
   */
  static async create(
    ctx: GpuContext,
    b: TrainingBuffers,
    data: Dataset,
    descriptor: StrategyDescriptor,
    options: StrategyOptions,
    plan: BatchPlan,
    orders: EpochOrders,
    evaluation: readonly Step[],
  ): Promise<EpochProgram> {
    if (!plan.gathered) {
      const strategy = await descriptor.create(ctx, b, data, options);
      return new EpochProgram(plan, strategy, strategy, evaluation, undefined, undefined, orders);
    }
    const d = b.layout.inputs;
    const t = b.targetColumns;
    const vec4 = (floats: number) => 16 * Math.ceil(floats / 4);
    const batchX = b.storage(`batch x (${plan.batchSize},${d})`, vec4(plan.batchSize * d));
    const batchY = b.storage(`batch y (${plan.batchSize},${t})`, vec4(plan.batchSize * t));
    const orderBuffer = b.data(`row orders (${b.chunkEpochs},${plan.n})`, new Float32Array(b.chunkEpochs * plan.n));
    const view = (n: number): TrainingBuffers => ({ ...b, x: batchX, y: batchY, n, test: undefined });
    const strategy = await descriptor.create(ctx, view(plan.batchSize), data, options);
    const lastStrategy = plan.lastBatch === plan.batchSize ? strategy : await descriptor.create(ctx, view(plan.lastBatch), data, options);
    const kernel = await getKernel(ctx, KERNELS.gatherRows, { WG: ELEMENT_WG });
    const dims = b.uniform('gather dims', dimsUniform(KERNELS.gatherRows, { n: plan.n, d, t, batch: plan.batchSize, steps_per_epoch: plan.stepsPerEpoch }));
    const gather: Step = {
      kernel,
      group: kernel.bind('gather batch', [batchX, batchY, b.x, b.y, orderBuffer, dims, b.epochIndex]),
      workgroups: elementGrid(ctx, plan.batchSize * d, ELEMENT_WG),
      perEpoch: true,
    };
    if (!plan.shuffle) {
      // File order: the identity in every epoch slot, once.
      const identity = orders.order(1);
      for (let e = 0; e < b.chunkEpochs; e++) ctx.device.queue.writeBuffer(orderBuffer, 4 * e * plan.n, identity);
    }
    return new EpochProgram(plan, strategy, lastStrategy, evaluation, gather, orderBuffer, orders);
  }

  /** Dispatches per epoch: the test evaluation's, and every step's gather and strategy dispatches. */
  get dispatchesPerEpoch(): number {
    const s = this.plan.stepsPerEpoch;
    return this.evaluation.length + (this.gather ? s : 0) + (s - 1) * this.strategy.dispatchesPerEpoch + this.lastStrategy.dispatchesPerEpoch;
  }

  /** Queues the row orders of epochs first+1 .. first+count (1-based), for the next submit. */
  writeOrders(queue: GPUQueue, first: number, count: number): void {
    if (!this.orderBuffer || !this.plan.shuffle) return; // file order: written once, at creation
    for (let e = 0; e < count; e++) queue.writeBuffer(this.orderBuffer, 4 * e * this.plan.n, this.orders.order(first + e + 1));
  }

  /** Encodes `epochs` epochs: epoch e's evaluation at slot e, its step j at slot e·S + j. */
  encode(pass: GPUComputePassEncoder, epochs: number): void {
    if (this.strategy.encodeChunk) {
      this.strategy.encodeChunk(pass, epochs); // resident: a whole chunk of full-batch epochs at once
      return;
    }
    const s = this.plan.stepsPerEpoch;
    for (let e = 0; e < epochs; e++) {
      if (this.evaluation.length > 0) encodeStepsAt(pass, this.evaluation, e);
      for (let j = 0; j < s; j++) {
        const slot = e * s + j;
        if (this.gather) encodeStepsAt(pass, [this.gather], slot);
        encodeStepsAt(pass, (j === s - 1 ? this.lastStrategy : this.strategy).epochSteps!, slot);
      }
    }
  }
}
