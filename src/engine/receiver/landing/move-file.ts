import { constants as fsConstants } from 'node:fs';
import { copyFile, open, rename, unlink } from 'node:fs/promises';
import { errnoCode } from '../../errors';

/** Moves a file onto `target` (an empty reserved name) by rename, or by copy + fsync across file systems. */
export async function moveInto(sourcePath: string, target: string): Promise<void> {
  try {
    // Replaces the empty reserved file atomically.
    await rename(sourcePath, target);
    return;
  } catch (error) {
    // rename(2): "EXDEV oldpath and newpath are not on the same mounted filesystem."
    if (errnoCode(error) !== 'EXDEV') throw error;
  }
  await copyFile(sourcePath, target, fsConstants.COPYFILE_FICLONE);
  const handle = await open(target, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await unlink(sourcePath);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
}
