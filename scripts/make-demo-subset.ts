/**
 * `npm run make-demo-data`: builds the committed Fashion-MNIST subset under
 * demo/data/ from the Debian package's IDX files. The subset is seeded and
 * class-balanced (600 training and 100 test images per class), kept in the
 * original IDX format, and listed by original index in subset-indices.json so
 * anyone can check where every image came from.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readIdxGz, writeIdxGz, type ByteArray } from '../demo/formats';
import { CLASS_NAMES, seededRandom, shuffledIndices } from '../demo/template/data';

export const SOURCE_DIR = '/usr/share/datasets/fashion-mnist';
export const APT_COMMAND = 'sudo apt-get install dataset-fashion-mnist';
export const SUBSET_SEED = 20240601;
export const TRAIN_PER_CLASS = 600;
export const TEST_PER_CLASS = 100;

const SPLITS = [
  { source: 'train', target: 'fashion-mnist-train', perClass: TRAIN_PER_CLASS },
  { source: 't10k', target: 'fashion-mnist-test', perClass: TEST_PER_CLASS },
] as const;

/** Picks `perClass` indices of every class by a seeded shuffle, returned in ascending original order. */
export function balancedSubset(labels: Uint8Array, classes: number, perClass: number, random: () => number): number[] {
  const chosen: number[] = [];
  for (let c = 0; c < classes; c++) {
    const ofClass: number[] = [];
    labels.forEach((label, i) => {
      if (label === c) ofClass.push(i);
    });
    if (ofClass.length < perClass) throw new Error(`class ${c} has ${ofClass.length} examples, fewer than ${perClass}`);
    const order = shuffledIndices(ofClass.length, random);
    for (let k = 0; k < perClass; k++) chosen.push(ofClass[order[k]!]!);
  }
  return chosen.sort((a, b) => a - b);
}

function take(array: ByteArray, indices: number[]): ByteArray {
  const rowSize = array.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = new Uint8Array(indices.length * rowSize);
  indices.forEach((index, row) => data.set(array.data.subarray(index * rowSize, (index + 1) * rowSize), row * rowSize));
  return { shape: [indices.length, ...array.shape.slice(1)], data };
}

function readme(): string {
  return `# Fashion-MNIST demo subset

A small, class-balanced subset of Fashion-MNIST used by \`npm run demo\`.

- **Source:** Fashion-MNIST by Zalando Research, https://github.com/zalandoresearch/fashion-mnist,
  read from the Debian package \`dataset-fashion-mnist\` (\`${SOURCE_DIR}\`).
- **Licence:** MIT, Copyright (c) 2017 Zalando SE (Zalando Research). The subset keeps that licence.
- **Contents:** ${TRAIN_PER_CLASS * 10} training images (${TRAIN_PER_CLASS} per class) and ${TEST_PER_CLASS * 10} test images
  (${TEST_PER_CLASS} per class), 28x28 grey levels, in the original gzipped IDX format:
  - \`fashion-mnist-train-images-idx3-ubyte.gz\`, \`fashion-mnist-train-labels-idx1-ubyte.gz\`
  - \`fashion-mnist-test-images-idx3-ubyte.gz\`, \`fashion-mnist-test-labels-idx1-ubyte.gz\`
- **Classes:** ${CLASS_NAMES.map((name, i) => `${i} ${name}`).join(', ')}.

## How it was built

\`npm run make-demo-data\` (scripts/make-demo-subset.ts) reads the full training set (\`train-*\`) and
test set (\`t10k-*\`). For each split in turn, and each class 0..9 in turn, it shuffles that class's
original indices with a Fisher-Yates shuffle driven by one mulberry32 generator seeded with
${SUBSET_SEED}, keeps the first ${TRAIN_PER_CLASS} (training) or ${TEST_PER_CLASS} (test), and writes the kept images in
ascending original index order.

\`subset-indices.json\` lists, for each split, the original (0-based) index of every kept image:
row \`i\` of the subset is image \`train[i]\` (or \`test[i]\`) of the original file.
Labels are unchanged here; the demo workspace flips 5% of training labels later, on purpose.
`;
}

export function makeDemoSubset(sourceDir: string, targetDir: string): { train: number[]; test: number[] } {
  mkdirSync(targetDir, { recursive: true });
  const random = seededRandom(SUBSET_SEED);
  const picked: Record<string, number[]> = {};
  for (const split of SPLITS) {
    const images = readIdxGz(join(sourceDir, `${split.source}-images-idx3-ubyte.gz`));
    const labels = readIdxGz(join(sourceDir, `${split.source}-labels-idx1-ubyte.gz`));
    if (images.shape[0] !== labels.shape[0]) throw new Error(`${split.source}: ${images.shape[0]} images but ${labels.shape[0]} labels`);
    const indices = balancedSubset(labels.data, CLASS_NAMES.length, split.perClass, random);
    writeIdxGz(join(targetDir, `${split.target}-images-idx3-ubyte.gz`), take(images, indices));
    writeIdxGz(join(targetDir, `${split.target}-labels-idx1-ubyte.gz`), take(labels, indices));
    picked[split.source === 'train' ? 'train' : 'test'] = indices;
  }
  const result = { train: picked.train!, test: picked.test! };
  writeFileSync(
    join(targetDir, 'subset-indices.json'),
    `{\n  "seed": ${SUBSET_SEED},\n  "train": ${JSON.stringify(result.train)},\n  "test": ${JSON.stringify(result.test)}\n}\n`,
  );
  writeFileSync(join(targetDir, 'README.md'), readme());
  return result;
}

function main(): void {
  const missing = ['train', 't10k'].flatMap((s) => [`${s}-images-idx3-ubyte.gz`, `${s}-labels-idx1-ubyte.gz`]).filter((f) => !existsSync(join(SOURCE_DIR, f)));
  if (missing.length > 0) {
    console.error(`Fashion-MNIST is not installed (missing ${missing.map((f) => join(SOURCE_DIR, f)).join(', ')}).`);
    console.error(`Install it with:\n  ${APT_COMMAND}`);
    process.exit(1);
  }
  const target = resolve(__dirname, '..', 'demo', 'data');
  const { train, test } = makeDemoSubset(SOURCE_DIR, target);
  console.log(`wrote ${train.length} training and ${test.length} test images to ${target}`);
}

if (require.main === module) main();
