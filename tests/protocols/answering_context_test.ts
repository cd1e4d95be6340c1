/**
 * REP and RESPONDENT contexts and `serve()`, on a manual clock over
 * inproc: contexts answer requests of their own in any order, requests go
 * first to the socket's waiting receives and then to contexts in the
 * order they started waiting, and `serve()` has clear error semantics.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, NN_DONTWAIT, SpError } from "../../mod.ts";
import { text } from "../_helpers.ts";
import { rejectsWith, settle, settled, throwsWith } from "./_backtrace_fixtures.ts";
import { contextBench, joinAll } from "./_context_fixtures.ts";

for (const [answerer, asker] of [["rep", "req"], ["respondent", "surveyor"]] as const) {
  /** Opens the pair; the asker asks `question` through the socket (a SURVEYOR asks everybody). */
  const pair = async () => {
    const bench = contextBench();
    const server = bench.open(answerer);
    const client = bench.open(asker);
    await joinAll(server, client);
    return { ...bench, server, client };
  };

  Deno.test(`${answerer} contexts answer in any order, each reply going to its own question`, async () => {
    const { server, open } = await pair();
    await using _server = server;
    await using raw = open(asker, true);
    await joinAll(server, raw);
    using a = server.openContext();
    using b = server.openContext();
    await raw.sendmsg({ header: new Uint8Array([0x80, 0, 0, 1]), body: "first" });
    await raw.sendmsg({ header: new Uint8Array([0x80, 0, 0, 2]), body: "second" });
    assert.equal(text(await a.recv()), "first");
    assert.equal(text(await b.recv()), "second");
    await b.send("answer 2");
    await a.send("answer 1");
    const replies = [await raw.recvmsg(), await raw.recvmsg()];
    assert.deepEqual(replies.map((m) => [m.header[3], text(m.body)]), [[2, "answer 2"], [1, "answer 1"]]);
    await rejectsWith(a.send("no question"), "EFSM");
  });

  Deno.test(`${answerer}: questions go to the socket's waiting receive first, then to contexts in waiting order`, async () => {
    const { server, client } = await pair();
    await using _server = server;
    await using _client = client;
    using early = server.openContext();
    using late = server.openContext();
    const lateRecv = late.recv();
    const earlyRecv = early.recv();
    const socketRecv = server.recv();
    for (const question of ["q1", "q2", "q3"]) {
      await client.send(question);
      await settle();
    }
    // A SURVEYOR's new survey ends the last one, but each went out.
    assert.equal(text(await socketRecv), "q1");
    assert.equal(text(await lateRecv), "q2");
    assert.equal(text(await earlyRecv), "q3");
  });

  Deno.test(`${answerer} serve() answers with the handler's return, on as many contexts as asked`, async () => {
    const { server, open } = await pair();
    await using _server = server;
    await using raw = open(asker, true);
    await joinAll(server, raw);
    const release = Promise.withResolvers<void>();
    let running = 0;
    let most = 0;
    const serving = server.serve(async (question) => {
      most = Math.max(most, ++running);
      await release.promise;
      running--;
      return text(question) === "silent" ? undefined : `re: ${text(question)}`;
    }, { concurrency: 3 });
    for (let i = 1; i <= 4; i++) {
      await raw.sendmsg({ header: new Uint8Array([0x80, 0, 0, i]), body: i === 2 ? "silent" : `q${i}` });
    }
    await settle();
    assert.equal(most, 3, "three handlers at once");
    release.resolve();
    const answers = [await raw.recvmsg(), await raw.recvmsg(), await raw.recvmsg()];
    assert.deepEqual(answers.map((m) => text(m.body)).sort(), ["re: q1", "re: q3", "re: q4"]);
    await rejectsWith(raw.recvmsg(NN_DONTWAIT), "EAGAIN");
    await server.close();
    await serving; // closing the socket ends serving
  });

  Deno.test(`${answerer} serve(): a throwing handler stops serving and rejects, unless onError takes it`, async () => {
    const { server, client } = await pair();
    await using _server = server;
    await using _client = client;
    const errors: string[] = [];
    const stop = new AbortController();
    const serving = server.serve((question) => {
      if (text(question) === "bad") throw new Error("cannot answer that");
      return "fine";
    }, {
      signal: stop.signal,
      onError: (error, question) => errors.push(`${text(question)}: ${(error as Error).message}`),
    });
    await client.send("bad");
    await settle();
    assert.deepEqual(errors, ["bad: cannot answer that"]);
    stop.abort();
    await serving; // the signal ends serving
    const strict = server.serve((question) => {
      if (text(question) === "worse") throw new Error("stop everything");
      return 42 as unknown as string;
    });
    await client.send("worse");
    await assert.rejects(strict, (e) => (e as Error).message === "stop everything");
    const typed = server.serve(() => 42 as unknown as string);
    await client.send("a number?");
    await assert.rejects(typed, (e) => isSpError(e, "EINVAL"));
  });

  Deno.test(`${answerer} serve() checks its arguments, and an aborted signal serves nothing`, async () => {
    const { open } = contextBench();
    await using server = open(answerer);
    for (const concurrency of [0, 1.5, -1, Number.NaN]) {
      await assert.rejects(server.serve(() => "x", { concurrency }), (e) => isSpError(e, "EINVAL"));
    }
    await assert.rejects(server.serve("no" as never), (e) => isSpError(e, "EINVAL"));
    await server.serve(() => "x", { signal: AbortSignal.abort() });
    await using raw = open(answerer, true);
    throwsWith(() => raw.openContext(), "ENOTSUP");
    await assert.rejects(raw.serve(() => "x"), (e) => e instanceof SpError && e.code === "ENOTSUP");
  });

  Deno.test(`closing a ${answerer} context fails its waiting receive; the question it held goes unanswered`, async () => {
    const { server, client } = await pair();
    await using _server = server;
    await using _client = client;
    const context = server.openContext();
    const waiting = context.recv();
    assert.equal(await settled(waiting), false);
    context.close();
    await rejectsWith(waiting, "EBADF");
    // The next question goes to whoever waits now, not to the closed context.
    const socketRecv = server.recv();
    await client.send("still served");
    assert.equal(text(await socketRecv), "still served");
  });
}
