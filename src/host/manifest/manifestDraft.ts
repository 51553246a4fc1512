/**
 * Turns the answers of the "no manifest yet" questions into a run manifest.
 * Pure: the questions live in manifestWizard.ts.
 */
import * as path from 'node:path';
import { isInside } from './manifestDiscovery';
import type { LossSpec, RunManifest } from '../../protocol/manifest';

export interface DraftCheckpoint {
  /** Absolute path of the checkpoint's model.json. */
  file: string;
  epoch: number;
}

export interface ManifestAnswers {
  checkpoints: DraftCheckpoint[];
  trainFile: string;
  testFile: string;
  loss: LossSpec;
  representationLayer: string;
  learningRate: number;
  name?: string;
  script?: string;
}

/**
 * Where a new manifest goes: beside the checkpoint folder's parent (the demo keeps
 * `run/modeldebug.json` next to `run/checkpoints/epoch-N/model.json`), but never
 * outside the workspace folder.
 */
export function proposedManifestFolder(modelJsonFile: string, workspaceFolder: string | undefined): string {
  const checkpointFolder = path.dirname(path.resolve(modelJsonFile));
  const candidates = [path.dirname(path.dirname(checkpointFolder)), path.dirname(checkpointFolder), checkpointFolder];
  if (workspaceFolder === undefined) return candidates[0]!;
  return candidates.find((folder) => isInside(path.resolve(workspaceFolder), folder)) ?? checkpointFolder;
}

/** The epoch a checkpoint folder's name implies (`epoch-7`, `ckpt_0012`), or undefined. */
export function epochFromName(name: string): number | undefined {
  const match = /(\d+)(?!.*\d)/.exec(name);
  if (!match) return undefined;
  const epoch = Number(match[1]);
  return Number.isSafeInteger(epoch) ? epoch : undefined;
}

/** Checkpoint files ordered by the epoch their folder names imply; unnumbered folders count as epoch 0. */
export function orderCheckpoints(modelJsonFiles: string[]): DraftCheckpoint[] {
  return modelJsonFiles
    .map((file) => ({ file, epoch: epochFromName(path.basename(path.dirname(file))) ?? 0 }))
    .sort((a, b) => a.epoch - b.epoch || a.file.localeCompare(b.file));
}

/** Manifest paths are relative to the manifest and use forward slashes; `manifestFolder` undefined keeps them absolute. */
function manifestPath(file: string, manifestFolder: string | undefined): string {
  if (manifestFolder === undefined) return path.resolve(file);
  return path.relative(manifestFolder, path.resolve(file)).split(path.sep).join('/');
}

export function draftManifest(answers: ManifestAnswers, manifestFolder: string | undefined): RunManifest {
  if (answers.checkpoints.length === 0) throw new Error('draftManifest: "checkpoints" must not be empty');
  if (!Number.isFinite(answers.learningRate) || answers.learningRate < 0) throw new Error('draftManifest: "learningRate" must be a finite number >= 0');
  const manifest: RunManifest = {
    version: 1,
    checkpoints: answers.checkpoints.map((c) => ({ path: manifestPath(c.file, manifestFolder), epoch: c.epoch, learningRate: answers.learningRate })),
    train: { path: manifestPath(answers.trainFile, manifestFolder) },
    test: { path: manifestPath(answers.testFile, manifestFolder) },
    loss: answers.loss,
    representationLayer: answers.representationLayer,
  };
  if (answers.name) manifest.name = answers.name;
  if (answers.script) manifest.script = manifestPath(answers.script, manifestFolder);
  return manifest;
}

/** Parses a learning rate typed by the user; returns an error message for the input box, or undefined when valid. */
export function learningRateProblem(text: string): string | undefined {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value)) return 'Enter a number, e.g. 0.001';
  if (value <= 0) return 'The learning rate must be greater than 0';
  return undefined;
}

export function fractionProblem(text: string, max: number): string | undefined {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value)) return 'Enter a number';
  if (value < 0 || value > max) return `Enter a number between 0 and ${max}`;
  return undefined;
}
