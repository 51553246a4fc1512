/**
 * The explanation panel page: says ready, then asks the host for an
 * explanation whenever the user picks a test example or a checkpoint. Only the
 * latest request's answer is shown.
 */
import { RpcEndpoint, RpcError } from '../src/protocol/rpc';
import { BackendNotification, PanelExplainRequest, PanelReadyRequest, RevealExampleRequest, type PanelInit, type PanelState } from '../src/protocol/webviewProtocol';
import { registerToolkit } from './toolkit';
import { hostTransport } from './transport';
import { PanelView } from './view';
import { vscodeApi } from './vscodeApi';

function errorText(error: unknown): string {
  if (error instanceof RpcError) return error.file && !error.message.includes(error.file) ? `${error.message} (${error.file})` : error.message;
  return error instanceof Error ? error.message : String(error);
}

function isCancelled(error: unknown): boolean {
  return error instanceof RpcError && error.code === 'cancelled';
}

function main(): void {
  registerToolkit();
  const api = vscodeApi<PanelState>();
  const rpc = new RpcEndpoint(hostTransport(api));
  let init: PanelInit | undefined;
  let latest = 0;

  const explain = async (testIndex: number, checkpoint: string): Promise<void> => {
    if (!init) return;
    const request = ++latest;
    api.setState({ manifestPath: init.manifestPath, checkpoint, testIndex });
    view.showError(undefined);
    view.setBusy(`Explaining test example #${testIndex}…`);
    try {
      const explanation = await rpc.call(PanelExplainRequest, { testIndex, checkpoint });
      if (request !== latest) return;
      view.showExplanation(explanation);
      view.setBusy(undefined);
    } catch (error) {
      if (request !== latest) return;
      view.setBusy(undefined);
      view.showError(isCancelled(error) ? 'Cancelled. Pick an example to try again.' : errorText(error), !isCancelled(error));
    }
  };

  const ready = async (): Promise<void> => {
    view.showError(undefined);
    view.setBusy('Opening the run…');
    try {
      const restored = api.getState();
      init = await rpc.call(PanelReadyRequest, restored ? { restored } : {});
      view.showInit(init);
      await explain(init.testIndex, init.checkpoint);
    } catch (error) {
      view.setBusy(undefined);
      view.showError(errorText(error), true);
    }
  };

  const view = new PanelView(document.getElementById('app')!, {
    pick: (testIndex, checkpoint) => void explain(testIndex, checkpoint),
    reveal: (index) => {
      rpc.call(RevealExampleRequest, { split: 'train', index }).catch((error: unknown) => view.showError(errorText(error)));
    },
    retry: () => {
      if (init) void explain(view.testIndex, view.selectedCheckpoint ?? init.checkpoint);
      else void ready();
    },
  });
  rpc.onNotification(BackendNotification, ({ backend }) => view.setBackend(backend));
  void ready();
}

main();
