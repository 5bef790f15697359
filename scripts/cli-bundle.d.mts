// Types for cli-bundle.mjs (plain JavaScript, so `npm run serve` needs no TypeScript loader).
import type { Plugin } from 'esbuild';

export const cliNames: string[];
export const projectRoot: string;
export function cliOutput(name: string, root?: string): string;
export function cliManifest(root?: string): string;
export function manifestInputs(metafileInputs: string[]): string[];
export function isCliStale(root?: string, inputs?: string[]): boolean;
export const lazyListFormat: Plugin;
export const lazyHttp2Wrapper: Plugin;
export function buildCli(root?: string): Promise<void>;
export function ensureCli(root?: string): Promise<void>;
export function buildFailureLine(error: unknown): string;
