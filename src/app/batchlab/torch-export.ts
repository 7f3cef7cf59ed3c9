// "Download as PyTorch" for the minibatch lab: a script that rebuilds the model as torch.nn.Sequential
// from the op list (src/model/ops.ts, each op's torch text), loads the page's parameters by their
// state_dict keys, reads the course's CSV (the page's digits are ../shared/data's mnist01/mnist012
// bit for bit) and prints the loss and accuracy of these parameters. With --train it trains the
// same net again as the notebook does — torch.manual_seed, DataLoader(batch_size, shuffle), the
// optimizer at the page's learning rate — for the epochs the page trained, and prints the last step's
// loss before its update, as the page's chart shows it.
import type { Dataset } from '../../data/dataset';
import { inputShape, stateDict, type ParamLayout } from '../../model/layout';
import { LOSS_OF_HEAD, modelText, opsOfSpec } from '../../model/ops';
import { TORCH_OPTIMIZER, type OptimizerName } from '../../train/optimizer';
import { py, pyList, SCRIPT_PREAMBLE } from '../modelfile';

/** How the page trained the model: what `--train` repeats. */
export interface CourseTraining {
  seed: bigint;
  optimizer: OptimizerName;
  lr: number;
  /** DataLoader's batch_size; absent: the full batch. */
  batchSize?: number;
  shuffle: boolean;
  /** Whole epochs trained. */
  epochs: number;
}


/** Each state_dict entry's shape, in the Sequential's order (layout.params: conv (O, C, k, k) and (O), Linear (out, in) and (out)). */
function shapes(layout: ParamLayout): Record<string, readonly number[]> {
  return Object.fromEntries(layout.params.map((p) => [p.key, p.shape]));
}

/**
 * The script for `params` (the flat block of `layout`) trained as `training` on `data` (the
 * training digits; `csvName` is the course's file of them). `pageLoss` is the page's full-batch
 * loss of these parameters on `data`, printed beside torch's.
 */
export function courseScript(params: Float32Array, layout: ParamLayout, data: Pick<Dataset, 'features' | 'target' | 'n'>, csvName: string, training: CourseTraining, pageLoss: number): string {
  const spec = layout.spec;
  const ops = opsOfSpec(spec);
  const named = stateDict(params, layout);
  const shape = shapes(layout);
  const ce = spec.head === 'ce';
  const image = inputShape(spec);
  const input = image ? `.reshape(-1, ${image.join(', ')})` : '';
  const loss = LOSS_OF_HEAD[spec.head];
  const batch = training.batchSize ?? 'len(x)';
  const optimizer = `torch.optim.${TORCH_OPTIMIZER[training.optimizer]}(net.parameters(), lr=${py(training.lr)})`;
  const right = ce ? '(out.argmax(1) == y)' : spec.head === 'bce' ? '((out > 0.5) == (y > 0.5))' : '((out > 0) == (y > 0.5))';
  return [
    `# ${modelText(ops)}, trained on the page for ${training.epochs} epochs, rebuilt in PyTorch:`,
    `#   python3 model.py ${csvName}            the loss and accuracy of the page's parameters`,
    `#   python3 model.py ${csvName} --train    the same net trained again as the page trained it`,
    `# ${csvName}: the course's CSV (columns ${data.target}, ${data.features[0]}..${data.features[data.features.length - 1]}; the page's ${data.n} digits, bit for bit).`,
    ...SCRIPT_PREAMBLE,
    `if not ARGS:\n    sys.exit("usage: python3 model.py ${csvName} [--train]")`,
    `FEATURES = ${JSON.stringify(data.features)}`,
    '',
    `torch.manual_seed(${training.seed.toString()})  # the page's init is this generator's, draw for draw`,
    `net = torch.nn.Sequential(${ops.map((op) => `torch.nn.${modelText([op])}`).join(', ')})`,
    `loss_fn = torch.nn.${loss}()`,
    '',
    'with open(ARGS[0], newline="") as f:',
    '    rows = list(csv.DictReader(f))',
    `x = torch.tensor([[float(r[c]) for c in FEATURES] for r in rows])${input}`,
    ce ? `y = torch.tensor([int(float(r[${JSON.stringify(data.target)}])) for r in rows])  # class indices` : `y = torch.tensor([float(r[${JSON.stringify(data.target)}]) for r in rows]).reshape(-1, 1)`,
    '',
    'if TRAIN:',
    `    dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=${batch}, shuffle=${training.shuffle ? 'True' : 'False'})`,
    `    optimizr = ${optimizer}`,
    `    for epoch in range(${training.epochs}):`,
    '        for xb, yb in dl:',
    '            loss = loss_fn(net(xb), yb)',
    '            loss.backward()',
    '            optimizr.step()',
    '            optimizr.zero_grad()',
    `    print(f"trained ${training.epochs} epochs: the last step's ${loss}, before its update: {loss.item():.6f}")`,
    'else:',
    '    net.load_state_dict({',
    ...Object.entries(named).map(([key, values]) => `        "${key}": torch.tensor(${pyList(values)}).reshape(${shape[key].join(', ')}),`),
    '    })',
    '',
    'with torch.no_grad():',
    '    out = net(x)',
    '    full = loss_fn(out, y).item()',
    `    accuracy = ${right}.float().mean().item()`,
    `print(f"${loss} on {len(x)} digits: {full:.6f} (the page: ${pageLoss.toFixed(6)}), accuracy {100 * accuracy:.2f}%")`,
    '',
  ].join('\n');
}
