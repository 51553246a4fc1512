/**
 * The engine work the user is waiting for, for the status bar: every request
 * sent through the tracked engine is one task, its progress reports give the
 * percentage. Free of `vscode`.
 */
import type { Progress } from '../../protocol/rpc';
import { toPercent, type WorkStatus } from '../backendStatus';

export interface WorkTask {
  report(progress: Progress): void;
  end(): void;
}

interface Task {
  id: number;
  title: string;
  percent?: number;
}

export class WorkTracker {
  private readonly tasks = new Map<number, Task>();
  private nextId = 1;

  /** `changed` runs after every change of `current`. */
  constructor(private readonly changed: (current: WorkStatus | undefined) => void = () => undefined) {}

  begin(title: string): WorkTask {
    const task: Task = { id: this.nextId++, title };
    this.tasks.set(task.id, task);
    this.changed(this.current);
    let ended = false;
    return {
      report: (progress) => {
        if (ended) return;
        const percent = toPercent(progress.fraction);
        if (progress.message) task.title = progress.message;
        if (percent !== undefined) task.percent = percent;
        this.changed(this.current);
      },
      end: () => {
        if (ended) return;
        ended = true;
        this.tasks.delete(task.id);
        this.changed(this.current);
      },
    };
  }

  /** The most recently started task that is still running: the one the user last asked for. */
  get current(): WorkStatus | undefined {
    let latest: Task | undefined;
    for (const task of this.tasks.values()) if (!latest || task.id > latest.id) latest = task;
    if (!latest) return undefined;
    const status: WorkStatus = { title: latest.title, count: this.tasks.size };
    if (latest.percent !== undefined) status.percent = latest.percent;
    return status;
  }
}
