/**
 * The import folder: the only place the host reads files from on a client's behalf (`import.tardis`). A client
 * (the UI in a browser, anything holding the host's token) names files; without this fence it could have the host
 * read `/etc/shadow` or `/proc/self/environ` and echo what it found. Default: `imports` next to the database,
 * created 0700. A path is accepted only when it resolves (symlinks followed) to a regular file inside the folder;
 * the errors name the path the client gave, never a byte of any file. The CLI (`gammadesk import tardis FILE`)
 * does not use this: the user chose the file on their own command line.
 */
import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ApiException } from '../api/errors';

export const IMPORT_FOLDER_NAME = 'imports';

/** `imports` next to the database; null for an in-memory database (no folder: host imports are refused). */
export function defaultImportFolder(dbPath: string): string | null {
  return dbPath === ':memory:' ? null : join(dirname(resolve(dbPath)), IMPORT_FOLDER_NAME);
}

/** Creates the folder (owner only, like the database's) when it does not exist; an existing one is left as it is. */
export function ensureImportFolder(folder: string): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
}

/**
 * The real path of the file `requested` names: absolute, or relative to the import folder. Refuses, with
 * INVALID_ARGUMENT, a path outside the folder (also through a symlink), a missing file, and anything that is not
 * a regular file (directories, devices, FIFOs, sockets).
 */
export function resolveImportPath(folder: string | null, requested: string): string {
  if (folder === null) throw new ApiException('INVALID_ARGUMENT', 'this GammaDesk has no import folder (in-memory database): import files with `gammadesk import tardis`');
  const shown = JSON.stringify(requested);
  if (requested.includes('\0')) throw new ApiException('INVALID_ARGUMENT', 'a file path must not contain a NUL character');
  let realFolder: string;
  try {
    realFolder = realpathSync(folder);
  } catch {
    throw new ApiException('INVALID_ARGUMENT', `the import folder ${folder} does not exist`);
  }
  const candidate = isAbsolute(requested) ? requested : join(realFolder, requested);
  const outside = (path: string): boolean => {
    const rel = relative(realFolder, path);
    return rel === '' || rel.startsWith('..') || isAbsolute(rel);
  };
  // Lexically first: a path outside is refused without touching it (no existence probe of /etc/...).
  if (outside(resolve(candidate)) && outside(resolve(isAbsolute(requested) ? requested : join(folder, requested)))) {
    throw new ApiException('INVALID_ARGUMENT', `${shown} is outside the import folder ${folder}: copy or move the file there`);
  }
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    throw new ApiException('INVALID_ARGUMENT', `${shown}: no such file in the import folder ${folder}`);
  }
  if (outside(real)) throw new ApiException('INVALID_ARGUMENT', `${shown} leads outside the import folder ${folder} (a symbolic link): copy the file there instead`);
  if (!statSync(real).isFile()) throw new ApiException('INVALID_ARGUMENT', `${shown} is not a regular file`);
  return real;
}
