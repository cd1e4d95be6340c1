/**
 * Reading the message `--file` names, with nanocat's error messages: it
 * cannot be opened ("Error opening file ``PATH'': …") or read ("Error
 * reading file ``PATH'': …"); both exit with code 2. `-` reads stdin to its
 * end. (nanocat 1.1.5 loops forever on a directory; we report EISDIR.)
 *
 * @module
 */

import { strerror } from "./errno.ts";
import { EXIT, NanocatExit } from "./exit.ts";

function readAll(read: (buffer: Uint8Array) => number | null): Uint8Array {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const chunk = new Uint8Array(64 * 1024);
    const count = read(chunk);
    if (count === null) break;
    chunks.push(chunk.subarray(0, count));
    length += count;
  }
  const all = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

/**
 * Reads `--file`'s argument: a path, or `-` for stdin.
 *
 * @example Usage
 * ```ts
 * import { readDataFile } from "./data_file.ts";
 * console.log(readDataFile("/etc/hostname").length > 0); // true
 * ```
 *
 * @param path the file, or `-`
 * @returns its bytes
 * @throws {NanocatExit} code 2 when the file cannot be opened or read
 */
export function readDataFile(path: string): Uint8Array {
  if (path === "-") {
    try {
      return readAll((buffer) => Deno.stdin.readSync(buffer));
    } catch (err) {
      throw new NanocatExit(EXIT.file, { stderr: `Error reading file \`\`${path}'': ${strerror(err)}\n` });
    }
  }
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (err) {
    throw new NanocatExit(EXIT.file, { stderr: `Error opening file \`\`${path}'': ${strerror(err)}\n` });
  }
  try {
    return readAll((buffer) => file.readSync(buffer));
  } catch (err) {
    throw new NanocatExit(EXIT.file, { stderr: `Error reading file \`\`${path}'': ${strerror(err)}\n` });
  } finally {
    file.close();
  }
}
