// `npm run bench -- --plan h200` (or `integrated`): each course case's plan for a named device
// profile, built without a device (bench/plan-device.ts: the strategies build their real steps
// against a device that runs nothing), every dispatch with its grid, serial work, FLOPs and bytes,
// and the latency-and-roofline model's µs per epoch (bench/model.ts). The model's constants are
// fitted to the H200's committed timings (bench-results/device/node.json) on the plans that ran
// there, rebuilt here, and its error on them is printed beside the new plans. MODELED, not measured.
import { caseSpec, COURSE_CASES, loadData, type CourseCase } from './cases';
import { COSTS, kernelName, stepCost, stepShape, type Peaks } from './cost';
import { dispatchBodyUs, residentSerial, stepSerial, type Latency, type ModelDevice, type Serial } from './model';
import { recordingContext } from './plan-device';
import type { Row } from './core';
import { planFor, type DevicePlan, type PlanLimits } from '../src/gpu/plan';
import type { GpuContext } from '../src/gpu/context';
import { generateLectureData } from '../src/data/generate';
import type { Dataset } from '../src/data/dataset';
import { DEFAULT_ADAM } from '../src/cpu/ops';
import { isSingleHidden, paramLayout, singleHidden, type ModelSpec, type ParamLayout } from '../src/model/layout';
import { createTrainingBuffers } from '../src/train/buffers';
import type { StrategyName } from '../src/train/strategy';
import { chooseStrategy, STRATEGIES, strategyDescriptor } from '../src/train/trainer';

/** Epochs per chunk the trainer submits (its default): resident's one dispatch is shared by them. */
export const CHUNK_EPOCHS = 250;

export interface PlanProfile {
  name: string;
  description: string;
  sms: number;
  invocationsPerSm: number;
  limits: PlanLimits;
  peaks: Peaks;
  /** Where the peaks and latencies come from: measured (and fitted) or assumed. */
  source: string;
}

/**
 * NVIDIA H200 as Dawn showed it in bench-results/device/: the measured peaks; 132 SMs (the
 * H200's count: WebGPU does not expose it); limits as Dawn reports for NVIDIA on Vulkan (assumed:
 * the run did not record them; 48 KiB of workgroup memory is what let resident fit 1-512-1 at
 * workgroup size 4 there).
 */
export const H200: PlanProfile = {
  name: 'h200',
  description: 'NVIDIA H200 (Dawn on Vulkan), 132 SMs',
  sms: 132,
  invocationsPerSm: 2048,
  limits: { maxComputeWorkgroupStorageSize: 49152, maxComputeInvocationsPerWorkgroup: 1024, maxComputeWorkgroupSizeX: 1024, maxStorageBufferBindingSize: 2 ** 31 - 4, maxBufferSize: 2 ** 32 },
  peaks: { gflops: 55830, gbps: 4197 },
  source: 'peaks measured (bench-results/device/node.json); latencies fitted to its timings',
};

/** An integrated GPU of ~32 SMs-worth: assumed peaks (4 TFLOP/s, 100 GB/s), WebGPU's common limits, the H200's latencies scaled by 1.5 (a lower clock). */
export const INTEGRATED: PlanProfile = {
  name: 'integrated',
  description: 'an integrated GPU, ~32 SMs-worth (assumed figures, not a measured device)',
  sms: 32,
  invocationsPerSm: 1024,
  limits: { maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 1024, maxComputeWorkgroupSizeX: 1024, maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 31 },
  peaks: { gflops: 4000, gbps: 100 },
  source: 'assumed: peaks of a laptop iGPU, the H200 fit\'s latencies × 1.5',
};

export const PROFILES: Record<string, PlanProfile> = { h200: H200, integrated: INTEGRATED };

/** One dispatch of a plan, as bench-results/plan/<profile>.json lists it. */
export interface PlannedDispatch {
  kernel: string;
  /** dispatches of it per epoch (1/CHUNK_EPOCHS for resident's one dispatch per chunk) */
  per_epoch: number;
  workgroups: number;
  invocations_per_workgroup: number;
  /** dependent steps of its longest invocation (memory round trips + arithmetic steps + barriers) */
  serial_iterations: number;
  serial: Serial;
  flops: number;
  bytes: number;
  /** the model's µs for this dispatch, overhead included (resident: per epoch, its overhead shared by the chunk) */
  modeled_us: number;
}

export interface PlannedStrategy {
  strategy: StrategyName;
  modeled_us_per_epoch: number;
  dispatches: PlannedDispatch[];
}

/** A shape with the points it trains on (their values do not change a plan). */
interface Shape {
  id: string;
  spec: ModelSpec;
  data: Dataset;
}


/** The plan of one strategy for one shape on ctx's device, or why it does not fit. */
export async function planStrategy(ctx: GpuContext, device: ModelDevice, shape: Shape, strategy: StrategyName, workgroupSize?: number, overhead: 'chunk' | 'pass' = 'chunk'): Promise<PlannedStrategy | string> {
  const layout = paramLayout(shape.spec);
  const d = strategyDescriptor(strategy);
  const why = d.unsupported(layout, { testSet: false });
  if (why) return why;
  const wg = workgroupSize ?? d.defaultWorkgroupSize(ctx, layout);
  const problem = d.limitProblem({ ctx, layout, n: shape.data.n, testN: 0, workgroupSize: wg });
  if (problem) return problem.message;
  const b = createTrainingBuffers(ctx, shape.data, undefined, layout, DEFAULT_ADAM, CHUNK_EPOCHS);
  const s = await d.create(ctx, b, shape.data, { workgroupSize: wg, dropoutSeed: 0 });
  const n = shape.data.n;
  const o = overhead === 'chunk' ? device.latency.chunkOverheadUs : device.latency.passOverheadUs;
  if (!s.epochSteps) return { strategy, ...residentPlan(device, layout, n, s.workgroupSize, o, ctx.plan.deviceTuned) };
  const steps = s.epochSteps.map(stepShape);
  const points = steps.find((x) => x.file === 'piecewise_points');
  const runs = points ? points.workgroups.reduce((a, c) => a * c, 1) * points.workgroupSize : 0;
  const dispatches = steps.map((x): PlannedDispatch => {
    const cost = stepCost(x, layout, n, runs);
    const serial = stepSerial(x, layout, n, runs, ctx.plan.deviceTuned);
    const workgroups = x.workgroups.reduce((a, c) => a * c, 1);
    return {
      kernel: kernelName(x),
      per_epoch: 1,
      workgroups,
      invocations_per_workgroup: x.workgroupSize,
      serial_iterations: serial.memory + serial.shared + serial.arithmetic + serial.barriers,
      serial,
      ...cost,
      modeled_us: o + dispatchBodyUs(device, serial, workgroups, x.workgroupSize, cost.flops, cost.bytes),
    };
  });
  return { strategy, modeled_us_per_epoch: dispatches.reduce((t, x) => t + x.modeled_us, 0), dispatches };
}

function residentPlan(device: ModelDevice, layout: ParamLayout, n: number, wg: number, overheadUs: number, spreadTree: boolean) {
  const single = isSingleHidden(layout);
  const cost = single ? COSTS.residentEpoch(n, layout.layers[0].outDim) : COSTS.residentMlpEpoch(n, layout);
  const serial = residentSerial(layout, n, wg, single, spreadTree);
  const body = dispatchBodyUs(device, serial, 1, wg, cost.flops, cost.bytes);
  const us = overheadUs / CHUNK_EPOCHS + body;
  const dispatch: PlannedDispatch = {
    kernel: single ? 'resident_epochs' : 'resident_mlp',
    per_epoch: 1 / CHUNK_EPOCHS,
    workgroups: 1,
    invocations_per_workgroup: wg,
    serial_iterations: serial.memory + serial.shared + serial.arithmetic + serial.barriers,
    serial,
    ...cost,
    modeled_us: us,
  };
  return { modeled_us_per_epoch: us, dispatches: [dispatch] };
}

/** A case's shape; the points are stand-ins of the same size (a plan does not read them). */
function caseShape(c: CourseCase): Shape {
  return { id: c.id, spec: caseSpec(c), data: loadData(c.data, {}, c.head) };
}

/**
 * The GPU plan of a profile. `legacy` rebuilds the plans that ran on the H200 before plans came
 * from the device (bench-results/device/): 1024 workgroups' splits (128 SMs × 4 × 2), no split-K
 * forward, one-workgroup kernels of 64 invocations (resident's 4 is passed as the run's workgroup size).
 */
export function profilePlan(p: PlanProfile, legacy = false): DevicePlan {
  const plan = planFor('gpu', p.limits, legacy ? 128 : p.sms);
  return legacy ? { ...plan, deviceTuned: false, maxWorkgroupSize: 64 } : plan;
}

export const modelDevice = (p: PlanProfile, latency: Latency): ModelDevice => ({ sms: p.sms, invocationsPerSm: p.invocationsPerSm, peaks: p.peaks, latency });

// ---- calibration on the H200's committed timings

/** One measured figure and how to model it. */
interface Observation {
  what: string;
  measuredUs: number;
  model: (l: Latency) => number;
}

/** The measured rows and per-kernel rows of a device report, each with the model of the old plan that ran. */
export async function observations(rows: readonly Row[]): Promise<Observation[]> {
  const ctx = recordingContext(profilePlan(H200, true), 'H200 (old plans)');
  const out: Observation[] = [];
  for (const r of rows) {
    if (!r.gpuUsPerEpoch || !r.workgroupSize) continue;
    const course = COURSE_CASES.find((c) => c.id === r.case);
    const shape: Shape = course ? caseShape(course) : { id: `grid N=${r.n} H=${r.layers[1]}`, spec: singleHidden(r.layers[1]), data: generateLectureData(1, r.n) };
    shape.spec = { ...shape.spec, layers: r.layers };
    // The counts are built once; the model is re-evaluated per latency guess.
    const planned = await planStrategy(ctx, modelDevice(H200, ZERO), shape, r.strategy, r.workgroupSize);
    if (typeof planned === 'string') continue;
    const body = (l: Latency, x: PlannedDispatch) => dispatchBodyUs(modelDevice(H200, l), x.serial, x.workgroups, x.invocations_per_workgroup, x.flops, x.bytes);
    const perEpoch = (l: Latency) => planned.dispatches.reduce((t, x) => t + x.per_epoch * l.chunkOverheadUs + body(l, x), 0);
    out.push({ what: `${shape.id} ${r.strategy} (epoch)`, measuredUs: r.gpuUsPerEpoch, model: perEpoch });
    for (const k of r.kernels ?? []) {
      const mine = planned.dispatches.filter((x) => x.kernel === (RENAMED[k.name] ?? k.name));
      if (mine.length === 0 || k.us <= 0 || planned.strategy === 'resident') continue;
      out.push({
        what: `${shape.id} ${r.strategy} ${k.name}`,
        measuredUs: k.us,
        model: (l) => mine.reduce((t, x) => t + l.passOverheadUs + body(l, x), 0),
      });
    }
  }
  return out;
}

/** Kernels renamed since the committed measurements were taken: the unfused ReLU kernels became the activation kernels. */
const RENAMED: Record<string, string> = { relu_forward: 'activation_forward', relu_backward: 'activation_backward' };

const ZERO: Latency = { chunkOverheadUs: 0, passOverheadUs: 0, memoryNs: 0, sharedNs: 0, arithmeticNs: 0, barrierNs: 0 };
const KEYS = ['chunkOverheadUs', 'passOverheadUs', 'memoryNs', 'sharedNs', 'arithmeticNs', 'barrierNs'] as const;

/** Mean squared log error of the model over the observations, epochs weighted like all their kernels together. */
function loss(obs: readonly Observation[], l: Latency): number {
  let total = 0;
  let weight = 0;
  for (const o of obs) {
    const w = o.what.endsWith('(epoch)') ? 4 : 1;
    total += w * Math.log(Math.max(o.model(l), 1e-3) / o.measuredUs) ** 2;
    weight += w;
  }
  return total / weight;
}

/** The latencies that fit the observations best: coordinate descent in log space, golden-section on each. */
export function fitLatency(obs: readonly Observation[]): Latency {
  const l: Latency = { chunkOverheadUs: 5, passOverheadUs: 8, memoryNs: 200, sharedNs: 10, arithmeticNs: 5, barrierNs: 50 };
  const range: Record<(typeof KEYS)[number], [number, number]> = { chunkOverheadUs: [0.5, 30], passOverheadUs: [0.5, 30], memoryNs: [10, 2000], sharedNs: [0.1, 200], arithmeticNs: [0.1, 100], barrierNs: [1, 2000] };
  for (let round = 0; round < 12; round++) {
    for (const k of KEYS) {
      let [a, b] = range[k].map(Math.log);
      const g = (Math.sqrt(5) - 1) / 2;
      const at = (x: number) => loss(obs, { ...l, [k]: Math.exp(x) });
      for (let i = 0; i < 40; i++) {
        const c = b - g * (b - a);
        const d = a + g * (b - a);
        if (at(c) < at(d)) b = d;
        else a = c;
      }
      l[k] = Math.exp((a + b) / 2);
    }
  }
  return l;
}

export interface ModelError {
  what: string;
  measured_us: number;
  modeled_us: number;
  error: number;
}

export function modelErrors(obs: readonly Observation[], l: Latency): ModelError[] {
  return obs.map((o) => {
    const modeled = o.model(l);
    return { what: o.what, measured_us: o.measuredUs, modeled_us: modeled, error: modeled / o.measuredUs - 1 };
  });
}

// ---- the profile's plans

export interface PlanCase {
  id: string;
  /** auto's choice on this profile */
  strategy: StrategyName;
  modeled_us_per_epoch: number;
  dispatches: PlannedDispatch[];
  /** every strategy that supports and fits the case, auto's first */
  alternatives: { strategy: StrategyName; modeled_us_per_epoch: number; dispatches_per_epoch: number }[];
  /** strategies that do not fit, and why */
  refused: Record<string, string>;
}

/**
 * Every dense course case's plan on the profile: auto's choice with its dispatches, and the other
 * strategies' totals. The CNN cases are left out: bench/model.ts has no serial-iteration model of the
 * conv and pool kernels yet (their FLOPs and bytes come with their steps, src/gpu/conv.ts CONV_COSTS; `npm run bench` measures them).
 */
export async function planCases(p: PlanProfile, latency: Latency): Promise<PlanCase[]> {
  const plan = profilePlan(p);
  const ctx = recordingContext(plan, p.description);
  const device = modelDevice(p, latency);
  const cases: PlanCase[] = [];
  for (const c of COURSE_CASES.filter((x) => !x.conv)) {
    const shape = caseShape(c);
    const layout = paramLayout(shape.spec);
    const auto = chooseStrategy({ ctx, layout, n: shape.data.n, testN: 0 }, false);
    const refused: Record<string, string> = {};
    const planned: PlannedStrategy[] = [];
    for (const s of STRATEGIES) {
      const r = await planStrategy(ctx, device, shape, s.name);
      if (typeof r === 'string') refused[s.name] = r;
      else planned.push(r);
    }
    const chosen = planned.find((x) => x.strategy === auto)!;
    cases.push({
      id: c.id,
      strategy: auto,
      modeled_us_per_epoch: chosen.modeled_us_per_epoch,
      dispatches: chosen.dispatches,
      alternatives: [chosen, ...planned.filter((x) => x !== chosen)].map((x) => ({ strategy: x.strategy, modeled_us_per_epoch: x.modeled_us_per_epoch, dispatches_per_epoch: x.dispatches.reduce((t, d) => t + d.per_epoch, 0) })),
      refused,
    });
  }
  return cases;
}

/** The H200 targets, µs/epoch (bench-results/plan/h200.json checks them). */
export const H200_TARGETS: Record<string, number> = {
  'lecture-1-2-1': 5,
  'mnist37-784-32-1': 60,
  'curve2000-1-1024-1': 100,
  'step2000-1-256-1': 60,
  'noise100-1-512-1': 100,
  'noise100-1-20480-1': 150,
  'noise100-1-204800-1': 400,
};
