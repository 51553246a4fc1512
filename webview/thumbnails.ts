/** The ranked training examples (proponents, opponents, most and least similar): one focusable tile each. */
import type { PanelRankedExample } from '../src/protocol/webviewProtocol';
import { grayscaleRgba } from './colorScale';
import { paintPixels, scaleFor } from './canvas';
import { percentText, rowText, type ListKind } from './exampleModel';
import { formatNumber, formatSigned } from './format';

export function labelText(example: { label?: number; labelName?: string }, classNames: readonly string[] | undefined): string | undefined {
  if (example.labelName) return example.labelName;
  if (example.label === undefined) return undefined;
  return classNames?.[example.label] ?? String(example.label);
}

export interface RankedListContext {
  /** What the score is called, e.g. "TracIn score". */
  scoreName: string;
  /** The dataset file rows are counted in. */
  trainFile: string;
  /** The list's name, e.g. "Proponent". */
  itemName: string;
  classNames?: readonly string[];
  /** Show the score as a share (SimplEx weights). */
  asPercent?: boolean;
}

/** One focusable tile per training example; Enter, Space or a click reveals its row in the dataset file. */
export function renderThumbnails(
  list: HTMLElement,
  kind: ListKind,
  examples: readonly PanelRankedExample[],
  size: { height: number; width: number },
  context: RankedListContext,
  onReveal: (index: number) => void,
): void {
  const scale = scaleFor(size.width, size.height, 84);
  list.replaceChildren(
    ...examples.map((example, rank) => {
      const item = document.createElement('li');
      item.className = `thumb ${kind}`;
      item.dataset.testid = kind;
      item.dataset.index = String(example.index);
      item.tabIndex = 0;
      item.setAttribute('role', 'button');
      const label = labelText(example, context.classNames);
      const score = context.asPercent ? percentText(example.score) : formatSigned(example.score);
      const where = rowText(example, context.trainFile);
      const distance = example.distance !== undefined ? `, latent distance ${formatNumber(example.distance)}` : '';
      const description = `${context.itemName} ${rank + 1}: training example #${example.index}${label ? `, label ${label}` : ''}, ${context.scoreName} ${score}${distance}, ${where}. Press Enter to reveal it in the dataset file.`;
      item.setAttribute('aria-label', description);
      item.title = description;

      const canvas = document.createElement('canvas');
      canvas.setAttribute('aria-hidden', 'true');
      if (example.pixels.length === size.height * size.width) paintPixels(canvas, grayscaleRgba(example.pixels), size.width, size.height, scale);

      const caption = document.createElement('div');
      caption.className = 'thumb-caption';
      const scoreText = document.createElement('span');
      scoreText.className = 'score';
      scoreText.textContent = score;
      const index = document.createElement('span');
      index.className = 'index';
      index.textContent = `#${example.index}`;
      const row = document.createElement('span');
      row.className = 'row';
      row.textContent = `row ${example.row}`;
      caption.append(scoreText, index);
      if (label) {
        const name = document.createElement('span');
        name.className = 'label';
        name.textContent = label;
        caption.append(name);
      }
      caption.append(row);
      item.append(canvas, caption);

      item.addEventListener('click', () => onReveal(example.index));
      item.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          onReveal(example.index);
        }
      });
      return item;
    }),
  );
}
