// Types of cache.mjs for the TypeScript side.
export function cacheRoot(): string;
export function cacheDir(...parts: string[]): string;
export function step<T>(label: string, fn: () => Promise<T> | T): Promise<T>;
