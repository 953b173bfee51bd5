import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../integration/support/host';
import type { Workbench } from './workbench';

/**
 * Runs a command line in a new terminal of this window and returns what it printed (through a
 * file). Right after a window reload the first line typed into a new terminal is sometimes lost
 * before the shell reads it (the workbench is still restoring its terminals); a line that does
 * not run within 10 s is typed again into another new terminal.
 */
export async function inTerminal(window: Workbench, folder: string, commandLine: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const output = join(folder, `out-${Date.now()}.txt`);
    await window.runCommand('Terminal: Create New Terminal');
    const terminal = window.page.locator('.terminal-wrapper.active');
    await terminal.locator('.xterm').waitFor();
    await waitFor('the shell prompt', 30_000, async () => (((await terminal.locator('.xterm-rows').innerText().catch(() => '')).trim() !== '') ? true : undefined), 100);
    await terminal.locator('.xterm-helper-textarea').focus();
    await window.page.keyboard.type(`${commandLine} > ${output} 2>&1; mv ${output} ${output}.done\n`, { delay: 5 });
    try {
      const text = await waitFor(`"${commandLine}" in the terminal`, 10_000, async () => (existsSync(`${output}.done`) ? readFileSync(`${output}.done`, 'utf8') : undefined), 200);
      rmSync(`${output}.done`, { force: true });
      return text.trim();
    } catch (error) {
      if (attempt >= 3) throw error;
      console.log(`[e2e] "${commandLine}" did not run in terminal ${attempt}; typing it again in a new one`);
    }
  }
}
