/** One palette or tree command; each lives in its own file and is registered by the registry. */
export interface Command {
  readonly id: string;
  run(...args: unknown[]): unknown;
}
