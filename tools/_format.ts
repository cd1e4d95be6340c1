/**
 * What the generators in `tools/` share: the repository root, and `deno
 * fmt` applied to generated text, so generated files pass `deno fmt
 * --check` like the rest.
 *
 * @module
 */

/** The repository root. */
export const ROOT: URL = new URL("../", import.meta.url);

/**
 * Formats source text the way `deno fmt` formats files of that kind.
 *
 * @param source the text
 * @param ext its kind: `"ts"`, `"md"` …
 * @returns the formatted text
 */
export async function formatted(source: string, ext: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", `--ext=${ext}`, "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(source));
  await writer.close();
  const output = await child.output();
  if (!output.success) throw new Error(`deno fmt failed: ${new TextDecoder().decode(output.stderr)}`);
  return new TextDecoder().decode(output.stdout);
}
