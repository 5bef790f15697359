// What a drop holds: files, and folders walked to every file inside with the path it has there.
// Written against the small part of the File and Directory Entries API it uses, so it can be tested
// with plain objects (a real directory entry cannot be made by script).

/** A file with the path it is sent under: its name, or `folder/…/name` for one from a folder. */
export interface PickedFile {
  file: File;
  path: string;
}

export interface EntryLike {
  readonly name: string;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}
export interface FileEntryLike extends EntryLike {
  file(success: (file: File) => void, failure?: (error: unknown) => void): void;
}
export interface DirectoryEntryLike extends EntryLike {
  createReader(): {
    readEntries(success: (entries: EntryLike[]) => void, failure?: (error: unknown) => void): void;
  };
}

/** Deeper than this is a link that loops, not a folder someone dropped. */
const maxDepth = 64;

const fileOf = (entry: FileEntryLike) => new Promise<File>((resolve, reject) => entry.file(resolve, reject));

/** A folder's children. `readEntries` hands them out in batches (about 100 in Chromium) until one comes back empty. */
async function childrenOf(entry: DirectoryEntryLike): Promise<EntryLike[]> {
  const reader = entry.createReader();
  const children: EntryLike[] = [];
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return children;
    children.push(...batch);
  }
}

/**
 * Every file under the dropped entries, in order, each with its path from the dropped item down
 * (`album/deeper/two.bin`, as the folder button's `webkitRelativePath`). A file or folder the browser
 * will not read is left out; the rest still go.
 */
export async function walkEntries(entries: readonly EntryLike[]): Promise<PickedFile[]> {
  const found: PickedFile[] = [];
  async function visit(entry: EntryLike, parent: string, depth: number): Promise<void> {
    const path = parent ? `${parent}/${entry.name}` : entry.name;
    try {
      if (entry.isFile) found.push({ file: await fileOf(entry as FileEntryLike), path });
      else if (entry.isDirectory && depth < maxDepth)
        for (const child of await childrenOf(entry as DirectoryEntryLike)) await visit(child, path, depth + 1);
    } catch {
      /* unreadable: skipped */
    }
  }
  for (const entry of entries) await visit(entry, '', 0);
  return found;
}

/** The path a picked file is sent under: from the folder button, its `webkitRelativePath`. */
export const pathOf = (file: File): string =>
  (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;

/**
 * The files of a drop, in the order dropped. Everything is taken from the DataTransfer while the event
 * is being handled (it is emptied once that returns); only folders are walked after. A dropped file is
 * read as a plain File: its entry adds nothing, and a script-made DataTransfer has none.
 */
export function droppedFiles(transfer: DataTransfer | null): Promise<PickedFile[]> {
  const parts: Array<PickedFile[] | Promise<PickedFile[]>> = [];
  for (const item of transfer?.items ?? []) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.() as EntryLike | null | undefined;
    if (entry?.isDirectory) parts.push(walkEntries([entry]));
    else {
      const file = item.getAsFile();
      if (file) parts.push([{ file, path: file.name }]);
    }
  }
  return Promise.all(parts).then((lists) => lists.flat());
}
