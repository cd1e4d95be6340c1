/**
 * nanocat's options, in the order its help lists them: names, help text,
 * and the masks by which nanocat decides which options need or exclude
 * which (e.g. `--data` needs a socket type that can send). The parser in
 * `options.ts` and the help in `help.ts` are driven by this table.
 *
 * @module
 */

import { parseCFloat } from "./c_numbers.ts";
import { readDataFile } from "./data_file.ts";
import { ECHO_FORMATS, type EchoFormat } from "./format.ts";
import type { TlsFlags } from "./tls_options.ts";

/** The socket types nanocat can open, by their flag names. */
export type SocketType =
  | "push"
  | "pull"
  | "pub"
  | "sub"
  | "req"
  | "rep"
  | "surveyor"
  | "respondent"
  | "bus"
  | "pair";

/** Everything the command line decides. */
export interface NanocatOptions {
  /** `-v` count minus `-q` count; nanocat 1.1.5 reads it nowhere, and neither do we. */
  verbose: number;
  /** The socket type flag given. */
  socketType: SocketType | undefined;
  /** Addresses to bind, in command-line order. */
  bindAddresses: string[];
  /** Addresses to connect to, in command-line order. */
  connectAddresses: string[];
  /** `--send-timeout` in seconds as a C float; negative when not given. */
  sendTimeout: number;
  /** `--recv-timeout` in seconds as a C float; negative when not given. */
  recvTimeout: number;
  /** `--subscribe` prefixes; none subscribes to everything. */
  subscriptions: string[];
  /** `--socket-name`, if given. */
  socketName: string | undefined;
  /** `--delay` in seconds. */
  sendDelay: number;
  /** `--interval` in seconds; negative when not given. */
  sendInterval: number;
  /** What `--data` or `--file` gave. */
  data: Uint8Array | undefined;
  /** How received messages are printed. */
  echoFormat: EchoFormat;
  /** nngcat's TLS flags (our addition; nanocat has no TLS). */
  tls: TlsFlags;
}

/** The options before the command line is read. */
export function defaultOptions(): NanocatOptions {
  return {
    verbose: 0,
    socketType: undefined,
    bindAddresses: [],
    connectAddresses: [],
    sendTimeout: -1,
    recvTimeout: -1,
    subscriptions: [],
    socketName: undefined,
    sendDelay: 0,
    sendInterval: -1,
    data: undefined,
    echoFormat: "no",
    tls: { insecure: false },
  };
}

/** Mask bits an option provides, conflicts with or requires. */
export const MASK = {
  socket: 1,
  writable: 2,
  readable: 4,
  subSocket: 8,
  data: 16,
  endpoint: 32,
} as const;

/** What the command line as a whole must provide: a socket type and an endpoint. */
export const REQUIRED_MASK: number = MASK.socket | MASK.endpoint;

/** An option's argument was malformed; the parser words the message. */
export class BadArgument extends Error {
  /** Which check failed. */
  readonly problem: "float" | "enum";

  /**
   * Creates the error.
   *
   * @param problem which check failed
   */
  constructor(problem: "float" | "enum") {
    super(problem === "float" ? "requires float point argument" : "invalid value");
    this.name = "BadArgument";
    this.problem = problem;
  }
}

/** One command-line option. */
export interface OptionSpec {
  /** Its long name, without the dashes. */
  readonly long: string;
  /** Its one-letter name, if any. */
  readonly short?: string;
  /** The argument's name in the help; present exactly when the option takes an argument. */
  readonly metavar?: string;
  /** Whether it prints the help and exits. */
  readonly help?: true;
  /** The allowed values, for options that take one of a fixed set. */
  readonly choices?: readonly string[];
  /** The help section it is listed in. */
  readonly group: string;
  /** Its help text, one paragraph. */
  readonly description: string;
  /** Mask bits using it provides. */
  readonly provides: number;
  /** Mask bits it cannot be combined with. */
  readonly conflicts: number;
  /** Mask bits that must all be provided when it is used. */
  readonly requires: number;
  /** Records the option; `argument` is "" for options without one. */
  readonly apply: (target: NanocatOptions, argument: string) => void;
}

function float(set: (target: NanocatOptions, value: number) => void) {
  return (target: NanocatOptions, argument: string) => {
    const value = parseCFloat(argument);
    if (value === undefined) throw new BadArgument("float");
    set(target, value);
  };
}

const encoder = new TextEncoder();
const { socket, writable, readable, subSocket, data, endpoint } = MASK;
const NONE = 0;

function socketType(type: SocketType, provides: number, requires: number): OptionSpec {
  return {
    long: type,
    group: "Socket Types",
    description: `Use NN_${type.toUpperCase()} socket type`,
    provides: socket | provides,
    conflicts: socket,
    requires,
    apply: (target) => target.socketType = type,
  };
}

function echoFlag(format: EchoFormat, short: string | undefined, description: string): OptionSpec {
  return {
    long: format,
    ...(short === undefined ? {} : { short }),
    group: "Input Options",
    description,
    provides: NONE,
    conflicts: NONE,
    requires: readable,
    apply: (target) => target.echoFormat = format,
  };
}

function endpointOption(long: string, short: string, metavar: string, prefix: string, bind: boolean): OptionSpec {
  const scheme = prefix.startsWith("ipc") ? "ipc" : "tcp";
  return {
    long,
    short,
    metavar,
    group: "Socket Options",
    description: `${bind ? "Bind" : "Connect"} socket to the ${scheme} address "${prefix}${metavar}".`,
    provides: endpoint,
    conflicts: NONE,
    requires: NONE,
    apply: (target, argument) => (bind ? target.bindAddresses : target.connectAddresses).push(prefix + argument),
  };
}

const readWrite = readable | writable;

/** nanocat 1.1.5's options, in its order (which decides its error messages too). */
export const OPTION_TABLE: readonly OptionSpec[] = [
  {
    long: "verbose",
    short: "v",
    group: "Generic",
    description: "Increase verbosity of the nanocat",
    provides: NONE,
    conflicts: NONE,
    requires: NONE,
    apply: (target) => target.verbose++,
  },
  {
    long: "silent",
    short: "q",
    group: "Generic",
    description: "Decrease verbosity of the nanocat",
    provides: NONE,
    conflicts: NONE,
    requires: NONE,
    apply: (target) => target.verbose--,
  },
  {
    long: "help",
    short: "h",
    help: true,
    group: "Generic",
    description: "This help text",
    provides: NONE,
    conflicts: NONE,
    requires: NONE,
    apply: () => {},
  },
  socketType("push", writable, data),
  socketType("pull", readable, NONE),
  socketType("pub", writable, data),
  socketType("sub", readable | subSocket, NONE),
  socketType("req", readWrite, data),
  socketType("rep", readWrite, NONE),
  socketType("surveyor", readWrite, data),
  socketType("respondent", readWrite, NONE),
  socketType("bus", readWrite, NONE),
  socketType("pair", readWrite, NONE),
  {
    long: "bind",
    metavar: "ADDR",
    group: "Socket Options",
    description: "Bind socket to the address ADDR",
    provides: endpoint,
    conflicts: NONE,
    requires: NONE,
    apply: (target, argument) => target.bindAddresses.push(argument),
  },
  {
    long: "connect",
    metavar: "ADDR",
    group: "Socket Options",
    description: "Connect socket to the address ADDR",
    provides: endpoint,
    conflicts: NONE,
    requires: NONE,
    apply: (target, argument) => target.connectAddresses.push(argument),
  },
  endpointOption("bind-ipc", "X", "PATH", "ipc://", true),
  endpointOption("connect-ipc", "x", "PATH", "ipc://", false),
  endpointOption("bind-local", "L", "PORT", "tcp://127.0.0.1:", true),
  endpointOption("connect-local", "l", "PORT", "tcp://127.0.0.1:", false),
  {
    long: "recv-timeout",
    metavar: "SEC",
    group: "Socket Options",
    description: "Set timeout for receiving a message",
    provides: NONE,
    conflicts: NONE,
    requires: readable,
    apply: float((target, value) => target.recvTimeout = value),
  },
  {
    long: "send-timeout",
    metavar: "SEC",
    group: "Socket Options",
    description: "Set timeout for sending a message",
    provides: NONE,
    conflicts: NONE,
    requires: writable,
    apply: float((target, value) => target.sendTimeout = value),
  },
  {
    long: "socket-name",
    metavar: "NAME",
    group: "Socket Options",
    description: "Name of the socket for statistics",
    provides: NONE,
    conflicts: NONE,
    requires: NONE,
    apply: (target, argument) => target.socketName = argument,
  },
  {
    long: "subscribe",
    metavar: "PREFIX",
    group: "SUB Socket Options",
    description: "Subscribe to the prefix PREFIX. Note: socket will be subscribed to everything (empty prefix) if " +
      "no prefixes are specified on the command-line.",
    provides: NONE,
    conflicts: NONE,
    requires: subSocket,
    apply: (target, argument) => target.subscriptions.push(argument),
  },
  {
    long: "format",
    metavar: "FORMAT",
    choices: ECHO_FORMATS,
    group: "Input Options",
    description: "Use echo format FORMAT (same as the options below)",
    provides: NONE,
    conflicts: NONE,
    requires: readable,
    apply: (target, argument) => {
      const format = ECHO_FORMATS.find((name) => name === argument);
      if (format === undefined) throw new BadArgument("enum");
      target.echoFormat = format;
    },
  },
  echoFlag("raw", undefined, "Dump message as is (Note: no delimiters are printed)"),
  echoFlag("ascii", "A", "Print ASCII part of message delimited by newline. All non-ascii characters replaced by dot."),
  echoFlag("quoted", "Q", "Print each message on separate line in double quotes with C-like character escaping"),
  echoFlag(
    "msgpack",
    undefined,
    "Print each message as msgpacked string (raw type). This is useful for programmatic parsing.",
  ),
  echoFlag("hex", undefined, "Print each message on separate line in double quotes with hex values"),
  {
    long: "interval",
    short: "i",
    metavar: "SEC",
    group: "Output Options",
    description: "Send message (or request) every SEC seconds",
    provides: NONE,
    conflicts: NONE,
    requires: writable,
    apply: float((target, value) => target.sendInterval = value),
  },
  {
    long: "delay",
    short: "d",
    metavar: "SEC",
    group: "Output Options",
    description: "Wait for SEC seconds before sending message (useful for one-shot PUB sockets)",
    provides: NONE,
    conflicts: NONE,
    requires: NONE,
    apply: float((target, value) => target.sendDelay = value),
  },
  {
    long: "data",
    short: "D",
    metavar: "DATA",
    group: "Output Options",
    description: "Send DATA to the socket and quit for PUB, PUSH, PAIR, BUS socket. Use DATA to reply for REP or  " +
      "RESPONDENT socket. Send DATA as request for REQ or SURVEYOR socket.",
    provides: data,
    conflicts: data,
    requires: writable,
    apply: (target, argument) => target.data = encoder.encode(argument),
  },
  {
    long: "file",
    short: "F",
    metavar: "PATH",
    group: "Output Options",
    description: "Same as --data but get data from file PATH",
    provides: data,
    conflicts: data,
    requires: writable,
    apply: (target, argument) => target.data = readDataFile(argument),
  },
];
