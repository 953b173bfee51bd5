import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import { withFileLock } from './fileLock';
import { writeFileAtomically } from './kubeconfigWrite';

/**
 * Changes a kubeconfig that belongs to the user (only when they asked: the setting
 * vcluster.workspace.writeToUserKubeconfig) the way kubectl would leave it, and nothing else:
 *
 * - under kubectl's lock (`<file>.lock`, as `kubectl config …` takes it), read and written
 *   inside it, so neither overwrites the other;
 * - through a symlink (a dotfiles repository's ~/.kube/config): the link stays, its target is written;
 * - the file's mode is kept (0640 stays 0640), and so are its line endings;
 * - `edit` gets the text and returns the new text; returning it unchanged writes nothing.
 *
 * Returns whether the file changed.
 */
export async function editUserKubeconfig(path: string, edit: (text: string) => string): Promise<boolean> {
  return withFileLock(path, async () => {
    const target = await realpath(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return path;
      throw error;
    });
    let text = '';
    let mode = 0o600;
    try {
      [text, mode] = await Promise.all([readFile(target, 'utf8'), stat(target).then((stats) => stats.mode & 0o777)]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // A dangling symlink: write where it points, as kubectl would; never replace the link.
      if ((await lstat(path).catch(() => undefined))?.isSymbolicLink()) throw new Error(`${path} is a symlink to a file that does not exist; it was left as it is.`);
    }
    const crlf = text.includes('\r\n');
    const edited = edit(crlf ? text.replace(/\r\n/g, '\n') : text);
    const output = crlf ? edited.replace(/\r?\n/g, '\r\n') : edited;
    if (output === text) return false;
    await writeFileAtomically(target, output, undefined, mode);
    return true;
  });
}
