import type { Rule } from 'eslint';

export declare function resolveImport(fromFile: string, specifier: string): string | undefined;
export declare function importsOf(file: string): string[];
export declare function pathBack(start: string, goal: string, inScope: (path: string) => boolean): string[] | undefined;
export declare const noImportCycles: Rule.RuleModule;
declare const plugin: { rules: { 'no-import-cycles': Rule.RuleModule } };
export default plugin;
