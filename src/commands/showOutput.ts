import type { OutputChannel } from 'vscode';
import type { Command } from './command';

export class ShowOutputCommand implements Command {
  readonly id = 'vcluster.showOutput';
  constructor(private readonly channel: OutputChannel) {}

  run(): void {
    this.channel.show(true);
  }
}
