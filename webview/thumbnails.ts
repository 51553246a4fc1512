/** The proponent and opponent rows: one focusable tile per training example. */
import type { Thumbnail } from '../src/protocol/webviewProtocol';
import { grayscaleRgba } from './colorScale';
import { paintPixels, scaleFor } from './canvas';
import { formatSigned } from './format';

export type ThumbnailKind = 'proponent' | 'opponent';

export function labelText(example: { label?: number; labelName?: string }, classNames: readonly string[] | undefined): string | undefined {
  if (example.labelName) return example.labelName;
  if (example.label === undefined) return undefined;
  return classNames?.[example.label] ?? String(example.label);
}

export function renderThumbnails(
  list: HTMLElement,
  kind: ThumbnailKind,
  thumbnails: readonly Thumbnail[],
  size: { height: number; width: number },
  classNames: readonly string[] | undefined,
  onReveal: (index: number) => void,
): void {
  const scale = scaleFor(size.width, size.height, 84);
  list.replaceChildren(
    ...thumbnails.map((thumb, rank) => {
      const item = document.createElement('li');
      item.className = `thumb ${kind}`;
      item.dataset.testid = kind;
      item.tabIndex = 0;
      item.setAttribute('role', 'button');
      const label = labelText(thumb, classNames);
      const description = `${kind === 'proponent' ? 'Proponent' : 'Opponent'} ${rank + 1}: training example #${thumb.index}${label ? `, label ${label}` : ''}, score ${formatSigned(thumb.score)}. Press Enter to reveal it in the dataset.`;
      item.setAttribute('aria-label', description);
      item.title = description;

      const canvas = document.createElement('canvas');
      canvas.setAttribute('aria-hidden', 'true');
      if (thumb.pixels.length === size.height * size.width) paintPixels(canvas, grayscaleRgba(thumb.pixels), size.width, size.height, scale);

      const caption = document.createElement('div');
      caption.className = 'thumb-caption';
      const score = document.createElement('span');
      score.className = 'score';
      score.textContent = formatSigned(thumb.score);
      const index = document.createElement('span');
      index.className = 'index';
      index.textContent = `#${thumb.index}`;
      caption.append(score, index);
      if (label) {
        const name = document.createElement('span');
        name.className = 'label';
        name.textContent = label;
        caption.append(name);
      }
      item.append(canvas, caption);

      item.addEventListener('click', () => onReveal(thumb.index));
      item.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          onReveal(thumb.index);
        }
      });
      return item;
    }),
  );
}
