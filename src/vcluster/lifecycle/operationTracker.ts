import { EventEmitter } from 'node:events';
import { type VClusterRef, vclusterKey } from '../identity';


export type OperationVerb = 'create' | 'upgrade' | 'delete' | 'pause' | 'resume' | 'connect' | 'disconnect';

/** The -ing form shown in the tree while an operation runs ("pausing…"). */
export const OPERATION_ACTIVITY: Record<OperationVerb, string> = {
  create: 'creating',
  upgrade: 'upgrading',
  delete: 'deleting',
  pause: 'pausing',
  resume: 'resuming',
  connect: 'connecting',
  disconnect: 'disconnecting',
};

/** A second operation was asked for while one is still running on the same vCluster. */
export class OperationInProgressError extends Error {
  constructor(readonly ref: VClusterRef, readonly running: OperationVerb, requested: OperationVerb) {
    super(`vCluster ${ref.name} in ${ref.namespace} is busy ${OPERATION_ACTIVITY[running]}; wait for that to finish before you ${requested} it.`);
    this.name = 'OperationInProgressError';
  }
}

/**
 * One operation per vCluster at a time. Pausing while a delete runs, or two creates of one name
 * racing each other, would leave the host in a state neither the CLI nor the extension expects;
 * the second request is refused with a message saying what is running.
 */
export class OperationTracker {
  private readonly running = new Map<string, OperationVerb>();
  private readonly events = new EventEmitter();

  /** The operation running on this vCluster, if any. */
  current(ref: VClusterRef): OperationVerb | undefined {
    return this.running.get(vclusterKey(ref));
  }

  async run<T>(ref: VClusterRef, verb: OperationVerb, operation: () => Promise<T>): Promise<T> {
    const key = vclusterKey(ref);
    const busy = this.running.get(key);
    if (busy) throw new OperationInProgressError(ref, busy, verb);
    this.running.set(key, verb);
    this.events.emit('change', ref);
    try {
      return await operation();
    } finally {
      this.running.delete(key);
      this.events.emit('change', ref);
    }
  }

  onDidChange(listener: (ref: VClusterRef) => void): { dispose(): void } {
    this.events.on('change', listener);
    return { dispose: () => this.events.off('change', listener) };
  }
}
