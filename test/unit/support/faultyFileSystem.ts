import * as fsPromises from 'node:fs/promises';
import type { AtomicWriteFileSystem } from '../../../src/kube/kubeconfigWrite';

export type FaultStep = 'mkdir' | 'open' | 'write' | 'sync' | 'chmod' | 'rename';
export const FAULT_STEPS: readonly FaultStep[] = ['mkdir', 'open', 'write', 'sync', 'chmod', 'rename'];

/**
 * node:fs/promises failing at `step` (a write first puts `writtenFraction` of the text in the temp
 * file). With `crash`, every later call fails too, as if the process had died there: nobody
 * removes the temp file, so a later write has to.
 */
export function faultyFileSystem(fault: { step: FaultStep; crash: boolean; writtenFraction: number }): AtomicWriteFileSystem {
  let crashed = false;
  const failAt = (step: FaultStep | 'rm') => {
    if (!crashed && step !== fault.step) return;
    crashed ||= fault.crash;
    throw Object.assign(new Error(`injected fault at ${step}`), { code: 'EIO' });
  };
  return {
    mkdir: async (path, options) => { failAt('mkdir'); return fsPromises.mkdir(path, options); },
    open: async (path, flags, mode) => {
      failAt('open');
      const handle = await fsPromises.open(path, flags, mode);
      return {
        writeFile: async (text, encoding) => {
          if (fault.step === 'write') await handle.writeFile(text.slice(0, Math.floor(text.length * fault.writtenFraction)), encoding);
          failAt('write');
          await handle.writeFile(text, encoding);
        },
        sync: async () => { failAt('sync'); await handle.sync(); },
        // A dead process's descriptors are closed too.
        close: () => handle.close(),
      };
    },
    chmod: async (path, mode) => { failAt('chmod'); await fsPromises.chmod(path, mode); },
    rename: async (from, to) => { failAt('rename'); await fsPromises.rename(from, to); },
    rm: async (path, options) => { failAt('rm'); await fsPromises.rm(path, options); },
  };
}
