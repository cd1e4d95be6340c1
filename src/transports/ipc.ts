/**
 * The ipc transport: `ipc://path` over unix-domain stream sockets. Frames
 * are a type byte (0x01, the only one defined), a u64 big-endian length and
 * the payload (sp-ipc-mapping-01 §3). A stale socket file that nothing
 * answers on is removed before binding; ours is removed on close. Binding
 * `ipc://` with no path makes a fresh one in a new temporary directory
 * (removed on close too); the listener reports it.
 *
 * @module
 */

import { fromDenoError, SpError } from "../core/errors.ts";
import { requirePermissions } from "../core/permissions.ts";
import { checkEndpointOptions, type Transport } from "../core/transport.ts";
import { DenoListener } from "./_deno_listener.ts";
import { StreamConnection } from "./_stream_connection.ts";

/** ipc frames start with message type 0x01 ("in-band"). */
const IPC_FRAMES = { typeByte: 0x01 } as const;
/** `sizeof(sun_path)` on Linux: the path and its terminating NUL must fit. */
const SUN_PATH_MAX = 108;
const PERMISSIONS = "--allow-net, --allow-read and --allow-write";
/** What a peer's end of a unix socket is called: it has no path. */
const UNNAMED = "(unnamed)";
/** The socket file in a directory made for an `ipc://` bind without a path. */
const FRESH_SOCKET_NAME = "sp.ipc";

function checkPath(path: string): void {
  if (path === "") throw new SpError("EINVAL", "ipc address needs a path");
  if (path.includes("\0")) throw new SpError("EINVAL", "ipc path contains a NUL byte");
  const bytes = new TextEncoder().encode(path).length;
  if (bytes >= SUN_PATH_MAX) {
    throw new SpError("ENAMETOOLONG", `ipc path is ${bytes} bytes; unix sockets allow at most ${SUN_PATH_MAX - 1}`);
  }
}

/** Removes `path` if it is a socket nothing answers on. */
async function removeStaleSocket(path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw fromDenoError(err, `ipc://${path}`, PERMISSIONS);
  }
  if (!info.isSocket) return; // binding will fail with EADDRINUSE, and that is right
  try {
    const probe = await Deno.connect({ transport: "unix", path });
    probe.close();
    throw new SpError("EADDRINUSE", `ipc://${path} is in use by a live listener`);
  } catch (err) {
    if (err instanceof SpError) throw err;
    if (err instanceof Deno.errors.ConnectionRefused) {
      await Deno.remove(path).catch(() => {});
      return;
    }
    throw fromDenoError(err, `ipc://${path}`, PERMISSIONS);
  }
}

/**
 * Creates the ipc transport.
 *
 * @example Usage
 * ```ts
 * import { createIpcTransport } from "@sp/nanomsg";
 * console.log(createIpcTransport().scheme); // "ipc"
 * ```
 *
 * @returns the transport, to register on a runtime
 */
export function createIpcTransport(): Transport {
  return {
    scheme: "ipc",
    checkAddress(path, mode, options) {
      checkEndpointOptions("ipc", options.endpoint, []);
      if (mode === "bind" && path === "") return; // a fresh path is made when binding
      checkPath(path);
      if (mode === "connect") {
        // A dialer retries in the background: without permission it would retry forever.
        requirePermissions([
          { name: "read", path },
          { name: "write", path },
          { name: "net", host: `unix:${path}` },
        ], `ipc://${path}`);
      }
    },
    async listen(requested, options) {
      let path = requested;
      let madeDir: string | undefined;
      if (requested === "") {
        try {
          madeDir = await Deno.makeTempDir({ prefix: "sp-" });
        } catch (err) {
          throw fromDenoError(err, "ipc:// (a fresh temporary path)", PERMISSIONS);
        }
        path = `${madeDir}/${FRESH_SOCKET_NAME}`;
      }
      checkPath(path);
      await removeStaleSocket(path);
      try {
        const listener = Deno.listen({ transport: "unix", path });
        let count = 0;
        const wrap = (conn: Deno.UnixConn) =>
          new StreamConnection(conn, IPC_FRAMES, options.recvMaxSize, `ipc ${path} #${++count}`, {
            addresses: { local: path, remote: `${UNNAMED}#${count}` },
          });
        return new DenoListener(listener, path, wrap, () => {
          try {
            Deno.removeSync(path);
            if (madeDir !== undefined) Deno.removeSync(madeDir);
          } catch { /* gone already */ }
        });
      } catch (err) {
        if (madeDir !== undefined) await Deno.remove(madeDir, { recursive: true }).catch(() => {});
        throw fromDenoError(err, `ipc://${path}`, PERMISSIONS);
      }
    },
    async dial(path, options) {
      checkPath(path);
      try {
        const conn = await Deno.connect({ transport: "unix", path });
        return new StreamConnection(conn, IPC_FRAMES, options.recvMaxSize, `ipc ${path}`, {
          addresses: { local: UNNAMED, remote: path },
        });
      } catch (err) {
        throw fromDenoError(err, `ipc://${path}`, PERMISSIONS);
      }
    },
  };
}
