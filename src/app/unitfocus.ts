// One hidden unit at a time (issue #20): hovering a unit in the diagram, or focusing its button in
// the key under it, draws that unit's edges and its curves in every unit panel in full and fades
// the others. The key's buttons carry the units' colours, the same in the diagram and the panels.
import { UNIT_COLORS, type Panels } from './charts';

export class UnitFocus {
  private count = -1;
  private current: number | undefined;

  /**
   * `key` holds one button per shown unit; `svg` is the diagram (redrawn every refresh: the
   * highlight is applied again after each redraw); `panels` the unit panels.
   */
  constructor(
    private readonly key: HTMLElement,
    private readonly svg: SVGSVGElement,
    private readonly panels: Panels,
  ) {
    svg.addEventListener('mouseover', (e) => this.set(unitOf(e.target)));
    svg.addEventListener('mouseleave', () => this.set(undefined));
    new MutationObserver(() => this.applyToDiagram()).observe(svg, { childList: true });
  }

  /** Shows `n` unit buttons (the units the diagram and the panels draw); 0 hides the key. */
  setUnits(n: number): void {
    if (n === this.count) return;
    this.count = n;
    this.key.replaceChildren();
    this.key.hidden = n === 0;
    for (let j = 0; j < n; j++) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'unit-key secondary';
      button.dataset.unit = String(j);
      button.style.setProperty('--unit', UNIT_COLORS[j % UNIT_COLORS.length]);
      button.textContent = `unit ${j + 1}`;
      button.setAttribute('aria-pressed', 'false');
      for (const on of ['mouseenter', 'focus'] as const) button.addEventListener(on, () => this.set(j));
      for (const off of ['mouseleave', 'blur'] as const) button.addEventListener(off, () => this.set(undefined));
      this.key.append(button);
    }
    if (this.current !== undefined && this.current >= n) this.set(undefined);
  }

  /** The unit highlighted, or undefined. */
  get unit(): number | undefined {
    return this.current;
  }

  private set(unit: number | undefined): void {
    if (unit === this.current) return;
    this.current = unit;
    this.panels.highlight(unit);
    this.key.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.unit === String(unit))));
    this.applyToDiagram();
  }

  private applyToDiagram(): void {
    this.svg.classList.toggle('focusing', this.current !== undefined);
    this.svg.querySelectorAll<SVGElement>('[data-unit]').forEach((e) => e.classList.toggle('lit', e.dataset.unit === String(this.current)));
  }
}

/** The unit index a diagram element stands for (its data-unit), or undefined. */
function unitOf(target: EventTarget | null): number | undefined {
  const unit = (target as SVGElement | null)?.dataset?.unit;
  return unit === undefined ? undefined : Number(unit);
}
