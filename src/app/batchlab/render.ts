// The minibatch lab's drawings (no state): the confusion matrix as a table, test digits with the
// class read, and the CNN's kernels and feature maps (src/app/batchlab/readout.ts computes them).
import type { Dataset } from '../../data/dataset';
import type { ConvLayer } from '../../model/layout';
import { drawGrey, drawSigned, extent, imageCanvas } from './images';
import { featureMaps, predictedClass, predictedProb } from './readout';

/** counts[t][p] as a table: true classes down, read classes across, the diagonal bold. */
export function renderConfusion(headEl: HTMLElement, bodyEl: HTMLElement, counts: number[][], names: readonly string[]): void {
  const head = document.createElement('tr');
  head.append(Object.assign(document.createElement('th'), { scope: 'col', textContent: 'true \\ read' }));
  for (const n of names) head.append(Object.assign(document.createElement('th'), { scope: 'col', textContent: n }));
  headEl.replaceChildren(head);
  bodyEl.replaceChildren(
    ...counts.map((row, t) => {
      const tr = document.createElement('tr');
      tr.append(Object.assign(document.createElement('th'), { scope: 'row', textContent: names[t] }));
      row.forEach((c, p) => tr.append(Object.assign(document.createElement('td'), { textContent: String(c), className: p === t ? 'diag' : '' })));
      return tr;
    }),
  );
}

/** Rows of `test` as 28×28 images with the class read and its probability; misread ones outlined. */
export function renderDigits(el: HTMLElement, test: Dataset, prob: ArrayLike<number>, rows: readonly number[], classes: number, names: readonly string[]): void {
  el.replaceChildren(
    ...rows.map((row) => {
      const truth = names[test.y[row]];
      const read = names[predictedClass(prob, row, classes)];
      const p = predictedProb(prob, row, classes).toFixed(2);
      const figure = document.createElement('figure');
      figure.className = `digit${read === truth ? '' : ' wrong'}`;
      const canvas = imageCanvas(28, 28, `a ${truth}, read as ${read} (p = ${p})${read === truth ? '' : ': wrong'}`);
      drawGrey(canvas, test.x, row * test.d, 0, 1);
      figure.append(canvas, Object.assign(document.createElement('figcaption'), { textContent: `${read} · ${p}` }));
      return figure;
    }),
  );
}

export interface MapsUi {
  mapsSection: HTMLElement;
  mapsAbout: HTMLElement;
  kernels: HTMLElement;
  maps: HTMLElement;
}

/** The conv's kernels (signed colours) and, for `rows` of `test`, their maps after the conv, the ReLU and the pool. */
export function renderMaps(ui: MapsUi, params: Float32Array, conv: ConvLayer, test: Dataset, rows: readonly number[], names: readonly string[]): void {
  ui.mapsSection.hidden = false;
  ui.kernels.setAttribute('aria-label', `The ${conv.o} learned ${conv.k}×${conv.k} kernels`);
  ui.mapsAbout.textContent =
    `The ${conv.o} learned ${conv.k}×${conv.k} kernels (blue: a bright pixel there raises the map, orange: lowers it), and for a few test digits ` +
    `their ${conv.o} feature maps after the conv, after the ReLU${conv.pool > 1 ? ` and after the ${conv.pool}×${conv.pool} max pool` : ''} (the ${conv.outFeatures} numbers the Linear layer reads). ` +
    'Drawn from the trained parameters by the CPU twin of the conv and pool kernels.';
  const k2 = conv.k * conv.k * conv.c;
  const [lo, hi] = extent(params, conv.w, conv.o * k2);
  const scale = Math.max(Math.abs(lo), Math.abs(hi));
  ui.kernels.replaceChildren(
    ...Array.from({ length: conv.o }, (_, o) => {
      const canvas = imageCanvas(conv.k, conv.k * conv.c, `kernel ${o + 1}`);
      drawSigned(canvas, params, conv.w + o * k2, scale);
      return canvas;
    }),
  );
  const maps = featureMaps(params, conv, test.x, rows);
  ui.maps.replaceChildren(
    ...maps.map((m, i) => {
      const figure = document.createElement('figure');
      const digit = imageCanvas(conv.width, conv.h, `test digit ${rows[i] + 1}, a ${names[test.y[rows[i]]]}`);
      drawGrey(digit, test.x, rows[i] * conv.inFeatures, 0, 1);
      const stages: [string, Float32Array, [number, number]][] = [
        ['conv', m.conv, m.side.conv],
        ['ReLU', m.relu, m.side.conv],
        ...(conv.pool > 1 ? [['max pool', m.pooled, m.side.pooled] as [string, Float32Array, [number, number]]] : []),
      ];
      const line = (name: string, ...items: HTMLElement[]) => {
        const row = document.createElement('div');
        row.className = 'batch-maps-row';
        row.append(Object.assign(document.createElement('span'), { className: 'stage', textContent: name }), ...items);
        return row;
      };
      const lines = stages.map(([name, values, [h, w]]) => {
        const [mlo, mhi] = extent(values);
        return line(
          name,
          ...Array.from({ length: conv.o }, (_, o) => {
            const canvas = imageCanvas(w, h, `${name}, map ${o + 1}`);
            drawGrey(canvas, values, o * h * w, Math.min(mlo, 0), mhi);
            return canvas;
          }),
        );
      });
      const caption = `Test digit ${rows[i] + 1}: its ${conv.o} maps (${m.side.conv.join('×')} after the conv${conv.pool > 1 ? `, ${m.side.pooled.join('×')} after the pool` : ''}; black the smallest, white the largest of each stage)`;
      figure.append(line('digit', digit), ...lines, Object.assign(document.createElement('figcaption'), { textContent: caption }));
      return figure;
    }),
  );
}
