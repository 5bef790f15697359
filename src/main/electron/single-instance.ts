import { app } from 'electron';
import { filePathsFromArgs, userArgs } from '../core/launch-args';

/**
 * One Ferry per user: a second launch hands its file arguments to the first and exits. macOS
 * sends files as `open-file` events instead (also before the app is ready), so both feed `onFiles`.
 * Returns false in the second instance, which should quit at once.
 */
export function claimSingleInstance(handlers: { onFiles(paths: string[]): void; onSecondLaunch(): void }): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', (_event, argv, workingDirectory) => {
    handlers.onSecondLaunch();
    const paths = filePathsFromArgs(userArgs(argv, app.isPackaged), workingDirectory);
    if (paths.length > 0) handlers.onFiles(paths);
  });
  app.on('open-file', (event, path) => {
    event.preventDefault();
    handlers.onFiles([path]);
  });
  const initial = filePathsFromArgs(userArgs(process.argv, app.isPackaged), process.cwd());
  if (initial.length > 0) handlers.onFiles(initial);
  return true;
}
