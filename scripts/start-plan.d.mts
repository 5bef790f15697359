// Types for start-plan.mjs (plain JavaScript, so `npm start` needs no build step).
export type StartStep = 'fetch-runtime' | 'build' | 'launch';
export interface StartFacts {
  platform: string;
  env: Record<string, string | undefined>;
  runtimeInstalled: boolean;
}
export function hasDisplay(platform: string, env: Record<string, string | undefined>): boolean;
export function electronExecutable(
  electronDir: string,
  env: Record<string, string | undefined>,
  pathTxt: string,
): string | null;
export function planStart(facts: StartFacts): { steps: StartStep[] } | { refuse: string };
export function fetchFailedLine(installerOutput: string): string;
export function launchFailedLine(error: { code?: string; message: string }): string;
