/**
 * The logging surface the vscode-free core writes to. The extension backs it with the
 * "vCluster" output channel; tests back it with an array or nothing.
 */
export interface Logger {
  trace(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Collects log lines in memory; for tests and for showing a command's own log in an error. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  trace(message: string): void {
    this.lines.push(`trace ${message}`);
  }
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}
