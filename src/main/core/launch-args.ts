import { isAbsolute, resolve } from 'node:path';

/**
 * Files named on a command line (a second launch, "Open with Ferry"): every argument that is not a
 * switch, resolved against the launching process's folder. `argv` starts after the executable
 * (and, when run unpackaged, after the app path).
 */
export function filePathsFromArgs(args: readonly string[], workingDirectory: string): string[] {
  const paths: string[] = [];
  let afterDoubleDash = false;
  for (const arg of args) {
    if (!afterDoubleDash && arg === '--') {
      afterDoubleDash = true;
      continue;
    }
    // Chromium and Electron switches (--inspect, --enable-features=…), and macOS's -psn_0_12345.
    if (!afterDoubleDash && arg.startsWith('-')) continue;
    if (arg.length === 0 || arg.includes('\0')) continue;
    paths.push(isAbsolute(arg) ? arg : resolve(workingDirectory, arg));
  }
  return paths;
}

/** Where the user arguments start: after the executable, and after the app path when unpackaged. */
export function userArgs(argv: readonly string[], packaged: boolean): string[] {
  return argv.slice(packaged ? 1 : 2);
}
