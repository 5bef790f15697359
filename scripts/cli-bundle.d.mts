// Types for cli-bundle.mjs (plain JavaScript, so `npm run serve` needs no TypeScript loader).
export const cliNames: string[];
export const projectRoot: string;
export function cliOutput(name: string, root?: string): string;
export function isCliStale(root?: string, inputs?: string[]): Promise<boolean>;
export function buildCli(root?: string): Promise<void>;
export function ensureCli(root?: string): Promise<void>;
export function buildFailureLine(error: unknown): string;
