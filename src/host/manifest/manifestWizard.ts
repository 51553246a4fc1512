/**
 * Asks for what a run manifest needs when a checkpoint has none, then offers to
 * save the answers as modeldebug.json. Returns the path of the manifest to use
 * (saved, or a private copy in the extension's storage), or undefined when the
 * user backs out.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LOSS_KINDS, MANIFEST_FILE_NAME, parseManifest, type LossSpec } from '../../protocol/manifest';
import { draftManifest, fractionProblem, learningRateProblem, orderCheckpoints, proposedManifestFolder, type ManifestAnswers } from './manifestDraft';
import { readLayerNames } from './modelTopology';

const STEPS = 5;
const DATA_GLOB = '**/*.{npy,npz,idx,ubyte,csv,jsonl}';
const EXCLUDE_GLOB = '**/{node_modules,.git,.modeldebug}/**';

const LOSS_DESCRIPTIONS: Record<LossSpec['kind'], string> = {
  reconstruction: 'autoencoder: reconstruct the input',
  denoising: 'autoencoder: reconstruct the input from a noisy copy',
  inpainting: 'autoencoder: fill in masked pixels',
  crossEntropy: 'classifier: softmax cross-entropy on labels',
  vae: 'variational autoencoder',
};

function title(step: number, what: string): string {
  return `Model Debugger: describe the run (${step}/${STEPS}) — ${what}`;
}

async function pickDataFile(step: number, what: string, exclude: string | undefined): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles(DATA_GLOB, EXCLUDE_GLOB, 500);
  type Item = vscode.QuickPickItem & { file?: string };
  const items: Item[] = files
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), file: uri.fsPath }))
    .filter((item) => item.file !== exclude)
    .sort((a, b) => a.label.localeCompare(b.label));
  items.push({ label: '$(folder-opened) Browse…' });
  const picked = await vscode.window.showQuickPick(items, { title: title(step, what), placeHolder: `The ${what} (.npy, .npz, IDX, CSV or JSONL)`, ignoreFocusOut: true });
  if (!picked) return undefined;
  if (picked.file) return picked.file;
  const chosen = await vscode.window.showOpenDialog({ title: `Model Debugger: ${what}`, canSelectMany: false, openLabel: 'Use this file' });
  return chosen?.[0]?.fsPath;
}

async function askNumber(prompt: string, value: string, validate: (text: string) => string | undefined, step: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({ title: title(step, prompt), prompt, value, validateInput: validate, ignoreFocusOut: true });
  return text === undefined ? undefined : Number(text.trim());
}

async function pickLoss(step: number): Promise<LossSpec | undefined> {
  const picked = await vscode.window.showQuickPick(
    LOSS_KINDS.map((kind) => ({ label: kind, description: LOSS_DESCRIPTIONS[kind] })),
    { title: title(step, 'loss'), placeHolder: 'The training loss', ignoreFocusOut: true },
  );
  switch (picked?.label) {
    case undefined:
      return undefined;
    case 'denoising': {
      const noiseStd = await askNumber('Standard deviation of the input noise', '0.3', (t) => fractionProblem(t, 10), step);
      return noiseStd === undefined ? undefined : { kind: 'denoising', noiseStd };
    }
    case 'inpainting': {
      const maskFraction = await askNumber('Fraction of pixels masked', '0.5', (t) => fractionProblem(t, 1), step);
      return maskFraction === undefined ? undefined : { kind: 'inpainting', maskFraction };
    }
    case 'reconstruction':
    case 'crossEntropy':
    case 'vae':
      return { kind: picked.label };
    default:
      return undefined;
  }
}

async function pickLayer(modelJson: vscode.Uri, step: number): Promise<string | undefined> {
  const bytes = await vscode.workspace.fs.readFile(modelJson);
  const names = readLayerNames(new TextDecoder().decode(bytes), modelJson.fsPath);
  const items = names.map((name) => ({ label: name, description: /latent|embed|bottleneck|code/i.test(name) ? 'suggested' : undefined }));
  const suggested = items.filter((item) => item.description);
  const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem>();
  quickPick.title = title(step, 'representation layer');
  quickPick.placeholder = 'The layer whose output is the representation to explain';
  quickPick.items = items;
  quickPick.ignoreFocusOut = true;
  if (suggested.length > 0) quickPick.activeItems = [suggested[suggested.length - 1]!];
  return new Promise((resolve) => {
    quickPick.onDidAccept(() => {
      resolve(quickPick.selectedItems[0]?.label);
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      resolve(undefined);
      quickPick.dispose();
    });
    quickPick.show();
  });
}

async function siblingCheckpoints(modelJson: vscode.Uri): Promise<string[]> {
  const parent = path.dirname(path.dirname(modelJson.fsPath));
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(parent, '*/model.json'), undefined, 200);
  const files = found.map((uri) => uri.fsPath);
  return files.includes(modelJson.fsPath) ? files : [modelJson.fsPath];
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

export async function describeRunInteractively(modelJson: vscode.Uri, workspaceFolder: string | undefined, storage: vscode.Uri): Promise<string | undefined> {
  const start = await vscode.window.showInformationMessage(
    `No ${MANIFEST_FILE_NAME} describes ${vscode.workspace.asRelativePath(modelJson)}. Answer ${STEPS} questions to describe the training run?`,
    'Describe the Run',
  );
  if (!start) return undefined;
  const trainFile = await pickDataFile(1, 'training data', undefined);
  if (!trainFile) return undefined;
  const testFile = await pickDataFile(2, 'test data', trainFile);
  if (!testFile) return undefined;
  const loss = await pickLoss(3);
  if (!loss) return undefined;
  const representationLayer = await pickLayer(modelJson, 4);
  if (!representationLayer) return undefined;
  const learningRate = await askNumber('Learning rate used in training', '0.001', learningRateProblem, 5);
  if (learningRate === undefined) return undefined;

  const answers: ManifestAnswers = {
    checkpoints: orderCheckpoints(await siblingCheckpoints(modelJson)),
    trainFile,
    testFile,
    loss,
    representationLayer,
    learningRate,
  };
  const folder = proposedManifestFolder(modelJson.fsPath, workspaceFolder);
  answers.name = path.basename(folder);
  const target = vscode.Uri.file(path.join(folder, MANIFEST_FILE_NAME));
  const save = `Save as ${vscode.workspace.asRelativePath(target)}`;
  const choice = await vscode.window.showQuickPick([save, 'Use once without saving'], { title: 'Model Debugger: keep these answers?', ignoreFocusOut: true });
  if (!choice) return undefined;

  if (choice === save) {
    if (await exists(target)) {
      const overwrite = await vscode.window.showWarningMessage(`${target.fsPath} already exists. Replace it?`, { modal: true }, 'Replace');
      if (overwrite !== 'Replace') return undefined;
    }
    return writeManifest(target, draftManifest(answers, folder));
  }
  // Unsaved answers still need a file for the engine: a private one, with absolute paths.
  const key = createHash('sha256').update(modelJson.fsPath).digest('hex').slice(0, 16);
  const privateFolder = vscode.Uri.joinPath(storage, 'manifests', key);
  await vscode.workspace.fs.createDirectory(privateFolder);
  return writeManifest(vscode.Uri.joinPath(privateFolder, MANIFEST_FILE_NAME), draftManifest(answers, undefined));
}

async function writeManifest(target: vscode.Uri, manifest: ReturnType<typeof draftManifest>): Promise<string> {
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  parseManifest(text, target.fsPath); // what we write must read back
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  return target.fsPath;
}
