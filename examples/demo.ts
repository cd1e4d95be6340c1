/**
 * The demo: all six scalability protocols in one process, each over inproc
 * and over loopback tcp ports the system picks (port 0), with a short transcript of
 * each: pipeline (PUSH/PULL), request/reply (REQ/REP), pair (PAIR),
 * publish/subscribe (PUB/SUB), survey (SURVEYOR/RESPONDENT) and bus (BUS).
 * It finishes in about a second. Run it with `deno task demo`; it
 * needs only `--allow-net=127.0.0.1`.
 *
 * The six classic examples in this folder (`pipeline.ts`, `reqrep.ts`…)
 * are the same patterns as separate programs that talk to libnanomsg.
 *
 * @module
 */

import { isSpError, openSocket, type ProtocolName, type Socket, type SocketTypes } from "../mod.ts";

const decoder = new TextDecoder();
const text = (message: Uint8Array) => decoder.decode(message);
const say = (line: string) => console.log(line);

/**
 * No wait in the demo may last longer than this, ms: a send or receive
 * that cannot complete fails with ETIMEDOUT instead of hanging the demo.
 */
const STEP_TIMEOUT_MS = 2_000;
/** How long the surveyor collects answers, ms (nanomsg's default is 1 s). */
const SURVEY_DEADLINE_MS = 200;
/** How long a receive waits to show that nothing else is coming, ms. */
const QUIET_MS = 100;

/** Where the sockets of one pattern meet: inproc names, or loopback tcp ports the system picks. */
interface Transport {
  /** `inproc` or `tcp`, for the headings. */
  name: string;
  /** The address the listener called `name` binds; `listen()` tells the real one. */
  address(name: string): string;
}

const TRANSPORTS: Transport[] = [
  { name: "inproc", address: (name) => `inproc://demo-${name}` },
  { name: "tcp", address: () => "tcp://127.0.0.1:0" },
];

/** The sockets of one pattern; leaving the `await using` block closes them all. */
class Sockets implements AsyncDisposable {
  readonly #open: Socket[] = [];

  /** Opens a socket (of its protocol's class) whose waits are bounded by {@linkcode STEP_TIMEOUT_MS}. */
  open<P extends ProtocolName>(protocol: P): SocketTypes[P] {
    const socket = openSocket(protocol as ProtocolName, {
      options: { sndtimeo: STEP_TIMEOUT_MS, rcvtimeo: STEP_TIMEOUT_MS },
    }) as SocketTypes[P];
    this.#open.push(socket);
    return socket;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.#open.map((socket) => socket[Symbol.asyncDispose]()));
  }
}

/**
 * Waits until `socket` has `count` peers. Connecting happens in the
 * background; PUB, SURVEYOR and BUS send only to the peers they have at
 * that moment, and PUSH should see both consumers to share the work.
 */
async function peers(socket: Socket, count: number): Promise<void> {
  await socket.waitForPeers(count, { timeout: STEP_TIMEOUT_MS });
}

/** Receives, or returns `undefined` when `socket` reports ETIMEDOUT. */
async function recvUnlessTimedOut(socket: Socket, timeout: number): Promise<Uint8Array | undefined> {
  try {
    return await socket.recv({ timeout });
  } catch (err) {
    if (isSpError(err, "ETIMEDOUT")) return undefined;
    throw err;
  }
}

function heading(pattern: string, addresses: string[], what: string): void {
  say(`\n== ${pattern} over ${addresses.join(", ")}: ${what}`);
}

async function pipeline(transport: Transport): Promise<void> {
  await using sockets = new Sockets();
  const producer = sockets.open("push");
  const consumers = [sockets.open("pull"), sockets.open("pull")];
  const { url } = await producer.listen(transport.address("pipeline"));
  heading("PIPELINE (PUSH → PULL)", [url], "one producer, two consumers sharing the tasks");
  for (const consumer of consumers) consumer.connect(url);
  await peers(producer, consumers.length);
  for (let task = 1; task <= 4; task++) {
    say(`[Producer] send "task ${task}"`);
    await producer.send(`task ${task}`);
  }
  // PUSH takes turns between its peers: two tasks each.
  for (const [n, consumer] of consumers.entries()) {
    for (let i = 0; i < 2; i++) say(`[Consumer ${n + 1}] receive "${text(await consumer.recv())}"`);
  }
}

async function reqrep(transport: Transport): Promise<void> {
  await using sockets = new Sockets();
  const server = sockets.open("rep");
  const client = sockets.open("req");
  const { url } = await server.listen(transport.address("reqrep"));
  heading("REQUEST/REPLY (REQ ⇄ REP)", [url], "every request gets its reply");
  client.connect(url);
  const stop = new AbortController();
  const serving = server.serve((request) => {
    say(`[Server] received "${text(request)}"`);
    const reply = text(request).toUpperCase();
    say(`[Server] send "${reply}"`);
    return reply;
  }, { signal: stop.signal });
  for (const request of ["hello", "how are you?"]) {
    say(`[Client] send "${request}"`);
    say(`[Client] received "${text(await client.request(request, { timeout: STEP_TIMEOUT_MS }))}"`);
  }
  stop.abort();
  await serving;
}

async function pair(transport: Transport): Promise<void> {
  await using sockets = new Sockets();
  const node1 = sockets.open("pair");
  const node2 = sockets.open("pair");
  const { url } = await node1.listen(transport.address("pair"));
  heading("PAIR (PAIR ⇄ PAIR)", [url], "two nodes taking turns");
  node2.connect(url);
  for (let round = 1; round <= 2; round++) {
    say(`[Node2] send Node2 (round ${round})`);
    await node2.send(`Node2 (round ${round})`);
    say(`[Node1] received ${text(await node1.recv())}`);
    say(`[Node1] send Node1 (round ${round})`);
    await node1.send(`Node1 (round ${round})`);
    say(`[Node2] received ${text(await node2.recv())}`);
  }
}

async function pubsub(transport: Transport): Promise<void> {
  await using sockets = new Sockets();
  const publisher = sockets.open("pub");
  const everything = sockets.open("sub");
  const weather = sockets.open("sub");
  everything.subscribe("");
  weather.subscribe("weather:");
  const { url } = await publisher.listen(transport.address("pubsub"));
  heading("PUBLISH/SUBSCRIBE (PUB → SUB)", [url], "each subscriber gets the topics it asked for");
  everything.connect(url);
  weather.connect(url);
  await peers(publisher, 2);
  const news = ["news: SP in TypeScript", "weather: sunny, 24 °C", "sports: 2-1"];
  for (const item of news) {
    say(`[Publisher] publish "${item}"`);
    await publisher.send(item);
  }
  for (let i = 0; i < news.length; i++) say(`[Subscriber "" (all)] received "${text(await everything.recv())}"`);
  say(`[Subscriber "weather:"] received "${text(await weather.recv())}"`);
  if (await recvUnlessTimedOut(weather, QUIET_MS) === undefined) {
    say(`[Subscriber "weather:"] nothing more within ${QUIET_MS} ms: the other topics were filtered out`);
  }
}

async function survey(transport: Transport): Promise<void> {
  await using sockets = new Sockets();
  const surveyor = sockets.open("surveyor");
  const respondents = [1, 2, 3].map(() => sockets.open("respondent"));
  const { url } = await surveyor.listen(transport.address("survey"));
  heading("SURVEY (SURVEYOR ⇄ RESPONDENT)", [url], `one question, answers until a ${SURVEY_DEADLINE_MS} ms deadline`);
  for (const respondent of respondents) respondent.connect(url);
  await peers(surveyor, respondents.length);
  const stop = new AbortController();
  const answering = respondents.map((respondent, i) =>
    respondent.serve((question) => {
      say(`[Respondent ${i + 1}] received "${text(question)}"`);
      return `respondent ${i + 1} is here`;
    }, { signal: stop.signal })
  );
  say(`[Surveyor] ask "who is there?"`);
  let answers = 0;
  // The answers end at the deadline (the ETIMEDOUT a plain recv() would get).
  for await (const answer of surveyor.survey("who is there?", { deadline: SURVEY_DEADLINE_MS })) {
    say(`[Surveyor] receive "${text(answer)}"`);
    answers++;
  }
  stop.abort();
  await Promise.all(answering);
  say(`[Surveyor] deadline passed (ETIMEDOUT) after ${answers} answers`);
}

async function bus(transport: Transport): Promise<void> {
  await using sockets = new Sockets();
  const nodes = [0, 1, 2].map(() => sockets.open("bus"));
  const urls: string[] = [];
  for (const [n, node] of nodes.entries()) urls.push((await node.listen(transport.address(`bus-${n}`))).url);
  heading("BUS (BUS ⇄ BUS ⇄ BUS)", urls, "every node hears every other node");
  // Each node listens on its own address and dials the nodes before it:
  // one connection per pair (BUS does not forward, so all pairs are needed).
  for (const [n, node] of nodes.entries()) {
    for (const url of urls.slice(0, n)) node.connect(url);
  }
  for (const node of nodes) await peers(node, nodes.length - 1);
  for (const [n, node] of nodes.entries()) {
    say(`[node${n}] send node${n} onto bus`);
    await node.send(`node${n}`);
  }
  for (const [n, node] of nodes.entries()) {
    for (let i = 0; i < nodes.length - 1; i++) say(`[node${n}] receive ${text(await node.recv())} from bus`);
  }
}

const PATTERNS = [pipeline, reqrep, pair, pubsub, survey, bus];

say("sp demo: the six scalability protocols, each over inproc and over loopback tcp");
const started = performance.now();
for (const pattern of PATTERNS) {
  for (const transport of TRANSPORTS) await pattern(transport);
}
const elapsed = Math.round(performance.now() - started);
say(`\nAll six patterns ran over inproc and tcp in ${elapsed} ms; every socket closed cleanly.`);
