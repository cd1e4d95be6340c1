/**
 * The two exchanges every interop test is made of: our socket sends and a
 * peer prints what arrived, or a peer sends and our socket receives. Each
 * sets up the address, our socket and the peer in the order the endpoint
 * roles need, and tears all three down however the test ends.
 *
 * @module
 */

import { openSocket, type Socket } from "../../mod.ts";
import { assertBytesEqual } from "../_helpers.ts";
import {
  INTEROP_TRANSPORTS,
  InteropAddress,
  type InteropTransport,
  PayloadFile,
  PEER_NAMES,
  type PeerName,
  type PeerSocketType,
  spawnPeer,
  STEP_TIMEOUT_MS,
} from "./_peers.ts";

/** Who the peer is and how the two sides meet. */
export interface Meeting {
  /** The peer program. */
  peer: PeerName;
  /** The transport both sides use. */
  transport: InteropTransport;
  /** Our socket binds (the peer connects) or connects (the peer binds). */
  we: "bind" | "connect";
  /** How long each step may take (default STEP_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** We send `messages`; the peer must print exactly `expectedStdout`. */
export interface SendToPeer extends Meeting {
  /** Our socket type. */
  ours: "pair" | "push";
  /** The peer's socket type. */
  theirs: PeerSocketType;
  /** Sent in order, each awaited. */
  messages: Uint8Array[];
  /** The peer's output format: `raw` shows bytes as they are, `quoted` shows empty messages too. */
  format: "raw" | "quoted";
  /** The peer's whole output once everything arrived. */
  expectedStdout: Uint8Array;
  /** Close our socket as soon as the last send resolves, so only LINGER gets the rest out. */
  closeAfterSending?: boolean;
}

/** The peer sends `payload` (again and again); the first message we receive must be exactly it. */
export interface ReceiveFromPeer extends Meeting {
  /** Our socket type. */
  ours: "pair" | "pull";
  /** The peer's socket type. */
  theirs: PeerSocketType;
  /** A string goes to the peer as `--data`; bytes, which may not survive argv, through a `--file`. */
  payload: string | Uint8Array;
  /** Our RCVMAXSIZE, if not the default. */
  recvMaxSize?: number;
}

// Peers need a few milliseconds to start listening; our dialer's first
// attempts fail until then, so retry sooner than nanomsg's default 100 ms.
const RECONNECT_IVL_MS = 20;

/** Opens one of our sockets, tuned for meeting peers that are just starting. */
export function openOurSocket(protocol: string): Socket {
  return openSocket(protocol, { options: { reconnectIvl: RECONNECT_IVL_MS } });
}

/** Runs one {@linkcode SendToPeer} exchange. */
export async function sendToPeer(exchange: SendToPeer): Promise<void> {
  using address = new InteropAddress(exchange.transport);
  await using ours = openOurSocket(exchange.ours);
  if (exchange.we === "bind") await ours.bind(address.url);
  await using peer = spawnPeer({
    peer: exchange.peer,
    socket: exchange.theirs,
    endpoint: exchange.we === "bind" ? "connect" : "bind",
    url: address.url,
    format: exchange.format,
  });
  if (exchange.we === "connect") ours.connect(address.url);

  const timeout = exchange.timeoutMs ?? STEP_TIMEOUT_MS;
  for (const [index, message] of exchange.messages.entries()) {
    await peer.guard(ours.send(message), timeout, `our send #${index} (${message.length} bytes)`);
  }
  if (exchange.closeAfterSending) await peer.guard(ours.close(), timeout, "closing our socket");
  const expected = exchange.expectedStdout;
  const printed = await peer.waitForStdout(
    (stdout) => stdout.length >= expected.length,
    timeout,
    `${exchange.peer} printing ${expected.length} bytes`,
  );
  assertBytesEqual(printed, expected, `what ${exchange.peer} printed`);
}

/** Runs one {@linkcode ReceiveFromPeer} exchange. */
export async function receiveFromPeer(exchange: ReceiveFromPeer): Promise<void> {
  const { payload } = exchange;
  using address = new InteropAddress(exchange.transport);
  using payloadFile = typeof payload === "string" ? undefined : new PayloadFile(payload);
  await using ours = openOurSocket(exchange.ours);
  if (exchange.recvMaxSize !== undefined) ours.setOption("rcvmaxsize", exchange.recvMaxSize);
  if (exchange.we === "bind") await ours.bind(address.url);
  await using peer = spawnPeer({
    peer: exchange.peer,
    socket: exchange.theirs,
    endpoint: exchange.we === "bind" ? "connect" : "bind",
    url: address.url,
    send: typeof payload === "string" ? { data: payload } : { file: payloadFile!.path },
  });
  if (exchange.we === "connect") ours.connect(address.url);

  const received = await peer.guard(
    ours.recv(),
    exchange.timeoutMs ?? STEP_TIMEOUT_MS,
    `our receive from ${exchange.peer}`,
  );
  const expected = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  assertBytesEqual(received, expected, `message from ${exchange.peer}`);
}

/** A test name such as "nanocat binds tcp, we connect and send". */
export function meetingName(meeting: Meeting, we: "send" | "receive"): string {
  const peerDoes = meeting.we === "bind" ? "connects" : "binds";
  return `${meeting.peer} ${peerDoes} ${meeting.transport}, we ${meeting.we} and ${we}`;
}

/** Every peer × transport × endpoint role, for the test matrices. */
export function allMeetings(): Meeting[] {
  return PEER_NAMES.flatMap((peer) =>
    INTEROP_TRANSPORTS.flatMap((transport) => (["bind", "connect"] as const).map((we) => ({ peer, transport, we })))
  );
}

/**
 * `size` bytes that cover every byte value (NUL, newline, 0xff…) in no
 * simple pattern, the same on every run so a failure can be replayed.
 */
export function binaryPayload(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = 0x2545f491;
  for (let i = 0; i < size; i++) {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}
